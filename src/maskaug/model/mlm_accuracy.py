"""Masked-token prediction accuracy of an MLM (top-1 / top-5), for tokens and whole words.

Protocol (``maskaug models score``): for each sentence, with ``numpy.random.default_rng([seed, i])``,
mask ``max(1, round(rate * n))`` units at once (``n`` = non-special tokens, or words as the
tokenizer's ``word_ids`` define them; a masked word masks all its sub-tokens) and predict them in one
forward pass. A token counts as a top-k hit when the original id is among the k best; a word is a
top-1 hit when all its pieces are top-1 hits and a top-5 hit when all are top-5 hits.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from maskaug.model.backend import Backend
from maskaug.model.batching import Batch, pack


@torch.inference_mode()
def masked_accuracy(backend: Backend, tokenizer, texts: Sequence[str], unit: str = "token", rate: float = 0.15,
                    seed: int = 0, token_budget: int = 8192, max_length: int = 128) -> dict[str, float]:
    """Top-1 / top-5 accuracy on ``rate`` of tokens or words masked at once (see the module)."""
    if unit not in ("token", "word"):
        raise ValueError("unit must be 'token' or 'word'")
    enc = tokenizer(list(texts), truncation=True, max_length=max_length)
    items = []  # per text: (masked ids, units as lists of positions, original ids)
    for i, ids in enumerate(enc["input_ids"]):
        rng = np.random.default_rng([seed, i])
        word_ids = enc.word_ids(i)
        cols = [c for c, w in enumerate(word_ids) if w is not None]
        if unit == "token":
            units = [[c] for c in cols]
        else:
            by_word: dict[int, list[int]] = {}
            for c in cols:
                by_word.setdefault(word_ids[c], []).append(c)
            units = list(by_word.values())
        if not units:
            continue
        k = max(1, round(rate * len(units)))
        chosen = [units[u] for u in rng.choice(len(units), size=k, replace=False)]
        masked = list(ids)
        for group in chosen:
            for c in group:
                masked[c] = tokenizer.mask_token_id
        items.append((masked, chosen, list(ids)))
    hits1 = hits5 = total = 0
    for group in pack([len(it[0]) for it in items], token_budget):
        batch = [items[g] for g in group]
        positions = [sorted(c for unit_ in chosen for c in unit_) for _, chosen, _ in batch]
        logits = backend.logits(Batch.pad([it[0] for it in batch], tokenizer.pad_token_id or 0, positions))
        top5 = logits.float().topk(5, dim=-1).indices.cpu()
        row = 0
        where: dict[tuple[int, int], int] = {}
        for b, ps in enumerate(positions):
            for p in ps:
                where[b, p] = row
                row += 1
        for b, (_, chosen, orig) in enumerate(batch):
            for unit_ in chosen:
                r1 = all(int(top5[where[b, c], 0]) == orig[c] for c in unit_)
                r5 = all(bool((top5[where[b, c]] == orig[c]).any()) for c in unit_)
                hits1 += r1
                hits5 += r5
                total += 1
    return {"top1": hits1 / max(total, 1), "top5": hits5 / max(total, 1), "n": total}
