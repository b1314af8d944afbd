"""What every arm is, and what it may use of the evaluation it runs in.

An arm sees a ``Context`` (the store, the MLM, the sentence embedder, the protocol, the unlabelled pool, the splits,
and learner runs kept in the store), never the evaluation itself; and per split a ``SplitRun`` (the split, its
rows, the arm's added rows, the protocol's learner, dev and test).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from maskaug.evaluate.data import Dataset, Unlabelled
    from maskaug.evaluate.spec import ArmSpec
    from maskaug.evaluate.splits import Split
    from maskaug.evaluate.store import ModelRef, Store

ROLES = ("control", "baseline", "method")  # how a report shows an arm: a control, an outside baseline, maskaug's
# The arms every other arm is compared with, in this order; a plain arm of the class that serves one is it, and is
# itself compared only with those before it. The names are the keys of the comparisons: vs_none, vs_copy, vs_eda.
REFERENCES = ("none", "copy", "eda")


@dataclass
class Context:
    """What an arm may use of the evaluation it runs in."""

    store: Store
    model: ModelRef  # the MLM the methods fill with
    embedder: Any  # the sentence embedder (teachers, quality)
    protocol: Any  # the protocol: its settings (``cfg``), record type, fields and augmentation seeds
    unlabelled: Unlabelled | None  # the unlabelled pool, when the evaluation has one
    splits: dict[int, list[Split]]  # each training size's splits

    def learn(self, learner, train: tuple[list, list], dev: tuple[list, list] | None, test: tuple[list, list],
              seed: int, weights: list[float] | None = None, score: list | None = None,
              unlabelled: tuple[list, list] | None = None) -> dict[str, Any]:
        """One learner run, kept in the store by everything it depends on (``artefacts.learner_run``)."""
        from maskaug.evaluate.artefacts import learner_run

        return learner_run(self.store, learner, train, dev, test, seed, weights, score, unlabelled)

    def supervised(self, run: SplitRun, learner=None) -> dict[str, Any]:
        """The split's run on its own rows (the no-aug row). With an unlabelled pool it also scores the split's
        unlabelled rows (``scores``), so the same run is the self-training teacher."""
        rows = run.labelled
        score = None
        if self.unlabelled is not None:
            score = [self.unlabelled.texts[u] for u in self.unlabelled.rows(run.split)]
        record = self.learn(learner or run.learner, rows, run.dev, run.test, run.seed, score=score)
        return {"train_examples": len(rows[0]), **record}

    def teacher_labels(self, learner, train: tuple[list, list], dev, test: tuple[list, list], seed: int,
                       texts: list) -> list[list[float]]:
        """``teacher=classifier``: the probabilities that the split's no-aug learner, trained as its own run is
        (same rows, dev, seed and steps), gives each added text."""
        import numpy as np

        if not texts:
            return []
        logits = np.asarray(self.learn(learner, train, dev, test, seed, score=list(texts))["scores"])
        p = np.exp(logits - logits.max(-1, keepdims=True))
        return (p / p.sum(-1, keepdims=True)).tolist()


@dataclass
class SplitRun:
    """What an arm trains on one split with one learner seed."""

    split: Split
    size: int
    seed: int
    pool: Dataset
    outputs: dict[int, list]  # the arm's added rows per training row
    learner: Any  # the protocol's learner
    dev: tuple[list, list] | None
    test: tuple[list, list]

    @property
    def labelled(self) -> tuple[list, list]:
        """The split's own training rows: texts and targets."""
        return [self.pool.texts[i] for i in self.split.train], [self.pool.labels[i] for i in self.split.train]


class Arm:
    """One row of the table: the rows it adds to each split (``outputs``) and the learner it trains them with
    (``learner``: the protocol's, or a variant with a loss term attached)."""

    name: ClassVar[str] = ""
    role: ClassVar[str] = "method"  # control, baseline or method (``ROLES``)
    reference: ClassVar[str | None] = None  # the comparison a plain arm of this class is the reference of
    params: ClassVar[dict[str, Any]] = {}  # its own parameters and their defaults
    takes: ClassVar[tuple[str, ...] | None] = None  # the constraint and training options it honours (None: all)
    why: ClassVar[str] = ""  # why it has no use for the others
    text: ClassVar[bool] = True  # it adds text worth judging (quality, examples)
    unlabelled: ClassVar[bool] = False  # it trains on the evaluation's unlabelled pool
    prefixes: ClassVar[tuple[str, ...]] = ()  # parameters named with these prefixes go to a part (view_rate=...)

    def __init__(self, spec: ArmSpec):
        self.spec, self.label = spec, spec.label
        self.options = spec.options  # raises on a bad aug_weight, teacher or guard

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.label!r}, role={self.role})"

    def ignored(self) -> list[str]:
        """The constraint and training options this arm would ignore."""
        from maskaug.evaluate.spec import CONSTRAINT_KEYS, TRAIN_KEYS

        options = CONSTRAINT_KEYS + TRAIN_KEYS
        taken = options if self.takes is None else self.takes
        return [f"{k}={self.spec.params[k]}" for k in options if k in self.spec.params and k not in taken]

    def check(self, protocol) -> None:
        """Refuse, in one line, parameters and options this arm (or the protocol's learner) would ignore."""
        ignored = self.ignored()
        if ignored:
            raise ValueError(f"method spec {self.label!r}: {self.name} {self.why}, so it would ignore "
                             f"{', '.join(ignored)}")
        own = {k for k in self.spec.method_params if not k.startswith(self.prefixes)} - set(self.params)
        if own:
            raise ValueError(f"method spec {self.label!r}: {self.name} has no parameter(s) {sorted(own)}"
                             + (f"; it takes {sorted(self.params)}" if self.params else ""))
        protocol.check_arm(self)

    def needs_finetune(self, protocol, doing: str) -> None:
        """Refuse, in one line, an arm that trains the fine-tuned classifier under another learner."""
        if not protocol.fine_tuned:
            raise ValueError(f"method spec {self.label!r}: {doing}: add --classifier finetune")

    def setting(self, key: str) -> Any:
        """One of its own parameters (its default when the spec does not set it)."""
        return self.spec.params.get(key, self.params[key])

    @property
    def plain(self) -> bool:
        """Whether the spec sets nothing: a plain arm of a reference class is the reference."""
        return not self.spec.params

    def outputs(self, ctx: Context, pool: Dataset, splits: list[Split], n: int) -> tuple[list[dict[int, list]], dict]:
        """Per split, the rows added for each training row (a soft row: ``{"text": ..., "soft": [p, ...]}``), and
        generation statistics (empty when nothing was generated)."""
        return [{i: [] for i in s.train} for s in splits], {}

    def learner(self, base):
        """The learner this arm trains (the protocol's, unless the arm trains differently)."""
        return base

    def train(self, ctx: Context, run: SplitRun) -> dict[str, Any]:
        """One split's run: the split's rows and the arm's added rows, labelled and weighted as the spec's
        training options say, through the arm's learner."""
        texts, labels, weights = self.training_set(ctx, run)
        record = ctx.learn(self.learner(run.learner), (texts, labels), run.dev, run.test, run.seed, weights)
        return {"train_examples": len(texts), **record}

    def training_set(self, ctx: Context, run: SplitRun) -> tuple[list, list, list[float] | None]:
        """The split's real rows, then the added ones labelled as their source (a soft output: as its teacher;
        ``teacher=classifier``: as the split's no-aug learner), and the per-row loss weights when the spec sets
        ``aug_weight``."""
        from maskaug.evaluate.quality import text_of
        from maskaug.evaluate.spec import CLASSIFIER

        pool, split = run.pool, run.split
        texts = [pool.texts[i] for i in split.train]
        labels: list = [pool.labels[i] for i in split.train]
        for i in split.train:
            for o in run.outputs[i]:  # a soft output trains on the teacher's probabilities
                texts.append(text_of(o))
                labels.append(o["soft"] if isinstance(o, dict) else pool.labels[i])
        real = len(split.train)
        if self.options.teacher == CLASSIFIER:  # the no-aug learner (same rows, seed and steps) labels the new rows
            labels[real:] = ctx.teacher_labels(run.learner, (texts[:real], labels[:real]), run.dev, run.test,
                                               run.seed, texts[real:])
        weights = None
        if self.options.weight is not None:  # real rows first, weight 1; then the added ones
            weights = [1.0] * real + [self.options.weight] * (len(texts) - real)
        return texts, labels, weights
