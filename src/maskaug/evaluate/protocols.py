"""Protocols: each supplies an evaluation's data, splits, learner and metric through one interface, so one run
loop (``maskaug.evaluate.runner``) serves them all; and each owns its defaults, what ``--quick`` shrinks, and what
the report says about it. Protocol names appear here and nowhere else.

- ``kumar2020`` (Kumar et al. 2020): k training and k dev examples per class per split; a classifier tested at its
  best dev setting; accuracy.
- ``eda2019`` (Wei & Zou 2019): training subsets of N rows, no dev rows; n outputs per row by N (their Table 3).
- ``melm2022`` (Zhou et al. 2022): N token/tag sentences per split; a token tagger; entity-level micro F1.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any, ClassVar

from maskaug.evaluate.config import UNLABELLED_SIZE, EvalConfig
from maskaug.evaluate.data import Dataset, read_labelled, read_tagged, text_columns

if TYPE_CHECKING:
    from maskaug.evaluate import splits as splitting

# Wei & Zou 2019, Table 3: augmented sentences per original by training-set size.
EDA_N_AUG = ((500, 16), (2000, 8), (5000, 4))
CLASSIFICATION_METHODS = ["none", "copy", "eda", "substitute", "iterative", "insert", "ssmba"]


class Protocol:
    """What a protocol supplies: data, splits, the learner, its metric, and how rows are augmented; its defaults,
    its ``--quick`` settings and its sentences in the report."""

    name: ClassVar[str]
    size_name: ClassVar[str]  # what a training size counts: "k" (per class) or "N"
    size_text: ClassVar[str]  # the report's words for it
    labels_name: ClassVar[str] = "classes"  # the report's words for the targets
    learner_label: ClassVar[str] = "classifier"  # ... and for the learner
    metric: ClassVar[str] = "test_accuracy"  # the run record's score, and how the report names it
    metric_name: ClassVar[str] = "accuracy"
    record: ClassVar[str] = "text"  # the record type its rows are augmented as
    has_dev: ClassVar[bool] = False
    shared_augmentation: ClassVar[bool] = True  # one augmentation of each pool row serves every split
    learners: ClassVar[tuple[str, ...]]  # the learners --classifier may name
    semi_supervised: ClassVar[bool] = True  # it takes an unlabelled pool (--unlabelled)
    defaults: ClassVar[dict[str, Any]]  # what a setting left unset (None) means
    quick: ClassVar[dict[str, int]]  # --quick: at most this many splits and test rows
    quality_text: ClassVar[str] = ""  # the report's words above the intrinsic-quality table
    unlabelled_refused: ClassVar[str] = ""  # why --unlabelled is refused (a protocol that is not semi-supervised)

    def __init__(self, cfg: EvalConfig):
        self.cfg = cfg

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    # -- settings --------------------------------------------------------------------------------------------
    @classmethod
    def resolve(cls, cfg: EvalConfig) -> EvalConfig:
        """A copy of ``cfg`` with every unset setting given this protocol's default; settings it cannot honour are
        refused here, in one line."""
        if cfg.classifier is not None and cfg.classifier not in cls.learners:
            raise ValueError(cls.learner_refused(cfg.classifier))
        if cfg.unlabelled is not None and not cls.semi_supervised:
            raise ValueError(cls.unlabelled_refused)
        if cfg.unlabelled is None and cfg.unlabelled_size is not None:
            raise ValueError("--unlabelled-size caps the unlabelled pool: add --unlabelled FILE or --unlabelled rest")
        size = cfg.unlabelled_size
        if size is not None and (isinstance(size, bool) or not isinstance(size, int) or size < 1):
            raise ValueError(f"--unlabelled-size is a number of rows, 1 or more; got {size!r}")
        unset = {k: v for k, v in {"protocol": cls.name, **cls.defaults}.items() if getattr(cfg, k) is None}
        if cfg.unlabelled is not None and size is None:
            unset["unlabelled_size"] = UNLABELLED_SIZE
        return replace(cfg, **{k: list(v) if isinstance(v, list) else v for k, v in unset.items()})

    @classmethod
    def learner_refused(cls, name: str) -> str:
        """Why ``--classifier NAME`` is refused."""
        return f"unknown classifier {name!r}; use {' or '.join(cls.learners)}"

    @classmethod
    def shrunk(cls, cfg: EvalConfig) -> EvalConfig:
        """``--quick``: a resolved config with fewer splits, test rows and fluency sources (a smoke run)."""
        return replace(cfg, splits=min(cfg.splits, cls.quick["splits"]),
                       test_limit=min(cfg.test_limit or 300, cls.quick["test_limit"]),
                       fluency_sample=min(cfg.fluency_sample, 30))

    @classmethod
    def n_text(cls, n: int | None) -> str:
        """The report's words for the outputs per training row."""
        return str(n) if n is not None else "1"

    @classmethod
    def step_matched(cls, cfg: dict[str, Any]) -> bool:
        """Whether every learner run of an evaluation with this config took the same optimiser steps."""
        return cfg["classifier"] == "finetune" and bool(cfg.get("steps"))

    @classmethod
    def learner_text(cls, cfg: dict[str, Any]) -> str:
        """The report's words for the learner and how long it trains: fixed epochs or step-matched."""
        if cfg["classifier"] != "finetune":
            return cfg["classifier"]
        if cls.step_matched(cfg):
            return (f"finetune, step-matched: {cfg['steps']} optimiser steps per run, dev checked "
                    f"{cfg.get('epochs', 10)} times")
        return f"finetune, {cfg.get('epochs', 10)} epochs (a run with more rows takes more steps)"

    @property
    def fine_tuned(self) -> bool:
        """Whether its learner is the fine-tuned classifier (what loss terms and encoder adaptation train)."""
        return self.cfg.classifier == "finetune"

    def check(self) -> None:
        """Refuse settings this protocol would not honour."""

    def check_arm(self, arm) -> None:
        """Refuse an arm this protocol's data or learner cannot serve."""
        if arm.options.guard and not self.has_dev:
            with_dev = " / ".join(p.name for p in PROTOCOLS.values() if p.has_dev)
            raise ValueError(f"method spec {arm.label!r}: guard=dev needs dev accuracies ({with_dev} splits)")

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

    def quality(self, ctx, arms: list, pool: Dataset, outputs_by, all_splits, throughput: dict[str, dict]
                ) -> dict[str, dict[str, Any]]:
        """Intrinsic quality of each text-making arm's outputs (the report's second table)."""
        return {}


class Classification(Protocol):
    """Labelled texts or sentence pairs, a classifier, accuracy."""

    learners = ("logreg", "finetune")
    quick = {"splits": 3, "test_limit": 300}
    quality_text = ("Over the outputs made for the training rows of all splits. The oracle is a logistic regression "
                    "on sentence embeddings of the full training set; label kept is the share of outputs it gives "
                    "the source's gold label, to be read next to its accuracy on the sources themselves; label flip "
                    "is the share it labels differently from their source.")

    def check(self) -> None:
        from maskaug.evaluate.classifiers import check_steps

        check_steps(self.cfg.steps, self.cfg.classifier)

    def load(self) -> tuple[Dataset, Dataset]:
        cfg = self.cfg
        pool = read_labelled(cfg.data, cfg.text_column, cfg.label_column)
        if cfg.test:
            test = read_labelled(cfg.test, cfg.text_column, cfg.label_column, pool.classes)
        else:
            from maskaug.evaluate.splits import hold_out

            keep, held = hold_out(pool.labels, seed=cfg.seed)
            test, pool = pool.subset(held), pool.subset(keep)
        if cfg.test_limit and len(test.texts) > cfg.test_limit:
            import numpy as np

            rng = np.random.default_rng([cfg.seed, 104729])
            test = test.subset(sorted(rng.choice(len(test.texts), size=cfg.test_limit, replace=False).tolist()))
        return pool, test

    def learner(self, embedder, pool):
        from maskaug.evaluate.classifiers import make_classifier

        cfg = self.cfg
        extra = {"device": cfg.device} if cfg.device and cfg.classifier == "finetune" else {}  # the MLM's device
        return make_classifier(cfg.classifier, embedder, encoder=cfg.encoder, epochs=cfg.epochs, steps=cfg.steps,
                               **extra)

    def quality(self, ctx, arms, pool, outputs_by, all_splits, throughput):
        from maskaug.evaluate.quality import classification_quality

        return classification_quality(ctx, arms, pool, outputs_by, all_splits)


class Kumar2020(Classification):
    """k training and k dev examples per class per split."""

    name, size_name, size_text, has_dev = "kumar2020", "k", "k per class", True
    defaults = {"splits": 15, "sizes": [500], "methods": CLASSIFICATION_METHODS, "classifier": "logreg"}

    def splits(self, pool):
        from maskaug.evaluate import splits as splitting

        cfg = self.cfg
        return {k: splitting.kumar2020(pool.labels, k, cfg.splits, cfg.seed, pool.classes) for k in cfg.k}


class Eda2019(Classification):
    """Training subsets of N rows, no dev rows."""

    name, size_name, size_text = "eda2019", "N", "training rows N"
    defaults = {"splits": 15, "sizes": [500], "methods": CLASSIFICATION_METHODS, "classifier": "logreg"}

    @classmethod
    def shrunk(cls, cfg):
        cfg = super().shrunk(cfg)
        return replace(cfg, sizes=[min(s, 200) for s in cfg.sizes])

    @classmethod
    def n_text(cls, n):
        return str(n) if n is not None else "by N (Wei & Zou's table)"

    def splits(self, pool):
        from maskaug.evaluate import splits as splitting

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

    name, size_name, size_text, labels_name, learner_label = "melm2022", "N", "training sentences N", "tags", "tagger"
    metric, metric_name, record, shared_augmentation = "f1", "F1", "tagged", False
    learners, semi_supervised = ("tagger",), False
    defaults = {"splits": 5, "sizes": [100], "n": 3, "methods": ["none", "copy", "substitute", "melm"],
                "classifier": "tagger", "test_limit": 1000}
    quick = {"splits": 2, "test_limit": 200}
    quality_text = ("Over the outputs made for the training sentences of all splits: how many of those asked for "
                    "were made, and the share of their tokens that changed.")
    unlabelled_refused = ("--unlabelled is for kumar2020 / eda2019 (sentence labels); melm2022 has no "
                          "semi-supervised arms")

    @classmethod
    def learner_refused(cls, name):
        return ("--classifier is for kumar2020 / eda2019; melm2022 trains a token tagger (the fine-tuned encoder, "
                "first sub-token of each word)")

    @classmethod
    def n_text(cls, n):
        return str(n) if n is not None else "by N (Wei & Zou's table)"

    @classmethod
    def step_matched(cls, cfg):
        return bool(cfg.get("steps"))

    @classmethod
    def learner_text(cls, cfg):
        if not cls.step_matched(cfg):
            return (f"MiniLM token tagger, first sub-token of each word, {cfg.get('epochs', 10)} epochs (a run with "
                    f"more rows takes more steps)")
        return (f"finetune, step-matched: {cfg['steps']} optimiser steps per run, dev checked "
                f"{cfg.get('epochs', 10)} times")

    @property
    def fine_tuned(self) -> bool:
        return False

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
            import numpy as np

            pick = np.random.default_rng([cfg.seed, 7]).choice(len(test.texts), cfg.test_limit, replace=False)
            test = test.subset(sorted(pick.tolist()))
        tags = sorted({t for ts in pool.labels + test.labels for t in ts})
        pool.classes = test.classes = tags
        return pool, test

    def splits(self, pool):
        from maskaug.evaluate import splits as splitting

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

    def quality(self, ctx, arms, pool, outputs_by, all_splits, throughput):
        """Per generating arm: outputs made of those asked for, and the share of tokens they changed."""
        out = {}
        for arm in arms:
            stats = throughput.get(arm.label)
            if arm.text and stats:
                made = sum(len(o) for size in all_splits for per in outputs_by[arm.label, size] for o in per.values())
                asked = sum(len(s.train) * self.n_for(size) for size, ss in all_splits.items() for s in ss)
                out[arm.label] = {"outputs": made, "requested": asked, "shortfall": float(asked - made),
                                  "tokens_changed": stats.get("tokens_changed")}
        return out


PROTOCOLS: dict[str, type[Protocol]] = {p.name: p for p in (Kumar2020, Eda2019, Melm2022)}
DEFAULT = "kumar2020"  # the protocol of a config that names none


def protocol_class(name: str | None) -> type[Protocol]:
    """The protocol called ``name`` (None: the default one), or a one-line error naming the others."""
    if name is None:
        return PROTOCOLS[DEFAULT]
    if name not in PROTOCOLS:
        raise ValueError(f"unknown protocol {name!r}; use {', '.join(PROTOCOLS)}")
    return PROTOCOLS[name]


def protocol_for(cfg: EvalConfig) -> Protocol:
    """The protocol a (resolved) config names."""
    return protocol_class(cfg.protocol)(cfg)


def methods_help() -> str:
    """The default arms of each protocol, for ``--methods``' help."""
    by: dict[str, list[str]] = {}
    for name, cls in PROTOCOLS.items():
        by.setdefault(",".join(cls.defaults["methods"]), []).append(name)
    first, *rest = by.items()
    return "; ".join([first[0]] + [f"{' / '.join(names)}: {methods}" for methods, names in rest])
