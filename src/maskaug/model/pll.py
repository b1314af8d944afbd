"""Pseudo-log-likelihood (Salazar et al. 2020): the sum over tokens of log p(token | rest), each token
masked in turn. All masked copies of all texts go through the model in length-sorted batches."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from maskaug.model.batching import Batch, pack
from maskaug.model.loading import MaskedLM


@torch.inference_mode()
def pseudo_log_likelihood(mlm: MaskedLM, texts: Sequence[str], batch_tokens: int = 8192,
                          max_length: int = 128) -> list[tuple[float, int]]:
    """``(PLL, token count)`` per text (special tokens excluded; texts cut at ``max_length`` tokens)."""
    if not texts:  # the tokenizer fails on an empty batch
        return []
    enc = mlm.tokenizer(list(texts), truncation=True, max_length=max_length, return_special_tokens_mask=True)
    jobs = []  # (text index, position, ids)
    for i, (ids, special) in enumerate(zip(enc["input_ids"], enc["special_tokens_mask"])):
        for p, sp in enumerate(special):
            if not sp:
                jobs.append((i, p, ids))
    totals = np.zeros(len(texts))
    counts = np.zeros(len(texts), dtype=int)
    mask_id = mlm.info.mask_id
    for group in pack([len(j[2]) for j in jobs], batch_tokens, longest_first=False):
        batch = [jobs[g] for g in group]
        seqs = [list(seq) for _, _, seq in batch]
        for seq, (_, p, _) in zip(seqs, batch):
            seq[p] = mask_id
        logits = mlm.backend.logits(Batch.pad(seqs, mlm.info.pad_id, [[p] for _, p, _ in batch]))
        gold = torch.tensor([seq[p] for _, p, seq in batch], device=logits.device)
        logp = torch.log_softmax(logits.float(), dim=-1)[torch.arange(len(batch), device=logits.device), gold]
        for (i, _, _), lp in zip(batch, logp.cpu().numpy()):
            totals[i] += lp
            counts[i] += 1
    return [(float(t), int(c)) for t, c in zip(totals, counts)]
