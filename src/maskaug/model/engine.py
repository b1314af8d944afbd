"""Batched mask filling: many texts and many masked positions per forward pass.

Sequences are sorted by length and packed under a token budget (``pack``); the
backend computes logits only at masked positions (``maskaug.model.backend``); texts longer than the
model's window are cut into overlapping windows, each masked position predicted in the window where it is
most central. Candidates are the best pieces of the kind a slot allows (word-initial, continuation, any;
optionally with a letter or digit), with log-probabilities rounded to 4 decimals.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from maskaug.model.batching import Batch, pack
from maskaug.model.loading import MaskedLM
from maskaug.model.vocab import ANY, CONTINUATION, START

__all__ = ["ANY", "CONTINUATION", "START", "Candidates", "FillEngine", "FillRequest"]


@dataclass
class FillRequest:
    """Piece ids of one text (no special tokens) and the positions to predict."""

    ids: list[int]
    positions: list[int]
    kinds: list[int]  # START / CONTINUATION / ANY per position
    wordy: list[bool]  # candidate must contain a letter or digit
    prefix: tuple[int, ...] = ()  # conditioning ids placed after the special prefix (label text/token)
    label_id: int | None = None  # the row's label as a model input (C-BERT)


Candidates = tuple[np.ndarray, np.ndarray]  # (token ids [K], log-probabilities [K]), best first


def request_key(req: FillRequest) -> tuple:
    """Everything that decides a request's answer: equal keys, equal candidates."""
    return (tuple(req.ids), tuple(req.positions), tuple(req.kinds), tuple(req.wordy), tuple(req.prefix),
            req.label_id)


class FillEngine:
    """Top candidates at masked positions of many requests, in length-sorted batches under a token budget."""

    def __init__(self, mlm: MaskedLM, token_budget: int = 8192, max_batch: int = 256,
                 max_candidates: int = 64):
        if token_budget < 1:
            raise ValueError(f"token_budget must be >= 1, not {token_budget}")
        self.mlm = mlm
        self.backend = mlm.backend
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
        self.forward_passes = 0
        self.trace: list[Batch] | None = None  # set to a list to record every batch run
        self._memo: OrderedDict[tuple, list[Candidates]] = OrderedDict()  # predict(remember=True)'s answers

    def __repr__(self) -> str:
        return f"FillEngine({self.backend!r}, token_budget={self.token_budget}, max_batch={self.max_batch})"

    @property
    def window(self) -> int:
        """The slice of a long sequence that the model reads around ``positions`` (overlapping windows)."""
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

    MEMO_SIZE = 16384  # requests remembered by predict(remember=True), least recently used dropped first

    def predict(self, requests: Sequence[FillRequest],
                remember: bool | Sequence[bool] = False) -> list[list[Candidates]]:
        """Top candidates for every requested position, in request order. ``remember``: answer a request seen
        before (same ids, positions, kinds and conditioning) from memory instead of the model, and remember the
        new ones: for callers that ask the same question again (each slot of an unchanged text masked alone, on
        every attempt and every copy of a row). Log-probabilities are rounded, so an answer does not depend on
        the batch it came from; a remembered request asked twice in one call runs once. A sequence of flags says
        it per request."""
        out: list[list[Candidates | None]] = [[None] * len(r.positions) for r in requests]
        flags = [remember] * len(requests) if isinstance(remember, bool) else list(remember)
        if len(flags) != len(requests):
            raise ValueError(f"remember has {len(flags)} flags for {len(requests)} requests")
        keys = [request_key(r) if flag else None for r, flag in zip(requests, flags)]
        seqs = []
        first: dict[tuple, int] = {}  # a remembered request's first index in this call
        repeats: list[tuple[int, int]] = []  # (request, the earlier one it repeats)
        for ri, req in enumerate(requests):
            if not req.positions:
                continue
            if flags[ri] and keys[ri] in self._memo:
                self._memo.move_to_end(keys[ri])
                out[ri] = list(self._memo[keys[ri]])
                continue
            if flags[ri]:
                if keys[ri] in first:
                    repeats.append((ri, first[keys[ri]]))
                    continue
                first[keys[ri]] = ri
            n_cond = len(req.prefix)
            for ids, local, js in self._windows(req):
                codes = [req.kinds[j] * 2 + int(req.wordy[j]) for j in js]
                seqs.append((self.mlm.info.wrap(list(req.prefix) + list(ids)), [p + n_cond for p in local], ri, js,
                             codes, req.label_id))
        for group in pack([len(s[0]) for s in seqs], self.token_budget, self.max_batch):
            self._forward([seqs[i] for i in group], out)
        for ri, earlier in repeats:
            out[ri] = list(out[earlier])  # type: ignore[arg-type]
        if any(flags):
            for ri in sorted({s[2] for s in seqs if flags[s[2]]}):
                self._memo[keys[ri]] = list(out[ri])  # type: ignore[arg-type]
            while len(self._memo) > self.MEMO_SIZE:
                self._memo.popitem(last=False)
        return out  # type: ignore[return-value]

    def _forward(self, batch, out) -> None:
        info = self.mlm.info
        n_pre = len(info.prefix_ids)
        positions, order, codes = [], [], []
        for _seq, local, ri, js, c, _label in batch:  # positions in row-major order, as the backend returns them
            mine = sorted(zip(local, js, c))
            positions.append([p + n_pre for p, _, _ in mine])
            order += [(ri, j) for _, j, _ in mine]
            codes += [code for _, _, code in mine]
        labels = [s[5] or 0 for s in batch] if any(s[5] is not None for s in batch) else None
        prepared = Batch.pad([s[0] for s in batch], info.pad_id, positions, labels)
        if self.trace is not None:
            self.trace.append(prepared)
        with torch.inference_mode():
            logits = self.backend.logits(prepared)
            self.forward_passes += 1
            dev = logits.device
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
