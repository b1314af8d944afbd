"""Constraints on candidate outputs (TextAttack's split: generate, then constrain, then choose).

Each constraint looks at a batch of (source texts, candidate texts, source label) and keeps or
rejects each candidate, counting its rejections. The ``Augmenter`` retries
rejected copies with fresh randomness, so the exact-n contract holds or the shortfall is reported.

- ``EditRate``: word-level edit distance / source length within ``[low, high]``.
- ``Similarity``: cosine of sentence embeddings (MiniLM package by default) >= ``threshold``.
- ``Fluency``: per-token pseudo-log-likelihood under the MLM no more than ``max_drop`` below the
  source's.
- ``Teacher``: a classifier (logistic regression on sentence embeddings trained on the labelled
  rows, or a supplied 🤗 sequence-classification folder); ``mode="filter"`` keeps outputs it labels
  like the source, ``"hard"``/``"soft"`` keep all and attach its label or probabilities (SSMBA's option).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np

from maskaug.metrics import edit_rate


@dataclass
class Candidates:
    """One batch: per candidate its source text, its text, the source's label, and what gets attached."""

    sources: list[str]
    texts: list[str]
    labels: list[Any]
    attach: list[dict[str, Any]] = field(default_factory=list)


class Constraint:
    """A check on candidate outputs; counts what it checked and rejected. Subclasses define ``keep``."""

    name = "constraint"
    per_field = True  # checks each text field on its own; False: judges a record's texts together

    def __init__(self) -> None:
        self.rejected = 0
        self.checked = 0

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._settings()})"

    def _settings(self) -> str:
        return ""

    def keep(self, batch: Candidates, mlm) -> np.ndarray:  # pragma: no cover - interface
        """Which candidates of ``batch`` to keep (a boolean per candidate); ``mlm`` scores fluency."""
        raise NotImplementedError

    def __call__(self, batch: Candidates, mlm) -> np.ndarray:
        ok = np.asarray(self.keep(batch, mlm), dtype=bool)
        self.checked += len(ok)
        self.rejected += int((~ok).sum())
        return ok


class EditRate(Constraint):
    """Word edit distance / source words within ``[low, high]``."""

    name = "edit_rate"

    def __init__(self, low: float = 0.0, high: float = 1.0):
        super().__init__()
        self.low, self.high = low, high

    def _settings(self) -> str:
        return f"{self.low:g} <= words edited / words <= {self.high:g}"

    def keep(self, batch, mlm):
        rates = np.array([edit_rate(s, t) for s, t in zip(batch.sources, batch.texts)])
        return (rates >= self.low) & (rates <= self.high)


class Similarity(Constraint):
    """Cosine of sentence embeddings to the source at least ``threshold``."""

    name = "similarity"

    def __init__(self, threshold: float = 0.8, encoder: str | None = None, embedder=None):
        super().__init__()
        from maskaug.embeddings import Embedder

        self.threshold = threshold
        self.embedder = embedder or Embedder(encoder)

    def _settings(self) -> str:
        return f"cosine >= {self.threshold:g}"

    def keep(self, batch, mlm):
        a, b = self.embedder(batch.sources), self.embedder(batch.texts)
        return (a * b).sum(1) >= self.threshold


class Fluency(Constraint):
    """Per-token pseudo-log-likelihood under the MLM at most ``max_drop`` below the source's."""

    name = "fluency"

    def __init__(self, max_drop: float = 1.0):
        super().__init__()
        self.max_drop = max_drop
        self._cache: dict[str, float] = {}

    def _settings(self) -> str:
        return f"per-token PLL drop <= {self.max_drop:g}"

    def per_token(self, texts: Sequence[str], mlm) -> np.ndarray:
        """Pseudo-log-likelihood per token of each text under ``mlm`` (cached by text)."""
        from maskaug.model.pll import pseudo_log_likelihood

        if len(self._cache) > 50_000:  # the sources of earlier chunks: bounded memory on long inputs
            self._cache.clear()
        todo = sorted(set(texts) - set(self._cache))
        for t, (pll, n) in zip(todo, pseudo_log_likelihood(mlm, todo) if todo else []):
            self._cache[t] = pll / max(n, 1)
        return np.array([self._cache[t] for t in texts])

    def keep(self, batch, mlm):
        if mlm is None:
            raise ValueError("the fluency constraint needs the method's masked LM")
        return self.per_token(batch.texts, mlm) >= self.per_token(batch.sources, mlm) - self.max_drop


class Teacher(Constraint):
    """A classifier's view of each candidate. A record with two texts (a sentence pair) is judged as the pair:
    the logistic regression reads InferSent-style features ``[u, v, |u - v|, u * v]`` of the two sentence
    embeddings; a 🤗 classifier reads the two texts as its tokenizer's text pair."""

    name = "teacher"
    per_field = False
    MODES = ("filter", "hard", "soft")

    def __init__(self, texts: Sequence[str] | None = None, labels: Sequence[Any] | None = None,
                 model: str | None = None, mode: str = "filter", encoder: str | None = None, embedder=None,
                 min_confidence: float | None = None):
        super().__init__()
        if mode not in self.MODES:
            raise ValueError(f"teacher mode must be one of {self.MODES}, not {mode!r}")
        if min_confidence is not None and not 0 < min_confidence <= 1:
            raise ValueError(f"the teacher's minimum confidence is a probability in (0, 1], not {min_confidence!r}")
        self.mode, self.min_confidence = mode, min_confidence
        if model is not None:
            from transformers import AutoModelForSequenceClassification, AutoTokenizer

            self.tokenizer = AutoTokenizer.from_pretrained(model)
            self.net = AutoModelForSequenceClassification.from_pretrained(model).eval()
            self.classes = [str(self.net.config.id2label[i]) for i in range(self.net.config.num_labels)]
            self.clf = None
        else:
            if texts is None or labels is None:
                raise ValueError("a teacher needs labelled texts to train on, or a classifier folder")
            from sklearn.linear_model import LogisticRegression

            from maskaug.embeddings import Embedder

            self.embedder = embedder or Embedder(encoder)
            self.classes = sorted({str(y) for y in labels})
            if len(self.classes) < 2:
                raise ValueError("a teacher needs at least two labels in its training data")
            y = [self.classes.index(str(v)) for v in labels]
            self.clf = LogisticRegression(C=10.0, max_iter=2000).fit(self.features(list(texts)), y)

    def _settings(self) -> str:
        where = "logistic regression on sentence embeddings" if self.clf is not None else "classifier folder"
        least = f", min_confidence={self.min_confidence:g}" if self.min_confidence is not None else ""
        return f"{where}, mode={self.mode}{least}, classes={self.classes}"

    @property
    def reads_labels(self) -> bool:
        """Whether it compares each candidate with its row's label (filter); hard and soft modes label it."""
        return self.mode == "filter"

    def features(self, texts: Sequence[str | tuple[str, ...]]) -> np.ndarray:
        """Sentence embeddings of single texts; ``[u, v, |u - v|, u * v]`` for pairs."""
        return self.embedder.features(texts)

    def probabilities(self, texts: Sequence[str | tuple[str, ...]]) -> np.ndarray:
        """The teacher's class probabilities for each text (a row per text, columns by class)."""
        if self.clf is not None:
            return self.clf.predict_proba(self.features(list(texts)))
        import torch

        with torch.inference_mode():
            pairs = bool(texts) and not isinstance(texts[0], str)
            args = ([t[0] for t in texts], [t[1] for t in texts]) if pairs else (list(texts),)
            enc = self.tokenizer(*args, truncation=True, padding=True, return_tensors="pt")
            return torch.softmax(self.net(**enc).logits.float(), -1).numpy()

    def soft_labels(self, texts: Sequence[str | tuple[str, ...]],
                    probs: np.ndarray | None = None) -> list[dict[str, float]]:
        """Each text's class probabilities by class name, to four decimals (what ``mode="soft"`` attaches)."""
        probs = self.probabilities(texts) if probs is None else probs
        return [{c: round(float(v), 4) for c, v in zip(self.classes, row)} for row in probs]

    def keep(self, batch, mlm):
        probs = self.probabilities(batch.texts)
        pred = [self.classes[i] for i in probs.argmax(1)]
        confidence = probs.max(1)
        sure = (confidence >= self.min_confidence if self.min_confidence is not None
                else np.ones(len(pred), dtype=bool))
        if self.mode == "filter":
            return sure & np.array([p == str(y) for p, y in zip(pred, batch.labels)], dtype=bool)
        soft = self.soft_labels(batch.texts, probs) if self.mode == "soft" else [None] * len(pred)
        for extra, p, c, row in zip(batch.attach, pred, confidence, soft):
            extra["teacher_label"] = p
            if self.min_confidence is not None:
                extra["teacher_confidence"] = round(float(c), 4)
            if row is not None:
                extra["teacher_probs"] = row
        return sure


@dataclass(frozen=True)
class ConstraintSpec:
    """The one vocabulary of the constraints: what ``--teacher``, ``--min-similarity``, ... and the same keywords of
    ``augment_file``, ``augment``, Ray and evaluate method specs ask for (``maskaug.settings.route`` sends them
    here). ``build`` turns it into constraints.

    Args:
        min_edit_rate: Word edit distance over source words, at least.
        max_edit_rate: Word edit distance over source words, at most.
        min_similarity: Cosine of MiniLM sentence embeddings to the source, at least.
        max_fluency_drop: Largest drop in per-token pseudo-log-likelihood against the source.
        teacher: ``"train"`` (a logistic regression on the input's labels), a classifier folder, or a file of
            labelled rows (a logistic regression on them: pseudo-labels for unlabelled input).
        teacher_mode: ``filter`` (keep outputs the teacher labels like the source), ``hard`` or ``soft`` (keep
            all, attach its label or probabilities).
        min_confidence: The teacher rejects candidates whose top class probability is lower.
    """

    min_edit_rate: float | None = None
    max_edit_rate: float | None = None
    min_similarity: float | None = None
    max_fluency_drop: float | None = None
    teacher: str | None = None  # "train" (logistic regression on the input's labels), a classifier folder, or a
    # file of labelled rows (a logistic regression on them: pseudo-labels for unlabelled input)
    teacher_mode: str = "filter"
    min_confidence: float | None = None  # the teacher rejects candidates whose top probability is lower

    @classmethod
    def from_options(cls, options: dict[str, Any]) -> ConstraintSpec:
        """The spec of keyword ``options`` (its field names), checked. ``teacher`` may also name a mode
        (``teacher="soft"``: trained on the rows being augmented, in that mode), as evaluate's specs write it."""
        options = dict(options)
        unknown = sorted(set(options) - {f.name for f in fields(cls)})
        if unknown:
            raise ValueError(f"no constraint option(s) {unknown}; they are {[f.name for f in fields(cls)]}")
        if options.get("teacher") in Teacher.MODES:
            mode = options["teacher"]
            if options.get("teacher_mode", mode) != mode:
                raise ValueError(f"teacher={mode} is a teacher trained on the rows in mode {mode}; "
                                 f"teacher_mode={options['teacher_mode']} says another")
            options.update(teacher="train", teacher_mode=mode)
        spec = cls(**options)
        spec.check()
        return spec

    def names(self) -> list[str]:
        """The names of the constraints these options turn on."""
        out = []
        if self.min_edit_rate is not None or self.max_edit_rate is not None:
            out.append("edit_rate")
        if self.min_similarity is not None:
            out.append("similarity")
        if self.max_fluency_drop is not None:
            out.append("fluency")
        if self.teacher:
            out.append("teacher")
        return out

    def check(self) -> None:
        """Every value in range, or a ValueError naming the flag."""
        for flag, v in (("--min-edit-rate", self.min_edit_rate), ("--max-edit-rate", self.max_edit_rate)):
            if v is not None and not (isinstance(v, (int, float)) and 0 <= v and math.isfinite(v)):
                raise ValueError(f"{flag} must be a number >= 0, not {v!r}")
        if self.min_similarity is not None and not -1 <= self.min_similarity <= 1:
            raise ValueError(f"--min-similarity is a cosine in [-1, 1], not {self.min_similarity}")
        if self.max_fluency_drop is not None and not (self.max_fluency_drop >= 0):
            raise ValueError(f"--max-fluency-drop must be >= 0, not {self.max_fluency_drop}")
        if self.teacher_mode not in Teacher.MODES:
            raise ValueError(f"--teacher-mode must be filter, hard or soft, not {self.teacher_mode!r}")
        if self.teacher and self.teacher != "train" and not Path(self.teacher).exists():
            raise ValueError(f"--teacher {self.teacher}: no such classifier folder or file of labelled rows")
        if self.min_confidence is not None:
            if not self.teacher:
                raise ValueError("--min-confidence is the teacher's: add --teacher")
            if isinstance(self.min_confidence, bool) or not 0 < self.min_confidence <= 1:
                raise ValueError(f"--min-confidence is a probability in (0, 1], not {self.min_confidence!r}")

    @property
    def teacher_file(self) -> bool:
        """Whether the teacher is trained on a file of labelled rows (not the input's, not a classifier)."""
        return bool(self.teacher) and self.teacher != "train" and Path(self.teacher).is_file()

    @property
    def teacher_reads_input_labels(self) -> bool:
        """Whether the teacher needs the input rows' labels: trained on them, or filtering by them."""
        return self.teacher == "train" or (bool(self.teacher) and self.teacher_mode == "filter")


CONSTRAINT_OPTIONS = tuple(f.name for f in fields(ConstraintSpec))  # the keywords route() sends to ConstraintSpec


def build(spec: ConstraintSpec | None = None, texts: Sequence[str] | None = None,
          labels: Sequence[Any] | None = None, embedder=None, **options: Any) -> list[Constraint]:
    """The constraints ``spec`` asks for (or keyword ``options``, read by ``ConstraintSpec.from_options``),
    cheapest first. A teacher ``"train"`` is a logistic regression on ``texts``/``labels``; a folder, a 🤗
    sequence-classification model."""
    if spec is None:
        spec = ConstraintSpec.from_options(options)
    elif options:
        raise TypeError("build() takes a ConstraintSpec or its options as keywords, not both")
    out: list[Constraint] = []
    if spec.min_edit_rate is not None or spec.max_edit_rate is not None:
        out.append(EditRate(spec.min_edit_rate or 0.0, spec.max_edit_rate if spec.max_edit_rate is not None
                            else math.inf))
    if spec.min_similarity is not None:
        out.append(Similarity(spec.min_similarity, embedder=embedder))
    if spec.max_fluency_drop is not None:
        out.append(Fluency(spec.max_fluency_drop))
    if spec.teacher == "train":
        out.append(Teacher(texts, labels, mode=spec.teacher_mode, embedder=embedder,
                           min_confidence=spec.min_confidence))
    elif spec.teacher:
        out.append(Teacher(model=spec.teacher, mode=spec.teacher_mode, min_confidence=spec.min_confidence))
    return out
