"""The choice stage (TextAttack's third part): among several candidates for one output, keep the best.

With ``Augmenter(..., choose=K, scorer=...)`` every output draws K candidates in the same batched pass; the
constraints filter them, and the scorer picks the best of those left (ties: the first drawn). Scorers read a
batch of ``Candidates`` (a pair as the pair) and return one number per candidate,
higher is better:

- ``TeacherScore``: the teacher's probability of the source row's label;
- ``SimilarityScore``: cosine of sentence embeddings to the source (for a pair, the mean per sentence);
- ``FluencyScore``: per-token pseudo-log-likelihood of the candidate minus the source's;
- ``Mix``: a weighted sum of scorers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np


class Scorer:
    """How much a candidate is worth; subclasses define ``__call__``."""

    name = "scorer"

    def __call__(self, batch, mlm) -> np.ndarray:  # pragma: no cover - interface
        raise NotImplementedError

    def __repr__(self) -> str:
        return type(self).__name__


def _text(t: str | tuple[str, ...]) -> str:
    return t if isinstance(t, str) else " ".join(t)


class TeacherScore(Scorer):
    """The teacher's probability of the source label (a ``Teacher``)."""

    name = "teacher"

    def __init__(self, teacher):
        self.teacher = teacher

    def __call__(self, batch, mlm) -> np.ndarray:
        probs = self.teacher.probabilities(batch.texts)
        index = {c: i for i, c in enumerate(self.teacher.classes)}
        return np.array([probs[j, index[str(y)]] if str(y) in index else 0.0 for j, y in enumerate(batch.labels)])


class SimilarityScore(Scorer):
    """Cosine of MiniLM sentence embeddings to the source (mean over the sentences of a pair)."""

    name = "similarity"

    def __init__(self, encoder: str | None = None, embedder=None):
        from maskaug.embeddings import Embedder

        self.embedder = embedder or Embedder(encoder)

    def __call__(self, batch, mlm) -> np.ndarray:
        parts = [(batch.sources, batch.texts)] if not batch.texts or isinstance(batch.texts[0], str) else [
            ([s[f] for s in batch.sources], [t[f] for t in batch.texts]) for f in range(len(batch.texts[0]))]
        return np.mean([(self.embedder(list(a)) * self.embedder(list(b))).sum(1) for a, b in parts], axis=0)


class FluencyScore(Scorer):
    """Per-token pseudo-log-likelihood under the method's MLM, candidate minus source (0: as fluent)."""

    name = "fluency"

    def __init__(self):
        from maskaug.constraints import Fluency

        self._pll = Fluency()

    def __call__(self, batch, mlm) -> np.ndarray:
        cand = self._pll.per_token([_text(t) for t in batch.texts], mlm)
        return cand - self._pll.per_token([_text(s) for s in batch.sources], mlm)


class Mix(Scorer):
    """``sum(weight * scorer)``: e.g. ``Mix([(1.0, TeacherScore(t)), (0.5, SimilarityScore())])``."""

    name = "mix"

    def __init__(self, parts: Sequence[tuple[float, Scorer]]):
        if not parts:
            raise ValueError("a mix needs at least one scorer")
        self.parts = list(parts)

    def __repr__(self) -> str:
        return "Mix(" + " + ".join(f"{w:g}*{s!r}" for w, s in self.parts) + ")"

    def __call__(self, batch, mlm) -> np.ndarray:
        return sum(w * np.asarray(s(batch, mlm), dtype=float) for w, s in self.parts)


def build(spec: str, teacher: Any = None, embedder: Any = None) -> Scorer:
    """A scorer from ``teacher``, ``similarity``, ``fluency`` or ``name=weight,name=weight`` (a mix)."""
    def one(name: str) -> Scorer:
        if name == "teacher":
            if teacher is None:
                raise ValueError("--choose-by teacher needs labels to train the teacher on (--label-column)")
            return TeacherScore(teacher)
        if name == "similarity":
            return SimilarityScore(embedder=embedder)
        if name == "fluency":
            return FluencyScore()
        raise ValueError(f"unknown scorer {name!r}; use teacher, similarity, fluency or NAME=WEIGHT,...")

    if "=" not in spec:
        return one(spec.strip())
    parts = []
    for item in spec.split(","):
        name, _, weight = item.partition("=")
        try:
            parts.append((float(weight), one(name.strip())))
        except ValueError as exc:
            raise ValueError(f"--choose-by {spec!r}: {exc}") from None
    return Mix(parts)
