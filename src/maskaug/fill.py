"""Choosing a fill among the MLM's candidates: argmax, k-th best, top-k / top-p / temperature sampling."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from maskaug.text import normalize

STRATEGIES = ("sample", "argmax", "rank")
__all__ = ["STRATEGIES", "Sampler", "normalize"]


@dataclass(frozen=True)
class Sampler:
    """Pick one candidate.

    ``sample``: draw from the candidates' distribution after ``temperature``, ``top_k`` and
    ``top_p`` (nucleus) truncation. ``argmax``: the best. ``rank``: the ``rank``-th best (2 = the
    second best, as C-BERT and MELM use). Candidates rejected by ``reject`` (the original word,
    empty or broken surfaces) are removed first, so ``argmax`` is the best *new* word.
    """

    strategy: str = "sample"
    top_k: int | None = 20
    top_p: float | None = None
    temperature: float = 1.0
    rank: int = 2

    def __post_init__(self) -> None:
        if self.strategy not in STRATEGIES:
            raise ValueError(f"strategy must be one of {STRATEGIES}, not {self.strategy!r}")
        if self.temperature <= 0:
            raise ValueError("temperature must be > 0")
        if self.top_p is not None and not 0 < self.top_p <= 1:
            raise ValueError("top_p must be in (0, 1]")
        if self.top_k is not None and self.top_k < 1:
            raise ValueError("top_k must be >= 1")

    def __repr__(self) -> str:
        if self.strategy == "argmax":
            return "Sampler(argmax)"
        if self.strategy == "rank":
            return f"Sampler(rank={self.rank})"
        parts = ["sample", f"top_k={self.top_k}"]
        if self.top_p is not None:
            parts.append(f"top_p={self.top_p:g}")
        parts.append(f"temperature={self.temperature:g}")
        return f"Sampler({', '.join(parts)})"

    def choose(self, ids: np.ndarray, logprobs: np.ndarray, rng: np.random.Generator,
               reject: Callable[[int], bool] = lambda _id: False) -> int | None:
        """Index into ``ids`` of the chosen candidate, or None when nothing acceptable is left."""
        need = {"argmax": 1, "rank": self.rank}.get(self.strategy, self.top_k or len(ids))
        keep: list[int] = []
        for j in range(len(ids)):  # only as many candidates as the strategy can use
            if not reject(int(ids[j])):
                keep.append(j)
                if len(keep) >= need:
                    break
        if not keep:
            return None
        if self.strategy == "argmax":
            return keep[0]
        if self.strategy == "rank":
            return keep[min(self.rank, len(keep)) - 1]
        if self.top_k is not None:
            keep = keep[: self.top_k]
        lp = logprobs[keep] / self.temperature
        p = np.exp(lp - lp.max())
        p /= p.sum()
        if self.top_p is not None:
            cut = int(np.searchsorted(np.cumsum(p), self.top_p) + 1)
            keep, p = keep[:cut], p[:cut] / p[:cut].sum()
        return keep[int(rng.choice(len(keep), p=p))]
