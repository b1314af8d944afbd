"""Protocols: each supplies an evaluation's data, splits, learner and metric through one interface, so one run
loop (``maskaug.evaluate.runner``) serves them all.

- ``kumar2020`` (Kumar et al. 2020): k training and k dev examples per class per split; a classifier tested at its
  best dev setting; accuracy.
- ``eda2019`` (Wei & Zou 2019): training subsets of N rows, no dev rows; n outputs per row by N (their Table 3).
- ``melm2022`` (Zhou et al. 2022): N token/tag sentences per split; a token tagger; entity-level micro F1.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from maskaug.evaluate import splits as splitting
from maskaug.evaluate.config import EvalConfig
from maskaug.evaluate.data import Dataset, read_labelled, read_tagged, text_columns

# Wei & Zou 2019, Table 3: augmented sentences per original by training-set size.
EDA_N_AUG = ((500, 16), (2000, 8), (5000, 4))


class Protocol:
    """What a protocol supplies: data, splits, the learner, its metric, and how rows are augmented."""

    name: ClassVar[str]
    size_name: ClassVar[str]  # what a training size counts: "k" (per class) or "N"
    metric: ClassVar[str] = "test_accuracy"  # the run record's score, and how the report names it
    metric_name: ClassVar[str] = "accuracy"
    record: ClassVar[str] = "text"  # the record type its rows are augmented as
    has_dev: ClassVar[bool] = False
    shared_augmentation: ClassVar[bool] = True  # one augmentation of each pool row serves every split

    def __init__(self, cfg: EvalConfig):
        self.cfg = cfg

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    # -- settings --------------------------------------------------------------------------------------------
    def check(self) -> None:
        """Refuse settings this protocol would not honour."""

    def check_arm(self, arm) -> None:
        """Refuse an arm this protocol's data or learner cannot serve."""
        if arm.options.guard and not self.has_dev:
            raise ValueError(f"method spec {arm.label!r}: guard=dev needs dev accuracies (kumar2020 splits)")

    @property
    def fields(self) -> list[str]:
        """The columns an augmentation job reads."""
        return text_columns(self.cfg.text_column)

    # -- data ------------------------------------------------------------------------------------------------
    def load(self) -> tuple[Dataset, Dataset]:  # pragma: no cover - each protocol reads its own
        """The training pool and the test set, checked as they are read."""
        raise NotImplementedError

    def splits(self, pool: Dataset) -> dict[int, list[splitting.Split]]:  # pragma: no cover
        """Each training size's splits of the pool (the same for every arm)."""
        raise NotImplementedError

    def n_for(self, size: int) -> int:
        """Outputs per training row at this size."""
        return self.cfg.n if self.cfg.n is not None else 1

    def run_seed(self, split: splitting.Split, r: int = 0) -> int:
        """The seed of a split's ``r``-th learner runs: the same for every arm and for the split's teacher
        (``r = 0``: a one-seed evaluation's)."""
        return self.cfg.seed * 1000 + split.index + r * 2 ** 32

    def dev_rows(self, pool: Dataset, split: splitting.Split) -> tuple[list, list] | None:
        """A split's dev inputs and targets, or None."""
        return ([pool.texts[i] for i in split.dev], [pool.labels[i] for i in split.dev]) if split.dev else None

    # -- augmentation ----------------------------------------------------------------------------------------
    def augment_seed(self, split: splitting.Split | None) -> int:
        """The seed rows are augmented with (``split``: the one split of a per-split augmentation)."""
        return self.cfg.seed

    def row_ids(self, rows: list[int]) -> list[Any]:
        """The ids that seed each row's outputs: its place in the pool, whatever split draws it."""
        return list(rows)

    def targets(self, pool: Dataset, rows: list[int]) -> list:
        """What fine-tuning a conditional MLM reads as each row's target: its class name."""
        return [pool.classes[pool.labels[i]] for i in rows]

    def job_labels(self, pool: Dataset, rows: list[int], labelled: bool) -> list | None:
        """The labels an augmentation job is given (only when the method or a constraint reads them)."""
        return self.targets(pool, rows) if labelled else None

    def dev_rows_named(self, pool: Dataset, split: splitting.Split | None) -> tuple[list, list] | None:
        """A split's dev rows with class names, for a conditional MLM's early stopping."""
        if split is None or not split.dev:
            return None
        return [pool.texts[i] for i in split.dev], [pool.classes[pool.labels[i]] for i in split.dev]

    @staticmethod
    def loaded(output: Any) -> Any:
        """An output as read back from JSON: pairs as tuples again."""
        if isinstance(output, dict):
            return {**output, "text": Protocol.loaded(output["text"])}
        return output if isinstance(output, str) else tuple(output)

    # -- learning --------------------------------------------------------------------------------------------
    def learner(self, embedder, pool: Dataset):  # pragma: no cover
        """The learner every arm trains (an arm may train a variant of it)."""
        raise NotImplementedError

    def quality(self, ev, pool: Dataset, outputs_by, all_splits) -> dict[str, dict[str, Any]]:
        """Intrinsic quality of each text-making arm's outputs (the report's second table)."""
        return {}


class Classification(Protocol):
    """Labelled texts or sentence pairs, a classifier, accuracy."""

    def check(self) -> None:
        from maskaug.evaluate.classifiers import check_steps

        check_steps(self.cfg.steps, self.cfg.classifier)

    def load(self) -> tuple[Dataset, Dataset]:
        cfg = self.cfg
        pool = read_labelled(cfg.data, cfg.text_column, cfg.label_column)
        if cfg.test:
            test = read_labelled(cfg.test, cfg.text_column, cfg.label_column, pool.classes)
        else:
            keep, held = splitting.hold_out(pool.labels, seed=cfg.seed)
            test, pool = pool.subset(held), pool.subset(keep)
        if cfg.test_limit and len(test.texts) > cfg.test_limit:
            rng = np.random.default_rng([cfg.seed, 104729])
            test = test.subset(sorted(rng.choice(len(test.texts), size=cfg.test_limit, replace=False).tolist()))
        return pool, test

    def learner(self, embedder, pool):
        from maskaug.evaluate.classifiers import make_classifier

        cfg = self.cfg
        extra = {"device": cfg.device} if cfg.device and cfg.classifier == "finetune" else {}  # the MLM's device
        return make_classifier(cfg.classifier, embedder, encoder=cfg.encoder, epochs=cfg.epochs, steps=cfg.steps,
                               **extra)

    def quality(self, ev, pool, outputs_by, all_splits):
        from maskaug.evaluate.quality import classification_quality

        return classification_quality(ev, pool, outputs_by, all_splits)


class Kumar2020(Classification):
    """k training and k dev examples per class per split."""

    name, size_name, has_dev = "kumar2020", "k", True

    def splits(self, pool):
        cfg = self.cfg
        return {k: splitting.kumar2020(pool.labels, k, cfg.splits, cfg.seed, pool.classes) for k in cfg.k}


class Eda2019(Classification):
    """Training subsets of N rows, no dev rows."""

    name, size_name = "eda2019", "N"

    def splits(self, pool):
        cfg = self.cfg
        return {n: splitting.eda2019(pool.labels, n, cfg.splits, cfg.seed) for n in cfg.sizes}

    def n_for(self, size: int) -> int:
        if self.cfg.n is not None:
            return self.cfg.n
        return next((n for limit, n in EDA_N_AUG if size <= limit), 4)


class Melm2022(Protocol):
    """N token/tag sentences per split, a token tagger, entity-level micro F1.

    Each split's sentences are augmented on their own, seeded by the split, as Zhou et al. draw each low-resource
    set; ``melm`` fine-tunes its MLM on the split's own sentences first."""

    name, size_name, metric, metric_name, record = "melm2022", "N", "f1", "F1", "tagged"
    shared_augmentation = False

    def check(self) -> None:
        if not self.cfg.test:
            raise ValueError("--protocol melm2022 needs DATA and --test (token/tag records)")
        from maskaug.evaluate.classifiers import check_steps

        check_steps(self.cfg.steps, "finetune")

    def check_arm(self, arm) -> None:
        from maskaug.records.tagged import TaggedRecord

        super().check_arm(arm)
        if arm.options.weight is not None or arm.options.soft or arm.spec.constraint_params:
            extra = [k for k in arm.spec.params if k in ("aug_weight", "teacher") or k in arm.spec.constraint_params]
            raise ValueError(f"method spec {arm.label!r}: melm2022's tagger takes no {', '.join(sorted(set(extra)))} "
                             f"(no row weights, soft labels or constraints for token/tag records)")
        if hasattr(arm, "method"):
            why = TaggedRecord().accepts(arm.method.capabilities)
            if why:
                raise ValueError(f"{arm.label}: {why}")

    @property
    def fields(self) -> list[str]:
        return ["tokens"]

    def load(self) -> tuple[Dataset, Dataset]:
        cfg = self.cfg
        pool = read_tagged(cfg.data, cfg.tokens_column, cfg.tags_column)
        test = read_tagged(cfg.test, cfg.tokens_column, cfg.tags_column)
        if cfg.test_limit and len(test.texts) > cfg.test_limit:
            pick = np.random.default_rng([cfg.seed, 7]).choice(len(test.texts), cfg.test_limit, replace=False)
            test = test.subset(sorted(pick.tolist()))
        tags = sorted({t for ts in pool.labels + test.labels for t in ts})
        pool.classes = test.classes = tags
        return pool, test

    def splits(self, pool):
        cfg = self.cfg
        return {n: splitting.melm2022(len(pool.texts), n, cfg.splits, cfg.seed) for n in cfg.sizes}

    def augment_seed(self, split):
        return self.cfg.seed * 1000 + split.index

    def row_ids(self, rows):
        return list(range(len(rows)))

    def targets(self, pool, rows):
        return [list(pool.labels[i]) for i in rows]

    def job_labels(self, pool, rows, labelled):
        return self.targets(pool, rows)  # a token/tag row carries its tags

    def dev_rows_named(self, pool, split):
        return None

    @staticmethod
    def loaded(output: Any) -> Any:
        return list(output)

    def learner(self, embedder, pool):
        from maskaug.evaluate.tagger import Tagger

        cfg = self.cfg
        return Tagger(pool.classes, cfg.encoder, epochs=cfg.epochs, steps=cfg.steps)

    def quality(self, ev, pool, outputs_by, all_splits):
        """Per generating arm: outputs made of those asked for, and the share of tokens they changed."""
        out = {}
        for arm in ev.arms:
            stats = ev.throughput.get(arm.label)
            if arm.text and stats:
                made = sum(len(o) for size in all_splits for per in outputs_by[arm.label, size] for o in per.values())
                asked = sum(len(s.train) * self.n_for(size) for size, ss in all_splits.items() for s in ss)
                out[arm.label] = {"outputs": made, "requested": asked, "shortfall": float(asked - made),
                                  "tokens_changed": stats.get("tokens_changed")}
        return out


PROTOCOLS: dict[str, type[Protocol]] = {p.name: p for p in (Kumar2020, Eda2019, Melm2022)}


def protocol_for(cfg: EvalConfig) -> Protocol:
    """The protocol a (resolved) config names."""
    return PROTOCOLS[cfg.protocol](cfg)
