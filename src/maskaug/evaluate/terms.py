"""Loss terms an arm attaches to a fine-tuned learner (``learner.with_terms(term)``): each adds to every training
batch's loss, and its settings join the learner's identity in the store.

- ``FunctionTerm``: a term with no state of its own (an arm's ``loss``: the masked consistency term, ...);
- ``UdaTerm``: ``ratio`` unlabelled rows per labelled row, whose sharpened prediction teaches the prediction on
  their view (UDA, Xie et al. 2020); it reads the run's unlabelled rows and reports the share past its mask.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from maskaug.evaluate.learning import BoundTerm, EncoderLearner, LossTerm

if TYPE_CHECKING:
    from maskaug.training.uda import UdaSettings


@dataclass(frozen=True)
class FunctionTerm(LossTerm):
    """A term with no state of its own: ``fn(model, encoding, learner)``, known by ``key`` and ``values`` (what
    decides it). An arm that trains with one more loss term attaches one (``arms.TermArm``)."""

    key: str
    values: tuple
    fn: Callable[[Any, Any, EncoderLearner], Any] = field(compare=False)

    def settings(self) -> list:
        return list(self.values)

    def loss(self, model, enc, learner: EncoderLearner):
        return self.fn(model, enc, learner)


@dataclass(frozen=True)
class UdaTerm(LossTerm):
    """UDA's unlabelled term with these (checked) settings."""

    uda: UdaSettings
    key = "uda"
    reads_unlabelled = True

    def settings(self) -> list:
        return [self.uda.weight, self.uda.ratio, self.uda.temperature, self.uda.threshold]

    def bind(self, learner: EncoderLearner, seed: int, unlabelled: tuple[list, list[list]]) -> BoundTerm:
        return _Uda(self.uda, learner, seed, *unlabelled)


class _Uda(BoundTerm):
    """Per batch: draws unlabelled rows and one view of each from its own stream (the labelled batches stay the
    no-aug run's), and counts the rows past the confidence mask."""

    def __init__(self, uda: UdaSettings, learner: EncoderLearner, seed: int, texts: list, views: list[list]):
        super().__init__()
        self.uda, self.learner, self.texts, self.views = uda, learner, texts, views
        self.rng = np.random.default_rng([seed, 5])
        self.seen = self.passed = 0

    def __call__(self, model, enc, rows: int):
        import torch

        from maskaug.training.uda import uda_loss

        if not self.texts:
            return None
        want = self.uda.ratio * rows
        pick = self.rng.choice(len(self.texts), size=want, replace=len(self.texts) < want)
        views = [self.views[i][int(self.rng.integers(len(self.views[i])))] if self.views[i] else self.texts[i]
                 for i in pick]
        with torch.no_grad():  # in training mode: dropout is part of the noise (view=none)
            original = model(**self.learner.encode([self.texts[i] for i in pick])).logits
        term, passed = uda_loss(original, model(**self.learner.encode(views)).logits, self.uda.temperature,
                                self.uda.threshold)
        self.seen, self.passed = self.seen + len(pick), self.passed + int(passed.sum())
        return self.uda.weight * term

    def info(self) -> dict[str, Any]:
        return {"unlabelled_pass_rate": self.passed / self.seen if self.seen else 0.0}
