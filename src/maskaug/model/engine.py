"""Batched mask filling: many texts and many masked positions per forward pass.

Sequences are sorted by length and packed under a token budget; the LM head runs only at masked
positions (:class:`~maskaug.model.masked_call.MaskedCall`); texts longer than the model's window
are cut into overlapping windows, each masked position predicted in the window where it is most
central. On CUDA out-of-memory the batch is halved and the work continues.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from maskaug.model.loading import MaskedLM
from maskaug.model.masked_call import MaskedCall

START, CONTINUATION, ANY = 0, 1, 2


@dataclass
class FillRequest:
    """Piece ids of one text (no special tokens) and the positions to predict."""

    ids: list[int]
    positions: list[int]
    kinds: list[int]  # START / CONTINUATION / ANY per position
    wordy: list[bool]  # candidate must contain a letter or digit
    prefix: tuple[int, ...] = ()  # conditioning ids placed after the special prefix (label text/token)
    type_id: int | None = None  # token type id for every position (C-BERT label embedding)


Candidates = tuple[np.ndarray, np.ndarray]  # (token ids [K], log-probabilities [K]), best first


class FillEngine:
    def __init__(self, mlm: MaskedLM, token_budget: int = 8192, max_batch: int = 256,
                 max_candidates: int = 64):
        self.mlm = mlm
        self.token_budget = token_budget
        self.max_batch = max_batch
        self.k = max_candidates
        info = mlm.info
        v = info.vocab_size
        allowed = np.zeros((3, 2, v), dtype=bool)
        ok = ~info.bad
        allowed[START] = ok & info.is_start
        allowed[CONTINUATION] = ok & ~info.is_start
        allowed[ANY] = ok
        allowed[:, 1] &= info.wordy
        bias = np.where(allowed.reshape(6, v), 0.0, -np.inf).astype(np.float32)
        self._bias = torch.from_numpy(bias).to(mlm.device)
        self._call = MaskedCall.of(mlm.model)
        self.forward_passes = 0
        self.trace: list | None = None  # set to a list to record (input_ids, attention_mask, selection)

    def forward_only(self, ids: torch.Tensor, attn: torch.Tensor, sel: torch.Tensor,
                     token_type_ids: torch.Tensor | None = None) -> torch.Tensor:
        """The model call on one prepared batch; logits at ``sel`` when the head hook applies, else all."""
        dev = self.mlm.device
        inputs = {"input_ids": ids.to(dev), "attention_mask": attn.to(dev)}
        if token_type_ids is not None:
            inputs["token_type_ids"] = token_type_ids.to(dev)
        with torch.inference_mode(), torch.autocast(dev.type, dtype=self.mlm.dtype or torch.float32,
                                                    enabled=self.mlm.dtype is not None):
            return self._call(sel.to(dev), **inputs)

    @property
    def window(self) -> int:
        info = self.mlm.info
        return self.mlm.max_length - len(info.prefix_ids) - len(info.suffix_ids)

    def _windows(self, req: FillRequest):
        """Yield (ids, local positions, request position indexes) for one request."""
        w = self.window - len(req.prefix)
        if len(req.ids) <= w:
            yield req.ids, list(req.positions), list(range(len(req.positions)))
            return
        stride = max(1, w // 2)
        starts = list(range(0, len(req.ids) - w + 1, stride))
        if starts[-1] != len(req.ids) - w:
            starts.append(len(req.ids) - w)
        groups: dict[int, list[int]] = {}
        for j, p in enumerate(req.positions):
            best = min(starts, key=lambda s: abs(s + w / 2 - p))
            groups.setdefault(best, []).append(j)
        for s, js in sorted(groups.items()):
            yield req.ids[s : s + w], [req.positions[j] - s for j in js], js

    def predict(self, requests: Sequence[FillRequest]) -> list[list[Candidates]]:
        """Top candidates for every requested position, in request order."""
        out: list[list[Candidates | None]] = [[None] * len(r.positions) for r in requests]
        seqs = []
        for ri, req in enumerate(requests):
            if not req.positions:
                continue
            n_cond = len(req.prefix)
            for ids, local, js in self._windows(req):
                codes = [req.kinds[j] * 2 + int(req.wordy[j]) for j in js]
                seqs.append((self.mlm.info.wrap(list(req.prefix) + list(ids)), [p + n_cond for p in local], ri, js,
                             codes, req.type_id))
        seqs.sort(key=lambda s: -len(s[0]))
        batch: list = []
        for seq in seqs:
            if batch and (len(batch) + 1) * len(batch[0][0]) > self.token_budget or len(batch) >= self.max_batch:
                self._run(batch, out)
                batch = []
            batch.append(seq)
        if batch:
            self._run(batch, out)
        return out  # type: ignore[return-value]

    def _run(self, batch, out) -> None:
        try:
            self._forward(batch, out)
        except torch.cuda.OutOfMemoryError:
            if len(batch) == 1:
                raise
            torch.cuda.empty_cache()
            half = len(batch) // 2
            self._run(batch[:half], out)
            self._run(batch[half:], out)

    @torch.inference_mode()
    def _forward(self, batch, out) -> None:
        mlm, info = self.mlm, self.mlm.info
        n_pre = len(info.prefix_ids)
        lengths = np.array([len(s[0]) for s in batch])
        ids_np = np.full((len(batch), int(lengths.max())), info.pad_id, dtype=np.int64)
        for b, seq in enumerate(batch):
            ids_np[b, : lengths[b]] = seq[0]
        attn = torch.from_numpy((np.arange(ids_np.shape[1]) < lengths[:, None]).astype(np.int64))
        types = None
        if any(s[5] is not None for s in batch):
            types = torch.from_numpy(np.array([[s[5] or 0] for s in batch], dtype=np.int64) * attn.numpy())
        ids = torch.from_numpy(ids_np)
        # masked positions in row-major order, matching boolean indexing
        rows, cols, order, codes = [], [], [], []
        for b, (_seq, local, ri, js, c, _t) in enumerate(batch):
            for p, j, code in sorted(zip(local, js, c)):
                rows.append(b)
                cols.append(p + n_pre)
                order.append((ri, j))
                codes.append(code)
        sel = torch.zeros(ids.shape, dtype=torch.bool)
        sel[rows, cols] = True
        dev = mlm.device
        if self.trace is not None:
            self.trace.append((ids, attn, sel))
        sel_dev = sel.to(dev)
        logits = self.forward_only(ids, attn, sel_dev, types)
        self.forward_passes += 1
        if logits.dim() == 3:
            logits = logits[sel_dev]
        logits = logits[:, : self._bias.shape[1]].float()
        codes_t = torch.tensor(codes, device=dev)
        for c in codes_t.unique().tolist():  # in place, one vocabulary mask per slot kind
            rows = (codes_t == c).nonzero().squeeze(1)
            if len(rows) == len(codes_t):
                logits += self._bias[c]
            else:
                logits.index_copy_(0, rows, logits.index_select(0, rows) + self._bias[c])
        k = min(self.k, logits.shape[-1])
        top = logits.topk(k, dim=-1)
        logp = top.values - torch.logsumexp(logits, dim=-1, keepdim=True)
        vals = np.round(logp.cpu().numpy().astype(np.float64), 4)
        idx = top.indices.cpu().numpy()
        for row, (ri, j) in enumerate(order):
            keep = np.isfinite(vals[row])
            out[ri][j] = (idx[row][keep], vals[row][keep])
