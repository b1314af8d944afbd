"""An arm as the report names it, with its parameters, and the training options it carries.

``"substitute"``, ``"substitute:rate=0.3,top_k=10"`` or ``{"label": ..., "method": ..., ...}``. A spec's parameters
are of three kinds: the method's own (``rate``, ``top_k``, ...), the constraints its outputs pass (``teacher=filter``,
``min_similarity``, ``label_words``, ...) and how the learner trains on the rows it adds (``TrainOptions``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from maskaug.constraints import CONSTRAINT_OPTIONS
from maskaug.settings import CLASSIFIER_TEACHER as CLASSIFIER
from maskaug.settings import route

# Constraint keys a spec may carry (maskaug.constraints.ConstraintSpec's), e.g.
# "substitute:teacher=filter,min_similarity=0.8". The teacher is a logistic regression on sentence embeddings trained
# on each split's own training rows (teacher=soft: its probabilities label every output instead of filtering them).
# teacher=classifier (the split's own no-aug learner labels the added rows) is not a constraint but a training option.
CONSTRAINT_KEYS = (*CONSTRAINT_OPTIONS, "label_words")  # label_words=true: each split's label words kept
FINETUNE_KEYS = ("label_lr",)  # options of a conditional method's per-split MLM fine-tuning
TRAIN_KEYS = ("aug_weight", "guard")
TEACHERS = (None, "filter", "soft", CLASSIFIER)


@dataclass(frozen=True)
class TrainOptions:
    """How the learner trains on the rows an arm adds: their loss weight, whose probabilities label them, and
    whether the split's no-aug learner stands in unless the arm's scores higher on dev."""

    weight: float | None = None  # aug_weight: a generated row's loss weight (a real row's is 1)
    teacher: str | None = None  # "soft" (the split's logistic regression) or "classifier" (its no-aug learner)
    guard: str | None = None  # "dev"

    @property
    def soft(self) -> bool:
        """Whether the added rows train on a teacher's probabilities rather than their source's label."""
        return self.teacher is not None


@dataclass(frozen=True)
class ArmSpec:
    """What one row of the results table runs: the arm (``none``, ``copy``, ``consistency`` or a registered
    method) and its parameters."""

    label: str  # how the report names it
    method: str  # the arm's name: none, copy, consistency, or a registered method (eda, substitute, ...)
    params: dict[str, Any]

    @classmethod
    def parse(cls, spec: Any) -> ArmSpec:
        """``"substitute"``, ``"substitute:rate=0.3,top_k=10"`` or ``{"label":..., "method":..., ...}``."""
        if isinstance(spec, dict):
            spec = dict(spec)
            method = spec.pop("method")
            label = spec.pop("label", method)
            return cls(label, method, spec)
        from maskaug.methods.registry import split_spec

        name, params = split_spec(spec)
        return cls(str(spec), name, params)

    def _of(self, kind: str) -> dict[str, Any]:
        """The parameters, as written, of one kind (``maskaug.settings.route``): ``constraint`` (``label_words``
        too), ``training`` or ``method`` (the method's own)."""
        routed = route(self.params)
        kinds = {k: "constraint" if k in routed.constraints or k == "label_words" else
                 "training" if k in routed.training else "method" for k in self.params}
        return {k: v for k, v in self.params.items() if kinds[k] == kind}

    @property
    def method_params(self) -> dict[str, Any]:
        """The method's own parameters."""
        return self._of("method")

    @property
    def constraint_params(self) -> dict[str, Any]:
        """The constraints its outputs pass (``teacher=classifier`` is a training option, not one of them)."""
        return self._of("constraint")

    @property
    def finetune_params(self) -> dict[str, Any]:
        """Options of a conditional method's per-split MLM fine-tuning."""
        return {k: v for k, v in self._of("training").items() if k in FINETUNE_KEYS}

    @property
    def options(self) -> TrainOptions:
        """The training options, checked."""
        w = self.params.get("aug_weight")
        if "aug_weight" in self.params and (isinstance(w, bool) or not isinstance(w, (int, float)) or not 0 < w <= 1):
            raise ValueError(f"method spec {self.label!r}: aug_weight is a number in (0, 1], got {w!r}")
        teacher = self.params.get("teacher")
        if teacher not in TEACHERS:
            raise ValueError(f"method spec {self.label!r}: in evaluate, teacher is 'filter' (keep the outputs it "
                             f"labels like the source), 'soft' (train on its probabilities for every output) or "
                             f"'classifier' (train on the probabilities of the split's own no-aug classifier)")
        guard = self.params.get("guard")
        if "guard" in self.params and (guard != "dev" or self.method == "none"):
            raise ValueError(f"method spec {self.label!r}: guard=dev is the one guard (keep the no-aug classifier "
                             f"unless the augmented one scores higher on dev), for a method other than none")
        return TrainOptions(None if w is None else float(w), teacher if teacher in ("soft", CLASSIFIER) else None,
                            guard)
