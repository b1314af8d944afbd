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


@torch.inference_mode()
def masked_accuracy(
    model: torch.nn.Module,
    tokenizer,
    texts: Sequence[str],
    unit: str = "token",
    rate: float = 0.15,
    seed: int = 0,
    batch_size: int = 64,
    max_length: int = 128,
) -> dict[str, float]:
    if unit not in ("token", "word"):
        raise ValueError("unit must be 'token' or 'word'")
    device = next(model.parameters()).device
    hits1 = hits5 = total = 0
    for start in range(0, len(texts), batch_size):
        chunk = list(texts[start : start + batch_size])
        enc = tokenizer(chunk, truncation=True, max_length=max_length, padding=True, return_tensors="pt")
        ids = enc["input_ids"].clone()
        groups: list[list[tuple[int, int]]] = []  # per masked unit: list of (row, col)
        for row in range(len(chunk)):
            rng = np.random.default_rng([seed, start + row])
            word_ids = enc.word_ids(row)
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
            for u in rng.choice(len(units), size=k, replace=False):
                groups.append([(row, c) for c in units[u]])
        for group in groups:
            for row, col in group:
                ids[row, col] = tokenizer.mask_token_id
        logits = model(input_ids=ids.to(device), attention_mask=enc["attention_mask"].to(device)).logits
        top5 = logits.float().topk(5, dim=-1).indices.cpu()
        orig = enc["input_ids"]
        for group in groups:
            r1 = all(top5[r, c, 0] == orig[r, c] for r, c in group)
            r5 = all(bool((top5[r, c] == orig[r, c]).any()) for r, c in group)
            hits1 += r1
            hits5 += r5
            total += 1
    return {"top1": hits1 / max(total, 1), "top5": hits5 / max(total, 1), "n": total}
