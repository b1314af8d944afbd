"""Run a protocol end to end: splits, augmentation per method, classifiers, statistics, quality.

Augmented outputs depend only on ``(seed, pool row, copy)``, so each training row is augmented once
per method and reused by every split that draws it. Every cache entry is keyed by a fingerprint
(:mod:`maskaug.fingerprint`) of what it depends on: the data's bytes, the resolved method and its effective
parameters, the model's and the encoder's content, n and the seed; entries live under
``cache_root()/evaluate`` (``$MASKAUG_CACHE``), so a rerun only does what changed.
"""

from __future__ import annotations

import json
import os
import platform
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from tqdm.auto import tqdm

from maskaug.evaluate import splits as splitting
from maskaug.evaluate.stats import mean_ci, mean_std, paired, paired_rate
from maskaug.finetune import LABEL_LR
from maskaug.fingerprint import cache_root, key, model_fingerprint
from maskaug.io import file_digest, write_atomically

BASELINES = ("none", "eda", "copy", "consistency")  # copy: each training row repeated n times (as many steps,
# no new text); consistency: no new rows, the fine-tuned classifier also trained for agreement between two random
# maskings of each batch (maskaug.training.consistency; params weight, rate)
NO_TEXT = ("none", "copy", "consistency")  # methods with no generated text to judge
CLASSIFIER = "classifier"  # teacher=classifier: the split's own no-aug classifier labels the generated rows
# Constraint keys a method spec may carry, e.g. "substitute:teacher=filter,min_similarity=0.8". The teacher is
# a logistic regression on sentence embeddings trained on each split's own training rows. teacher=classifier is
# not a constraint but a training choice: the generated rows train on the probabilities of the split's own no-aug
# classifier (self-distillation); the outputs are the plain method's.
CONSTRAINT_KEYS = ("teacher", "min_similarity", "max_fluency_drop", "min_edit_rate", "max_edit_rate",
                   "label_words")  # label_words=true: each split's label words kept, scored from its own rows
FINETUNE_KEYS = ("label_lr",)  # options of a conditional method's per-split MLM fine-tuning
TRAIN_KEYS = ("aug_weight", "guard")  # aug_weight=0.5: the classifier's loss weight of a generated row (real: 1);
# guard=dev: per split, the augmented classifier is kept only when its dev accuracy beats the no-aug classifier's
# The constraint and training options each baseline takes, and why it has no use for the others
BASELINE_OPTIONS = {"none": ((), "adds no rows"), "consistency": (("guard",), "adds no rows"),
                    "copy": (("aug_weight", "guard"), "repeats the training rows"),
                    "eda": (("aug_weight", "guard"), "passes its outputs through no constraint")}
DEFAULT_METHODS = ["none", "copy", "eda", "substitute", "iterative", "insert", "ssmba"]
# Wei & Zou 2019, Table 3: augmented sentences per original by training-set size.
EDA_N_AUG = ((500, 16), (2000, 8), (5000, 4))


@dataclass
class EvalConfig:
    """The settings of a kumar2020 / eda2019 evaluation (a JSON or TOML file can give them)."""

    data: str
    test: str | None = None
    text_column: str | list[str] = "text"  # two columns: sentence pairs (NLI), judged and classified as pairs
    label_column: str = "label"
    protocol: str = "kumar2020"
    k: list[int] = field(default_factory=lambda: [10])  # kumar2020: examples per class
    sizes: list[int] = field(default_factory=lambda: [500])  # eda2019: training-set sizes
    splits: int = 15
    seeds: int = 1  # classifier seeds per split: each split's accuracy is their mean, pairing stays by split
    n: int | None = None  # outputs per training example (kumar2020: 1; eda2019: Wei & Zou's table)
    seed: int = 0
    methods: list[Any] = field(default_factory=lambda: list(DEFAULT_METHODS))
    classifier: str = "logreg"
    encoder: str | None = None  # sentence encoder / classifier backbone (default: MiniLM package)
    model: str | None = None  # MLM for the methods (default: built-in)
    epochs: int = 10
    steps: int | None = None  # finetune: every run takes exactly this many optimiser steps (step-matched)
    quality: bool = True
    fluency_sample: int = 100
    label_text: dict[str, str] | None = None  # prepend: words written for each label when fine-tuning
    flip_reference: str | None = None  # method whose label flips the others are compared with, output by output
    test_limit: int | None = None
    cache_dir: str | None = None

    @classmethod
    def from_file(cls, path: str | os.PathLike) -> EvalConfig:
        from maskaug.methods.registry import tomllib

        p = Path(path)
        raw = tomllib.loads(p.read_text()) if p.suffix == ".toml" else json.loads(p.read_text())
        raw = raw.get("config", raw)
        unknown = set(raw) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"{p}: unknown config key(s) {sorted(unknown)}")
        return cls(**raw)

    def n_for(self, size: int) -> int:
        if self.n is not None:
            return self.n
        if self.protocol == "eda2019":
            return next((n for limit, n in EDA_N_AUG if size <= limit), 4)
        return 1


@dataclass(frozen=True)
class MethodSpec:
    """A method as the report names it, with its parameters (method, constraint and fine-tuning keys)."""

    label: str  # how the report names it
    method: str  # "none", "eda" or a registered method name
    params: dict[str, Any]

    @classmethod
    def parse(cls, spec: Any) -> MethodSpec:
        """``"substitute"``, ``"substitute:rate=0.3,top_k=10"`` or ``{"label":..., "method":..., ...}``."""
        if isinstance(spec, dict):
            spec = dict(spec)
            method = spec.pop("method")
            label = spec.pop("label", method)
            return cls(label, method, spec)
        name, _, rest = str(spec).partition(":")
        params: dict[str, Any] = {}
        for item in filter(None, rest.split(",")):
            key, eq, value = item.partition("=")
            if not eq:
                raise ValueError(f"method spec {spec!r}: parameters are KEY=VALUE")
            try:
                params[key.strip()] = json.loads(value)
            except json.JSONDecodeError:
                params[key.strip()] = value
        return cls(str(spec), name, params)

    @property
    def method_params(self) -> dict[str, Any]:
        return {k: v for k, v in self.params.items() if k not in CONSTRAINT_KEYS + FINETUNE_KEYS + TRAIN_KEYS}

    @property
    def constraint_params(self) -> dict[str, Any]:
        return {k: v for k, v in self.params.items()
                if k in CONSTRAINT_KEYS and not (k == "teacher" and v == CLASSIFIER)}

    @property
    def distilled(self) -> bool:
        """Whether the generated rows train on the split's no-aug classifier's probabilities (teacher=classifier)."""
        return self.params.get("teacher") == CLASSIFIER

    @property
    def soft_teacher(self) -> str | None:
        """Whose probabilities the generated rows train on: ``"soft"`` (the split's logistic regression),
        ``"classifier"`` (its no-aug classifier) or None (their source's label)."""
        teacher = self.params.get("teacher")
        return teacher if teacher in ("soft", CLASSIFIER) else None

    @property
    def finetune_params(self) -> dict[str, Any]:
        return {k: v for k, v in self.params.items() if k in FINETUNE_KEYS}

    @property
    def weight(self) -> float | None:
        """The classifier's loss weight of a generated row, when the spec sets one."""
        if "aug_weight" not in self.params:
            return None
        w = self.params["aug_weight"]
        if isinstance(w, bool) or not isinstance(w, (int, float)) or not 0 < w <= 1:
            raise ValueError(f"method spec {self.label!r}: aug_weight is a number in (0, 1], got {w!r}")
        return float(w)

    @property
    def guarded(self) -> bool:
        """Whether the split's no-aug classifier stands in for this method's unless it scores higher on dev."""
        return "guard" in self.params

    def check(self) -> None:
        self.weight  # noqa: B018 (raises on a bad aug_weight)
        if self.guarded and (self.params["guard"] != "dev" or self.method == "none"):
            raise ValueError(f"method spec {self.label!r}: guard=dev is the one guard (keep the no-aug classifier "
                             f"unless the augmented one scores higher on dev), for a method other than none")
        if self.method not in BASELINES:
            from maskaug.methods.registry import build

            method = build(self.method, **self.method_params)  # raises on an unknown method or parameter
            if self.finetune_params and method.capabilities.requires != "cbert":
                raise ValueError(f"method spec {self.label!r}: {sorted(self.finetune_params)} applies to the "
                                 f"per-split fine-tuning of cbert only")
        teacher = self.params.get("teacher")
        if teacher not in (None, "filter", "soft", CLASSIFIER):
            raise ValueError(f"method spec {self.label!r}: in evaluate, teacher is 'filter' (keep the outputs it "
                             f"labels like the source), 'soft' (train on its probabilities for every output) or "
                             f"'classifier' (train on the probabilities of the split's own no-aug classifier)")
        ignored = self.baseline_ignores()
        if ignored:
            raise ValueError(f"method spec {self.label!r}: {self.method} {BASELINE_OPTIONS[self.method][1]}, so it "
                             f"would ignore {', '.join(ignored)}")

    def baseline_ignores(self) -> list[str]:
        """The constraint and training options a baseline would ignore (``BASELINE_OPTIONS``); copy also takes a
        soft teacher (``teacher=soft`` / ``classifier``: the control for a soft-label method)."""
        if self.method not in BASELINES:
            return []
        taken = BASELINE_OPTIONS[self.method][0] + (("teacher",) if self.method == "copy" and self.soft_teacher
                                                    else ())
        return [f"{k}={self.params[k]}" for k in CONSTRAINT_KEYS + TRAIN_KEYS if k in self.params and k not in taken]


@dataclass
class Dataset:
    """Texts with integer labels and the class names."""

    texts: list[str]
    labels: list[int]
    classes: list[str]


def text_columns(text_column: str | list[str]) -> list[str]:
    """The text column(s) as a list (two for sentence pairs)."""
    return [text_column] if isinstance(text_column, str) else list(text_column)


def _read(path: str, text_col: str | list[str], label_col: str, classes: list[str] | None = None) -> Dataset:
    from maskaug.io import InputError, read_rows, validate

    rows = read_rows(path)
    if not rows:
        raise InputError(path, "no rows")
    cols = text_columns(text_col)
    validate(path, rows, cols, label_col)
    raw = [str(r[label_col]) for r in rows]
    classes = classes or sorted(set(raw))
    index = {c: i for i, c in enumerate(classes)}
    for i, y in enumerate(raw):
        if y not in index:
            raise InputError(path, f"label {y!r} does not occur in the training data", row=i + 1, field=label_col)
    texts = [r[cols[0]] for r in rows] if len(cols) == 1 else [tuple(r[c] for c in cols) for r in rows]
    return Dataset(texts, [index[y] for y in raw], classes)


def _write_json(path: Path, obj: Any) -> None:
    write_atomically(path, lambda tmp: tmp.write_text(json.dumps(obj)))


def method_identity(spec: MethodSpec) -> dict[str, Any]:
    """What a method spec runs: its resolved name and every parameter (defaults filled in)."""
    if spec.method in BASELINES:
        return {"method": spec.method, "params": spec.params}
    from maskaug.methods.registry import effective_params

    name, params = effective_params(spec.method, **spec.method_params)
    return {"method": name, "params": params, "constraints": spec.constraint_params, "finetune": spec.finetune_params}


class Evaluation:
    """Runs a protocol end to end; every stage cached by what it depends on."""

    def __init__(self, config: EvalConfig, progress: bool = True, command: str | None = None):
        self.cfg = config
        self.progress = progress
        self.command = command  # the command line, for the report
        self.cache = Path(config.cache_dir) if config.cache_dir else cache_root() / "evaluate"
        self.specs = [MethodSpec.parse(m) for m in config.methods]
        if "none" not in [s.method for s in self.specs]:
            self.specs.insert(0, MethodSpec("none", "none", {}))
        for s in self.specs:
            s.check()
        if any(s.method == "consistency" for s in self.specs) and config.classifier != "finetune":
            raise ValueError("the consistency row trains the fine-tuned classifier: add --classifier finetune")
        if any(s.method == "eda" for s in self.specs):
            from maskaug.evaluate.eda import wordnet_dir

            wordnet_dir()  # fail before any work when WordNet is missing, saying how to install it
        labels = [s.label for s in self.specs if s.method != "none"]
        if config.flip_reference is not None and config.flip_reference not in labels:
            raise ValueError(f"flip reference {config.flip_reference!r} is not one of the methods {labels}")
        if config.label_text and "prepend" not in [s.method for s in self.specs]:
            raise ValueError("label texts only change how prepend fine-tunes, and no prepend method is in this run")
        from maskaug.evaluate.classifiers import check_steps

        check_steps(config.steps, config.classifier)
        if not isinstance(config.seeds, int) or config.seeds < 1:
            raise ValueError(f"seeds must be a positive count of classifier seeds per split, got {config.seeds!r}")
        if config.protocol not in ("kumar2020", "eda2019"):
            raise ValueError(f"unknown protocol {config.protocol!r}; use kumar2020 or eda2019")
        guarded = [s.label for s in self.specs if s.guarded]
        if guarded and config.protocol != "kumar2020":
            raise ValueError(f"{guarded[0]!r}: guard=dev compares dev accuracies, and only kumar2020 splits have "
                             f"dev rows")
        self._mlm = None
        self.embedder = None
        self.timings: dict[str, float] = {}
        self.cached_runs = 0
        self.classifier_runs = 0  # every run asked for, cached or not: the methods' and the teachers'

    # -- pieces ------------------------------------------------------------------------------------------
    def mlm(self):
        if self._mlm is None:
            from maskaug.model.loading import load_mlm

            self._mlm = load_mlm(self.cfg.model)
        return self._mlm

    def load(self) -> tuple[Dataset, Dataset]:
        cfg = self.cfg
        pool = _read(cfg.data, cfg.text_column, cfg.label_column)
        if cfg.test:
            test = _read(cfg.test, cfg.text_column, cfg.label_column, pool.classes)
        else:
            keep, held = splitting.hold_out(pool.labels, seed=cfg.seed)
            test = Dataset([pool.texts[i] for i in held], [pool.labels[i] for i in held], pool.classes)
            pool = Dataset([pool.texts[i] for i in keep], [pool.labels[i] for i in keep], pool.classes)
        if cfg.test_limit and len(test.texts) > cfg.test_limit:
            rng = np.random.default_rng([cfg.seed, 104729])
            pick = sorted(rng.choice(len(test.texts), size=cfg.test_limit, replace=False).tolist())
            test = Dataset([test.texts[i] for i in pick], [test.labels[i] for i in pick], test.classes)
        return pool, test

    def make_splits(self, pool: Dataset) -> dict[int, list[splitting.Split]]:
        cfg = self.cfg
        if cfg.protocol == "kumar2020":
            return {k: splitting.kumar2020(pool.labels, k, cfg.splits, cfg.seed, pool.classes) for k in cfg.k}
        return {n: splitting.eda2019(pool.labels, n, cfg.splits, cfg.seed) for n in cfg.sizes}

    def conditional(self, spec: MethodSpec) -> str | None:
        """The conditioning a method needs (its MLM is fine-tuned per split), or None."""
        if spec.method in BASELINES:
            return None
        from maskaug.methods.registry import build

        return build(spec.method, **spec.method_params).capabilities.requires

    def augment(self, spec: MethodSpec, pool: Dataset, size_splits: list[splitting.Split], n: int
                ) -> tuple[list[dict[int, list[str]]], dict]:
        """Outputs per pool row, one mapping per split, for one method (cached), and its throughput.

        Unconditioned methods augment each row once for all splits; label-conditional ones fine-tune
        the MLM on each split's own training rows (dev rows for early stopping), as Kumar et al. did.
        """
        if spec.method in ("none", "consistency"):
            return [{i: [] for i in s.train} for s in size_splits], {}
        if spec.method == "copy":  # the control: a method's number of extra rows, with no new text
            if spec.soft_teacher == "soft":  # ... labelled by the split's teacher, as a soft-label method's rows
                return [self._soft_copies(pool, s, n) for s in size_splits], {}
            return [{i: [pool.texts[i]] * n for i in s.train} for s in size_splits], {}
        kind = self.conditional(spec)
        per_split_work = bool(kind) or "teacher" in spec.constraint_params or spec.constraint_params.get("label_words")
        groups = [[s] for s in size_splits] if per_split_work else [size_splits]
        per_split: dict[int, dict[int, list[str]]] = {}
        total_rows, total_s, forward, rejected = 0, 0.0, 0, {}
        for group in groups:
            rows = sorted({i for s in group for i in s.train})
            outputs, stats = self._augment_rows(spec, pool, rows, n, group[0] if per_split_work else None, kind)
            for s in group:
                per_split[s.index] = {i: outputs[i] for i in s.train}
            total_rows += stats["rows"]
            total_s += stats["seconds"]
            forward += stats["forward_passes"]
            for k, v in stats.get("rejected", {}).items():
                rejected[k] = rejected.get(k, 0) + v
        stats = {"rows": total_rows, "seconds": total_s, "rows_per_s": total_rows / total_s if total_s else 0.0,
                 "forward_passes": forward, "rejected": rejected}
        return [per_split[s.index] for s in size_splits], stats

    def _constraints(self, spec: MethodSpec, pool: Dataset, rows: list[int]) -> list:
        from maskaug.constraints import build

        p = {k: v for k, v in spec.constraint_params.items() if k != "label_words"}
        if "teacher" in p:  # trained on the rows being augmented (this split's labelled data)
            p["teacher_mode"] = "soft" if p["teacher"] == "soft" else "filter"
            p["teacher"] = "train"
        return build(**p, texts=[pool.texts[i] for i in rows], labels=[pool.classes[pool.labels[i]] for i in rows],
                     embedder=self.embedder)

    def _soft_copies(self, pool: Dataset, split: splitting.Split, n: int) -> dict[int, list[dict]]:
        """copy:teacher=soft: each training row n times, labelled by the probabilities the split's teacher (the
        one ``teacher=soft`` methods use) gives its own text."""
        from maskaug.constraints import Teacher

        rows = sorted(split.train)  # fitted as a teacher=soft method's is (maskaug.constraints.build)
        texts = [pool.texts[i] for i in rows]
        teacher = Teacher(texts, [pool.classes[pool.labels[i]] for i in rows], mode="soft", embedder=self.embedder)
        return {i: [{"text": pool.texts[i], "soft": [p.get(c, 0.0) for c in pool.classes]}] * n
                for i, p in zip(rows, teacher.soft_labels(texts))}

    def _augment_rows(self, spec: MethodSpec, pool: Dataset, rows: list[int], n: int,
                      split: splitting.Split | None, kind: str | None) -> tuple[dict[int, list[str]], dict]:
        label_text = self.cfg.label_text if kind == "prepend" and self.cfg.label_text else None
        recipe = [("label_lr", spec.finetune_params.get("label_lr", LABEL_LR))] if kind == "cbert" else []
        entry = key(self.data_hash, self.cfg.text_column, method_identity(spec), n, self.cfg.seed,
                    self.model_id, rows, split.dev if split else None, *([label_text] if label_text else []), *recipe)
        path = self.cache / "augment" / f"{spec.method}-{entry}.json"
        if path.is_file():
            saved = json.loads(path.read_text())
            return {int(k): [_loaded(o) for o in v] for k, v in saved["outputs"].items()}, saved["stats"]
        t0 = time.perf_counter()
        if spec.method == "eda":
            from maskaug.augmenter import row_rng
            from maskaug.evaluate.eda import eda

            def eda_row(i: int) -> list:
                text = pool.texts[i]
                if isinstance(text, str):
                    return eda(text, n, row_rng(self.cfg.seed, i, 0, 0), **spec.method_params)
                per_field = [eda(t, n, row_rng(self.cfg.seed, i, 0, j), **spec.method_params)
                             for j, t in enumerate(text)]  # each sentence of a pair on its own
                return list(zip(*per_field))

            outputs = {i: eda_row(i) for i in tqdm(rows, desc="eda", disable=not self.progress, unit="row")}
            forward, rejected = 0, {}
        else:
            from maskaug.augmenter import Augmenter

            model: Any = self.mlm()
            row_labels = [pool.classes[pool.labels[i]] for i in rows]
            label_words = bool(spec.constraint_params.get("label_words"))
            labels = row_labels if kind or "teacher" in spec.constraint_params or label_words else None
            if kind:
                from maskaug.finetune import finetune

                folder = self.cache / "models" / f"{kind}-{entry}"
                if not (folder / "maskaug_conditioning.json").is_file():
                    dev = ([pool.texts[i] for i in split.dev], [pool.classes[pool.labels[i]] for i in split.dev]
                           ) if split.dev else None  # eda2019: finetune holds out its own dev rows
                    finetune([pool.texts[i] for i in rows], row_labels, folder,
                             kind, model=self.cfg.model, seed=self.cfg.seed, dev=dev, label_text=label_text,
                             progress=False, **spec.finetune_params)
                model = str(folder)
            aug = Augmenter(spec.method, model=model, n=n, seed=self.cfg.seed, progress=self.progress and not split,
                            constraints=self._constraints(spec, pool, rows), **spec.method_params)
            outputs = augment_texts(aug, [pool.texts[i] for i in rows], rows, labels,
                                    text_columns(self.cfg.text_column), label_words=label_words,
                                    classes=pool.classes)
            forward = aug.report.forward_passes
            rejected = dict(aug.report.rejected)
        seconds = time.perf_counter() - t0
        stats = {"rows": len(rows), "seconds": seconds, "rows_per_s": len(rows) / seconds if seconds else 0.0,
                 "forward_passes": forward, "rejected": rejected}
        _write_json(path, {"spec": asdict(spec), "outputs": outputs, "stats": stats})
        return outputs, stats

    # -- the run -----------------------------------------------------------------------------------------
    def prepare(self) -> tuple[Dataset, Dataset, dict[int, list[splitting.Split]], Any]:
        """The pool, the test set, the splits by size and the classifier; fingerprints the data and the MLM."""
        from maskaug.embeddings import Embedder
        from maskaug.evaluate.classifiers import make_classifier

        cfg = self.cfg
        self.data_hash = file_digest(cfg.data)
        self.model_id = model_fingerprint(cfg.model)
        pool, test = self.load()
        if cfg.label_text:  # a label text for a label the data lacks: refused before any work
            from maskaug.conditioning import Conditioning

            Conditioning("prepend", pool.classes, label_text=cfg.label_text)
        all_splits = self.make_splits(pool)
        self.embedder = Embedder(cfg.encoder, cache_dir=self.cache, progress=False)
        clf = make_classifier(cfg.classifier, self.embedder, encoder=cfg.encoder, epochs=cfg.epochs, steps=cfg.steps)
        return pool, test, all_splits, clf

    def run_seed(self, split: splitting.Split, r: int = 0) -> int:
        """The seed of a split's ``r``-th classifier runs: the same for every method and for the split's teacher
        (``r = 0``: the seed of a one-seed evaluation, so its cached runs are reused)."""
        return self.cfg.seed * 1000 + split.index + r * 2 ** 32

    @staticmethod
    def dev_rows(pool: Dataset, split: splitting.Split) -> tuple[list, list[int]] | None:
        """A split's dev texts and labels, or None (eda2019 splits have no dev rows)."""
        return ([pool.texts[i] for i in split.dev], [pool.labels[i] for i in split.dev]) if split.dev else None

    def training_set(self, spec: MethodSpec, split: splitting.Split, pool: Dataset, outs: dict[int, list], clf,
                     dev, test_xy, test_key: str, seed: int | None = None) -> tuple[list, list, list[float] | None]:
        """A method's training rows on one split: the real rows, then the generated ones labelled as their
        source (a soft output: as its teacher; teacher=classifier: as the split's no-aug classifier), and the
        per-row loss weights when the spec sets ``aug_weight``. ``seed``: the classifier seed (default: the
        split's first), which a classifier teacher trains with."""
        texts = [pool.texts[i] for i in split.train]
        labels: list = [pool.labels[i] for i in split.train]
        for i in split.train:
            for o in outs[i]:  # a soft output trains on the teacher's probabilities
                texts.append(text_of(o))
                labels.append(o["soft"] if isinstance(o, dict) else pool.labels[i])
        real = len(split.train)
        if spec.distilled:  # the no-aug classifier (same rows, seed and steps) labels the new rows
            labels[real:] = self.teacher_labels(clf, (texts[:real], labels[:real]), dev, test_xy,
                                                self.run_seed(split) if seed is None else seed, test_key,
                                                texts[real:])
        weights = None
        if spec.weight is not None:  # real rows first, weight 1; then the generated ones
            weights = [1.0] * real + [spec.weight] * (len(texts) - real)
        return texts, labels, weights

    def run(self) -> dict[str, Any]:
        cfg = self.cfg
        t_start = time.perf_counter()
        pool, test, all_splits, clf = self.prepare()
        embedder = self.embedder
        from maskaug import __version__

        results: dict[str, Any] = {"config": asdict(cfg), "classes": pool.classes, "pool_size": len(pool.texts),
                                   "test_size": len(test.texts), "runs": [], "summary": {}, "quality": {},
                                   "throughput": {}, "machine": _machine(), "maskaug": __version__,
                                   "model": cfg.model or "maskaug/minilm-l6-mlm (built-in)",
                                   "command": self.command, "examples": {}}
        teachers = {s.label: s.soft_teacher for s in self.specs if s.soft_teacher}
        if teachers:  # whose generated rows train on soft labels, and from which teacher (for the report)
            results["teachers"] = teachers
        test_xy = (test.texts, test.labels)
        test_key = key(test_xy)
        outputs_by: dict[tuple[str, int], list[dict[int, list[str]]]] = {}
        for size, size_splits in all_splits.items():
            n = cfg.n_for(size)
            for spec in self.specs:
                t0 = time.perf_counter()
                outputs_by[spec.label, size], stats = self.augment(spec, pool, size_splits, n)
                self.timings[f"augment {spec.label} size={size}"] = time.perf_counter() - t0
                if stats:
                    results["throughput"][spec.label] = stats
            bar = tqdm(total=len(size_splits) * len(self.specs) * cfg.seeds, desc=f"{cfg.classifier} size={size}",
                       disable=not self.progress, unit="run")
            t0 = time.perf_counter()
            for split in size_splits:
                dev = self.dev_rows(pool, split)
                per_seed = [self.split_runs(split, r, pool, outputs_by, size, clf, dev, test_xy, test_key, bar)
                            for r in range(cfg.seeds)]
                done = per_seed[0] if cfg.seeds == 1 else {s.label: mean_run([d[s.label] for d in per_seed])
                                                           for s in self.specs}
                results["runs"] += [done[s.label] for s in self.specs]
            bar.close()
            self.timings[f"classifiers size={size}"] = time.perf_counter() - t0
            results["cached_runs"] = self.cached_runs
            results["classifier_runs"] = self.classifier_runs
            results["summary"][str(size)] = summarize(results["runs"], size, [s.label for s in self.specs])
            if not results["examples"]:
                results["examples"] = examples(pool, size_splits[0], outputs_by, self.specs, size)
        embedder.save()
        if cfg.quality:
            t0 = time.perf_counter()
            results["quality"] = self.quality(pool, outputs_by, all_splits, embedder)
            embedder.save()
            self.timings["quality"] = time.perf_counter() - t0
        self.timings["total"] = time.perf_counter() - t_start
        results["timings_s"] = self.timings
        return results

    def split_runs(self, split: splitting.Split, r: int, pool: Dataset, outputs_by, size: int, clf, dev, test_xy,
                   test_key: str, bar) -> dict[str, dict[str, Any]]:
        """Every method's run on one split with its ``r``-th classifier seed, by label (a guard compares the runs
        of the same seed)."""
        raw, done = {}, {}
        seed = self.run_seed(split, r)
        for spec in sorted(self.specs, key=lambda s: s.guarded):  # a guard reads the no-aug run
            texts, labels, weights = self.training_set(spec, split, pool, outputs_by[spec.label, size][split.index],
                                                       clf, dev, test_xy, test_key, seed=seed)
            run = self.classify(self.classifier_for(spec, clf), (texts, labels), dev, test_xy, seed=seed,
                                test_key=test_key, weights=weights)
            raw[spec.label] = run
            if spec.guarded:
                run = guard(run, raw["none"])
                texts = texts if run["guard"] == "augmented" else texts[:len(split.train)]
            done[spec.label] = {"size": size, "split": split.index, "method": spec.label,
                                "train_examples": len(texts), **run}
            bar.update(1)
        return done

    def classifier_for(self, spec: MethodSpec, clf):
        """The classifier a method trains: ``clf``, or for ``consistency`` the fine-tuned classifier with its
        consistency term (``weight``, default 1; ``rate``, default 0.15)."""
        if spec.method != "consistency":
            return clf
        if getattr(clf, "name", None) != "finetune":
            raise ValueError("the consistency row trains the fine-tuned classifier: add --classifier finetune")
        import copy as _copy

        variant = _copy.copy(clf)
        variant.consistency = float(spec.params.get("weight", 1.0))
        variant.consistency_rate = float(spec.params.get("rate", 0.15))
        return variant

    def classify(self, clf, train: tuple[list[str], list[int]], dev: tuple[list[str], list[int]] | None,
                 test: tuple[list[str], list[int]], seed: int, test_key: str,
                 weights: list[float] | None = None, score: list | None = None) -> dict[str, Any]:
        """One classifier run, cached by the classifier's settings, the exact data (``test_key``: the
        test set's fingerprint), the row weights and the seed, so an interrupted or repeated evaluation
        redoes only the runs it has not finished. ``score``: texts whose logits the trained model also gives
        (``scores``), a separate cache entry."""
        parts = (clf.settings(), seed, train, dev, test_key) + ((weights,) if weights is not None else ())
        parts += (("score", score),) if score is not None else ()
        path = self.cache / "runs" / f"{key(*parts)}.json"
        self.classifier_runs += 1
        if path.is_file():
            self.cached_runs += 1
            return json.loads(path.read_text())
        r = clf.run(train, dev, test, seed=seed, weights=weights, score=score)
        gold, pred = np.asarray(test[1]), np.asarray(r.test_predictions)
        per_class = {str(c): float((pred[gold == c] == c).mean()) for c in sorted(set(test[1]))} if len(pred) else {}
        out = {"test_accuracy": r.test_accuracy, "dev_accuracy": r.dev_accuracy, "chosen": r.chosen,
               "per_class": per_class}
        if score is not None:
            out["scores"] = r.scores
        _write_json(path, out)
        return out

    def teacher_labels(self, clf, train: tuple[list, list[int]], dev, test: tuple[list, list[int]], seed: int,
                       test_key: str, texts: list) -> list[list[float]]:
        """teacher=classifier: the probabilities that the split's no-aug classifier, trained as its own run is
        (same rows, dev, seed and steps), gives each generated text."""
        if not texts:
            return []
        logits = np.asarray(self.classify(clf, train, dev, test, seed, test_key, score=list(texts))["scores"])
        p = np.exp(logits - logits.max(-1, keepdims=True))
        return (p / p.sum(-1, keepdims=True)).tolist()

    def quality(self, pool: Dataset, outputs_by, all_splits, embedder) -> dict[str, dict[str, float]]:
        from sklearn.linear_model import LogisticRegression

        from maskaug.evaluate.quality import intrinsic

        oracle_key = key(self.data_hash, encoder_identity(self.cfg.encoder), "oracle")
        oracle_path = self.cache / "oracles" / f"{oracle_key}.npz"
        if oracle_path.is_file():
            with np.load(oracle_path) as z:
                oracle = LogisticRegression()
                oracle.coef_, oracle.intercept_, oracle.classes_ = z["coef"], z["intercept"], z["classes"]
        else:
            oracle = LogisticRegression(C=10.0, max_iter=3000).fit(embedder.features(pool.texts), pool.labels)
            write_atomically(oracle_path, lambda tmp: np.savez(tmp, coef=oracle.coef_, intercept=oracle.intercept_,
                                                               classes=oracle.classes_))
        size = next(iter(all_splits))
        rows = sorted({i for s in all_splits[size] for i in s.train})
        out: dict[str, dict[str, Any]] = {}
        pll_cache: dict[str, float] = {}
        flips: dict[str, dict[tuple[int, int], bool]] = {}
        for spec in self.specs:
            if spec.method in NO_TEXT:
                continue
            flips[spec.label] = {}
            outs: dict[int, list[str]] = {}
            for per_split in outputs_by[spec.label, size]:  # a row's first split (conditional methods)
                for i, o in per_split.items():
                    outs.setdefault(i, o)
            mlm = self.mlm() if self.cfg.fluency_sample else None
            out[spec.label] = intrinsic([pool.texts[i] for i in rows], [pool.labels[i] for i in rows],
                                        [[text_of(o) for o in outs[i]] for i in rows], self.cfg.n_for(size),
                                        embedder, oracle, mlm,
                                        self.cfg.fluency_sample, self.cfg.seed, pll_cache, flips[spec.label])
        ref = self.flip_reference()
        for label in out:
            if ref is not None and label != ref:
                common = sorted(flips[label].keys() & flips[ref].keys())
                cmp = paired_rate([flips[label][k] for k in common], [flips[ref][k] for k in common])
                out[label]["flip_vs_reference"] = {"reference": ref, **cmp.as_dict()}
        return out

    def flip_reference(self) -> str | None:
        """The configured reference, else the first plain ``substitute`` spec, else the first ``substitute``."""
        if self.cfg.flip_reference is not None:
            return self.cfg.flip_reference
        subs = [s for s in self.specs if s.method == "substitute"]
        plain = [s for s in subs if not s.constraint_params]
        return (plain or subs)[0].label if subs else None


def encoder_identity(encoder: str | None) -> dict[str, Any]:
    """The sentence encoder / classifier backbone by content (the MiniLM package by default)."""
    from maskaug.embeddings import default_encoder

    return model_fingerprint(encoder or default_encoder())


def augment_texts(aug, texts: list, ids: list[int], labels: list[Any] | None,
                  fields: list[str] = ("text",), label_words: bool = False,
                  classes: list[str] | None = None) -> dict[int, list]:
    """Each text's (or pair's) new texts, through the one augmentation job (the evaluation's rows, in memory)."""
    from maskaug.job import AugmentJob, JobConfig

    fields = list(fields)
    label_key = "_maskaug_label" if "label" in fields else "label"
    rows = []
    for t, y in zip(texts, labels if labels is not None else [None] * len(texts)):
        row = {fields[0]: t} if isinstance(t, str) else dict(zip(fields, t))
        if labels is not None:
            row[label_key] = y
        rows.append(row)
    config = JobConfig(method=aug.method.name, n=aug.n, seed=aug.seed, text_columns=tuple(fields),
                       label_column=label_key if labels is not None else None, progress=False, label_words=label_words)
    out: dict[int, list] = {i: [] for i in ids}
    for rec in AugmentJob(config, rows=rows, ids=ids, augmenter=aug).run().records:
        value = rec[fields[0]] if len(fields) == 1 else tuple(rec[f] for f in fields)
        if "aug_teacher_probs" in rec and classes is not None:  # the teacher's soft label, in the classes' order
            value = {"text": value, "soft": [float(rec["aug_teacher_probs"].get(c, 0.0)) for c in classes]}
        out[rec["aug_source_row"]].append(value)
    return out


def text_of(output) -> str | tuple[str, ...]:
    """An output's text (a soft output is ``{"text": ..., "soft": [probabilities]}``)."""
    return output["text"] if isinstance(output, dict) else output


def _loaded(o):
    """An output read back from a JSON cache: pairs as tuples again."""
    if isinstance(o, dict):
        return {**o, "text": _loaded(o["text"])}
    return o if isinstance(o, str) else tuple(o)


def _joined(text) -> str:
    return text if isinstance(text, str) else " / ".join(text)


def examples(pool: Dataset, split: splitting.Split, outputs_by, specs: list[MethodSpec], size: int,
             k: int = 3) -> dict[str, list[dict[str, str]]]:
    """The first ``k`` training rows of the first split with each method's first output, for the report."""
    rows = split.train[:k]
    out = {}
    for spec in specs:
        if spec.method in NO_TEXT:
            continue
        outs = outputs_by[spec.label, size][split.index]
        out[spec.label] = [{"source": _joined(pool.texts[i]), "output": _joined(text_of(outs[i][0])),
                            "label": pool.classes[pool.labels[i]]} for i in rows if outs.get(i)]
    return out


def guard(augmented: dict[str, Any], none: dict[str, Any]) -> dict[str, Any]:
    """``guard=dev``: the augmented run when its dev accuracy is higher than the no-aug run's, else the no-aug run
    (a tie keeps no-aug: the generated rows have to earn their place), marked with which was kept."""
    if augmented["dev_accuracy"] is None or none["dev_accuracy"] is None:
        raise ValueError("guard=dev needs dev accuracies (kumar2020 splits)")
    if augmented["dev_accuracy"] > none["dev_accuracy"]:
        return {**augmented, "guard": "augmented"}
    return {**none, "guard": "none"}


def mean_run(seed_runs: list[dict[str, Any]]) -> dict[str, Any]:
    """One split's record over several classifier seeds: mean test and dev accuracy and per-class accuracy, the
    seeds' own runs under ``seed_runs`` (a guarded spec: which classifier each seed kept)."""
    first = seed_runs[0]
    per_class = {c: float(np.mean([r["per_class"][c] for r in seed_runs])) for c in first.get("per_class", {})}
    dev = [r["dev_accuracy"] for r in seed_runs]
    return {"size": first["size"], "split": first["split"], "method": first["method"],
            "train_examples": first["train_examples"] if "guard" not in first else None,
            "test_accuracy": float(np.mean([r["test_accuracy"] for r in seed_runs])),
            "dev_accuracy": None if None in dev else float(np.mean(dev)), "per_class": per_class,
            "seed_runs": [{k: r[k] for k in ("test_accuracy", "dev_accuracy", "chosen", "guard", "train_examples")
                           if k in r} for r in seed_runs]}


def summarize(runs: list[dict], size: int, labels: list[str]) -> dict[str, dict]:
    """Mean, 95% interval and paired differences (vs none, vs copy, vs EDA) per method for one size; per-class
    accuracy means; for a guarded method, on how many splits its augmented classifier was kept."""
    acc: dict[str, list[float]] = {}
    kept: dict[str, int] = {}  # guard=dev: splits (several seeds: runs) whose augmented classifier was kept
    guard_runs: dict[str, int] = {}
    per_class: dict[str, dict[str, list[float]]] = {}
    for r in sorted((r for r in runs if r["size"] == size), key=lambda r: r["split"]):
        acc.setdefault(r["method"], []).append(r["test_accuracy"])
        guards = [s["guard"] for s in r.get("seed_runs", [r]) if "guard" in s]  # one per seed
        if guards:
            kept[r["method"]] = kept.get(r["method"], 0) + guards.count("augmented")
            guard_runs[r["method"]] = guard_runs.get(r["method"], 0) + len(guards)
        for c, v in r.get("per_class", {}).items():
            per_class.setdefault(r["method"], {}).setdefault(c, []).append(v)
    below = {"none": ("none",), "copy": ("none", "copy"), "eda": ("none", "copy", "eda")}
    out = {}
    for label in labels:
        mean, std = mean_std(acc[label])
        lo, hi = mean_ci(acc[label])
        entry: dict[str, Any] = {"mean": mean, "std": std, "n": len(acc[label]), "ci_lo": lo, "ci_hi": hi,
                                 "per_class": {c: float(np.mean(v)) for c, v in per_class.get(label, {}).items()}}
        for base, not_for in below.items():
            if base in acc and label not in not_for:
                entry[f"vs_{base}"] = paired(acc[label], acc[base]).as_dict()
        if label in kept:
            entry["guard_kept"] = kept[label]
            if guard_runs[label] != len(acc[label]):  # several seeds per split: kept out of how many runs
                entry["guard_runs"] = guard_runs[label]
        out[label] = entry
    return out


def _machine() -> dict[str, Any]:
    import torch

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "torch_threads": torch.get_num_threads(),
            "python": platform.python_version(), "torch": torch.__version__}
