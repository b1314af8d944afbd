"""Length-sorted packing under a token budget, and padding into one ``Batch`` (shared by every model call:
mask filling, pseudo-log-likelihood, masked-token accuracy)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch


def pack(lengths: Sequence[int], token_budget: int, max_rows: int | None = None,
         longest_first: bool = True) -> list[list[int]]:
    """Group item indexes into batches of similar length.

    Items are sorted by length (stably; longest first unless ``longest_first=False``) and cut into runs whose
    padded size, rows × longest row, stays within ``token_budget`` and whose row count stays within
    ``max_rows``. An item longer than the budget gets a batch of its own.
    """
    order = sorted(range(len(lengths)), key=lambda i: -lengths[i] if longest_first else lengths[i])
    groups: list[list[int]] = []
    batch: list[int] = []
    longest = 0
    for i in order:
        wide = max(longest, lengths[i])
        if batch and ((len(batch) + 1) * wide > token_budget or (max_rows is not None and len(batch) >= max_rows)):
            groups.append(batch)
            batch, wide = [], lengths[i]
        batch.append(i)
        longest = wide
    if batch:
        groups.append(batch)
    return groups


@dataclass
class Batch:
    """One padded batch for a masked LM: what the model reads and where its logits are wanted.

    ``select`` marks the positions whose logits come back, in row-major order. ``labels`` (one per row) is the
    row's conditioning label for a label-conditioned model (C-BERT); the backend decides how the model takes it.
    """

    input_ids: torch.Tensor  # [B, L] int64
    attention_mask: torch.Tensor  # [B, L] int64
    select: torch.Tensor  # [B, L] bool
    labels: torch.Tensor | None = None  # [B] int64

    @property
    def rows(self) -> int:
        """The indexes of the requests in this batch."""
        return int(self.input_ids.shape[0])

    @classmethod
    def pad(cls, seqs: Sequence[Sequence[int]], pad_id: int, positions: Sequence[Sequence[int]],
            labels: Sequence[int] | None = None) -> Batch:
        """Right-pad ``seqs`` with ``pad_id``; ``positions[b]`` are the selected positions of row ``b``."""
        lengths = np.array([len(s) for s in seqs])
        ids = np.full((len(seqs), int(lengths.max())), pad_id, dtype=np.int64)
        for b, seq in enumerate(seqs):
            ids[b, : lengths[b]] = seq
        attn = (np.arange(ids.shape[1]) < lengths[:, None]).astype(np.int64)
        sel = np.zeros(ids.shape, dtype=bool)
        rows = [b for b, ps in enumerate(positions) for _ in ps]
        cols = [p for ps in positions for p in ps]
        sel[rows, cols] = True
        lab = torch.from_numpy(np.asarray(labels, dtype=np.int64)) if labels is not None else None
        return cls(torch.from_numpy(ids), torch.from_numpy(attn), torch.from_numpy(sel), lab)

    def split(self) -> tuple[Batch, Batch]:
        """The first and second half of the rows, each trimmed to its own longest row."""
        half = self.rows // 2
        return self._rows(slice(0, half)), self._rows(slice(half, self.rows))

    def _rows(self, rows: slice) -> Batch:
        attn = self.attention_mask[rows]
        width = int(attn.sum(1).max())
        return Batch(self.input_ids[rows, :width], attn[:, :width], self.select[rows, :width],
                     self.labels[rows] if self.labels is not None else None)
