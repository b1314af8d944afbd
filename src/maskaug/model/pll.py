"""Pseudo-log-likelihood (Salazar et al. 2020): the sum over tokens of log p(token | rest), each token
masked in turn. All masked copies of all texts go through the model in length-sorted batches."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from maskaug.model.engine import FillEngine
from maskaug.model.loading import MaskedLM


def shared_engine(mlm: MaskedLM) -> FillEngine:
    """One :class:`FillEngine` per loaded model (its head hook computes logits only where asked)."""
    if "_shared_engine" not in mlm.__dict__:
        mlm.__dict__["_shared_engine"] = FillEngine(mlm)
    return mlm.__dict__["_shared_engine"]


@torch.inference_mode()
def pseudo_log_likelihood(mlm: MaskedLM, texts: Sequence[str], batch_tokens: int = 8192,
                          max_length: int = 128) -> list[tuple[float, int]]:
    """``(PLL, token count)`` per text (special tokens excluded; texts cut at ``max_length`` tokens)."""
    if not texts:  # the tokenizer fails on an empty batch
        return []
    tok = mlm.tokenizer
    engine = shared_engine(mlm)
    enc = tok(list(texts), truncation=True, max_length=max_length, return_special_tokens_mask=True)
    jobs = []  # (text index, position, ids)
    for i, (ids, special) in enumerate(zip(enc["input_ids"], enc["special_tokens_mask"])):
        for p, sp in enumerate(special):
            if not sp:
                jobs.append((i, p, ids))
    jobs.sort(key=lambda j: len(j[2]))
    totals = np.zeros(len(texts))
    counts = np.zeros(len(texts), dtype=int)
    mask_id, pad_id = mlm.info.mask_id, mlm.info.pad_id
    start = 0
    while start < len(jobs):
        end = start
        while end < len(jobs) and (end - start + 1) * len(jobs[end][2]) <= batch_tokens:
            end += 1
        end = max(end, start + 1)
        batch = jobs[start:end]
        width = max(len(j[2]) for j in batch)
        ids = np.full((len(batch), width), pad_id, dtype=np.int64)
        att = np.zeros_like(ids)
        for r, (_, p, seq) in enumerate(batch):
            ids[r, :len(seq)] = seq
            att[r, :len(seq)] = 1
            ids[r, p] = mask_id
        sel = torch.zeros(ids.shape, dtype=torch.bool)
        sel[torch.arange(len(batch)), torch.tensor([p for _, p, _ in batch])] = True  # one per row, row order
        logits = engine.forward_only(torch.from_numpy(ids), torch.from_numpy(att), sel)
        if logits.dim() == 3:  # a model whose head the hook does not reach
            logits = logits[sel.to(logits.device)]
        gold = torch.tensor([seq[p] for _, p, seq in batch], device=logits.device)
        logp = torch.log_softmax(logits.float(), dim=-1)[torch.arange(len(batch), device=logits.device), gold]
        logp = logp.cpu().numpy()
        for (i, _, _), lp in zip(batch, logp):
            totals[i] += lp
            counts[i] += 1
        start = end
    return [(float(t), int(c)) for t, c in zip(totals, counts)]
