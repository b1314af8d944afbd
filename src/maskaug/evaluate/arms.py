"""Arms: each row of an evaluation's table is one arm, which says what a split trains on besides its own rows.

An arm has one job: the rows it adds to each split (``outputs``: per split, the added rows of each training row),
and, for the one that trains differently, the learner it trains (``learner``). How the learner weights and labels
the added rows is the spec's ``TrainOptions``, read by the run loop, not by the arm.

- ``none``: nothing added (a control);
- ``copy``: each training row repeated n times: the added rows' count and steps, no new text (a control); with
  ``teacher=soft`` the repeats carry the split teacher's probabilities (the control for a soft-label method);
- ``consistency``: no rows; the fine-tuned classifier also trains for agreement between two random maskings of
  each batch (MaskAugment's consistency term; ``weight``, ``rate``);
- ``eda``: Wei & Zou's EDA, the registered method ``eda.v1`` (an outside baseline);
- any registered method (``substitute``, ``insert:rate=0.3``, ``prepend``, ``melm``, ...): its outputs, made by the
  augmentation job; a label-conditional method fine-tunes its MLM on each split's own rows first.

A new arm is one class here and one entry in ``ARMS``. Every output an arm makes is kept in the evaluation's
``Store``, keyed by the fingerprint of the function's actual arguments.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, ClassVar

from maskaug.evaluate.spec import CLASSIFIER, CONSTRAINT_KEYS, TRAIN_KEYS, ArmSpec
from maskaug.evaluate.store import ModelRef, Store, cached

if TYPE_CHECKING:
    from maskaug.evaluate.data import Dataset
    from maskaug.evaluate.splits import Split

ROLES = ("control", "baseline", "method")  # how a report shows an arm: a control, an outside baseline, maskaug's


class Arm:
    """One row of the table (see the module's docstring)."""

    name: ClassVar[str] = ""
    role: ClassVar[str] = "method"
    params: ClassVar[dict[str, Any]] = {}  # its own parameters and their defaults
    takes: ClassVar[tuple[str, ...]] = CONSTRAINT_KEYS + TRAIN_KEYS  # the constraint and training options it honours
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
        taken = self.takes + (("teacher",) if self.name == "copy" and self.options.soft else ())
        return [f"{k}={self.spec.params[k]}" for k in CONSTRAINT_KEYS + TRAIN_KEYS
                if k in self.spec.params and k not in taken]

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
        if protocol.cfg.classifier != "finetune":
            raise ValueError(f"method spec {self.label!r}: {doing}: add --classifier finetune")

    def setting(self, key: str) -> Any:
        """One of its own parameters (its default when the spec does not set it)."""
        return self.spec.params.get(key, self.params[key])

    def outputs(self, ev, pool: Dataset, splits: list[Split], n: int) -> tuple[list[dict[int, list]], dict]:
        """Per split, the rows added for each training row (a soft row: ``{"text": ..., "soft": [p, ...]}``), and
        generation statistics (empty when nothing was generated)."""
        return [{i: [] for i in s.train} for s in splits], {}

    def learner(self, base):
        """The learner this arm trains (the protocol's, unless the arm trains differently)."""
        return base

    def train(self, ev, ctx) -> dict[str, Any]:
        """One split's run (a ``SplitRun``): the split's rows and the arm's added
        rows, labelled and weighted as the spec's training options say, through the arm's learner."""
        texts, labels, weights = ev.training_set(self, ctx.split, ctx.pool, ctx.outputs, ctx.learner, ctx.dev,
                                                 ctx.test, ctx.seed)
        run = ev.learn(self.learner(ctx.learner), (texts, labels), ctx.dev, ctx.test, ctx.seed, weights)
        return {"train_examples": len(texts), **run}


class NoneArm(Arm):
    """No augmentation: the split's own rows."""

    name, role, takes, why, text = "none", "control", (), "adds no rows", False

    def train(self, ev, ctx):
        return ev.supervised(ctx)


class CopyArm(Arm):
    """Each training row repeated n times: a method's added rows and steps, with no new text."""

    name, role, takes, why, text = "copy", "control", ("aug_weight", "guard"), "repeats the training rows", False

    def outputs(self, ev, pool, splits, n):
        if self.options.teacher == "soft":  # labelled by the split's teacher, as a teacher=soft method's rows are
            return [soft_copies(ev, pool, s, n) for s in splits], {}
        return [{i: [pool.texts[i]] * n for i in s.train} for s in splits], {}


def soft_copies(ev, pool: Dataset, split: Split, n: int) -> dict[int, list[dict]]:
    """``n`` repeats of each training row, labelled by the probabilities the split's teacher (the one a
    ``teacher=soft`` method uses) gives its own text."""
    from maskaug.constraints import Teacher

    rows = sorted(split.train)  # fitted as a teacher=soft method's is (maskaug.constraints.build)
    texts = [pool.texts[i] for i in rows]
    teacher = Teacher(texts, [pool.classes[pool.labels[i]] for i in rows], mode="soft", embedder=ev.embedder)
    return {i: [{"text": pool.texts[i], "soft": [p.get(c, 0.0) for c in pool.classes]}] * n
            for i, p in zip(rows, teacher.soft_labels(texts))}


class ConsistencyArm(Arm):
    """No rows; the fine-tuned classifier also trained for agreement between two random maskings of each batch."""

    name, takes, why, text = "consistency", ("guard",), "adds no rows", False
    params = {"weight": 1.0, "rate": 0.15}

    def check(self, protocol) -> None:
        super().check(protocol)
        self.needs_finetune(protocol, "the consistency row trains the fine-tuned classifier")

    def learner(self, base):
        if getattr(base, "name", None) != "finetune":
            raise ValueError("the consistency row trains the fine-tuned classifier: add --classifier finetune")
        import copy

        variant = copy.copy(base)
        variant.consistency = float(self.setting("weight"))
        variant.consistency_rate = float(self.setting("rate"))
        return variant


class GenerateArm(Arm):
    """The outputs of a registered method, made by the augmentation job."""

    def __init__(self, spec: ArmSpec):
        super().__init__(spec)
        from maskaug.methods.registry import build, effective_params

        self.method = build(spec.method, **spec.method_params)  # raises on an unknown method or parameter
        self.name, self.params = effective_params(spec.method, **spec.method_params)
        self.kind = self.method.capabilities.requires  # a conditioning: its MLM is fine-tuned per split
        if spec.finetune_params and self.kind != "cbert":
            raise ValueError(f"method spec {spec.label!r}: {sorted(spec.finetune_params)} applies to the per-split "
                             f"fine-tuning of cbert only")

    def check(self, protocol) -> None:
        protocol.check_arm(self)

    def per_split(self, protocol) -> bool:
        """Whether each split's rows are augmented on their own (its own MLM, teacher or label words)."""
        c = self.spec.constraint_params
        return bool(self.kind) or "teacher" in c or bool(c.get("label_words")) or not protocol.shared_augmentation

    def outputs(self, ev, pool, splits, n):
        per_split = self.per_split(ev.protocol)
        groups = [[s] for s in splits] if per_split else [splits]
        found: dict[int, dict[int, list]] = {}
        total = {"rows": 0, "seconds": 0.0, "forward_passes": 0, "rejected": {}}
        for group in groups:
            rows = sorted({i for s in group for i in s.train})
            outs, stats = self.generate(ev, pool, rows, n, group[0] if per_split else None)
            for s in group:
                found[s.index] = {i: outs[i] for i in s.train}
            for k in ("rows", "seconds", "forward_passes"):
                total[k] += stats[k]
            for k, v in stats.get("rejected", {}).items():
                total["rejected"][k] = total["rejected"].get(k, 0) + v
        total["rows_per_s"] = total["rows"] / total["seconds"] if total["seconds"] else 0.0
        stats = {"rows": total["rows"], "seconds": total["seconds"], "rows_per_s": total["rows_per_s"],
                 "forward_passes": total["forward_passes"], "rejected": total["rejected"]}
        return [found[s.index] for s in splits], stats

    def generate(self, ev, pool: Dataset, rows: list[int], n: int, split: Split | None
                 ) -> tuple[dict[int, list], dict]:
        """The outputs of ``rows`` (pool indexes) and their statistics; ``split``: the one split they belong to
        when the method works per split."""
        protocol, cfg = ev.protocol, ev.cfg
        model = ev.model_ref
        labelled = bool(self.kind) or "teacher" in self.spec.constraint_params or bool(
            self.spec.constraint_params.get("label_words"))
        inputs = [pool.texts[i] for i in rows]
        seed = protocol.augment_seed(split)
        if self.kind:
            model = finetuned(ev.store, self.kind, model, protocol.record, inputs, protocol.targets(pool, rows),
                              protocol.dev_rows_named(pool, split), seed,
                              cfg.label_text if self.kind == "prepend" else None, self.spec.finetune_params)
        ids = protocol.row_ids(rows)
        saved = generated(ev.store, self.name, self.params, self.spec.constraint_params, model, protocol.record,
                          protocol.fields, inputs, ids, protocol.job_labels(pool, rows, labelled),
                          pool.classes if labelled else None, n, seed, cfg.max_attempts, ev.embedder)
        outputs = {i: [protocol.loaded(o) for o in saved["outputs"][str(rid)]] for i, rid in zip(rows, ids)}
        return outputs, saved["stats"]


class EdaArm(GenerateArm):
    """EDA (Wei & Zou 2019), the registered method ``eda.v1``: an outside baseline beside maskaug's methods."""

    role = "baseline"


# -- arms that learn from the unlabelled pool ------------------------------------------------------------------
class UnlabelledArm(Arm):
    """What the semi-supervised arms share: the unlabelled pool, each row's masked-LM views (``view``: any
    registered method spec, ``view_<param>=...`` its parameters; ``view=none``: the row itself, the control that
    shows what the view adds), and optionally an encoder adapted to the pool first (``tapt=true``)."""

    unlabelled, text, prefixes = True, False, ("view_",)
    takes = ("guard",)
    why = "labels its added rows itself"

    def __init__(self, spec: ArmSpec):
        super().__init__(spec)
        from maskaug.methods.registry import build, effective_params

        view = str(self.setting("view"))
        name, _, inline = view.partition(":")
        params = {**ArmSpec.parse(f"x:{inline}").params, **{k[len("view_"):]: v for k, v in spec.params.items()
                                                              if k.startswith("view_")}}
        if name == "none":
            if params:
                raise ValueError(f"method spec {spec.label!r}: view=none takes no view parameters")
            self.view = None
        else:
            try:
                build(name, **params)  # an unknown method or parameter fails here
            except KeyError as exc:
                raise ValueError(f"method spec {spec.label!r}: view: {exc.args[0]}") from None
            self.view = effective_params(name, **params)
        self.role = "control" if self.view is None else "method"
        self._views: dict[int, dict[int, list]] = {}  # size -> unlabelled row -> its views

    def check(self, protocol) -> None:
        super().check(protocol)
        if self.setting("tapt"):
            self.needs_finetune(protocol, "tapt=true adapts the fine-tuned classifier's encoder")

    def outputs(self, ev, pool, splits, n):
        """No rows per training row; the views of every unlabelled row these splits use, kept for ``train``."""
        u = ev.unlabelled
        rows = u.used(splits)
        count = int(self.setting("views"))
        nothing, _ = super().outputs(ev, pool, splits, n)
        if self.view is None:
            self._views[splits[0].size] = {r: [u.texts[r]] * count for r in rows}
            return nothing, {}
        name, params = self.view
        saved = generated(ev.store, name, params, {}, ev.model_ref, ev.protocol.record, ev.protocol.fields,
                          [u.texts[r] for r in rows], rows, None, None, count, ev.cfg.seed, ev.cfg.max_attempts,
                          ev.embedder)
        self._views[splits[0].size] = {r: [ev.protocol.loaded(o) for o in saved["outputs"][str(r)]] for r in rows}
        return nothing, saved["stats"]

    def base_learner(self, ev, ctx):
        """The protocol's learner, or with ``tapt=true`` the same learner on the encoder adapted to the pool."""
        if not self.setting("tapt"):
            return ctx.learner
        return tapt_learner(ev, ctx.learner, ctx.size, int(self.setting("tapt_epochs")))

    def pool_rows(self, ev, ctx) -> tuple[list[int], list]:
        """The split's unlabelled rows and their texts."""
        rows = ev.unlabelled.rows(ctx.split)
        return rows, [ev.unlabelled.texts[r] for r in rows]


class SelfTrainArm(UnlabelledArm):
    """Self-training: the split's supervised learner labels its unlabelled rows; the ``per_class`` most confident
    of each class at or above ``threshold`` join the training set with their views, labelled as the teacher says
    (loss weight ``aug_weight``); the student trains on all of it, the split's own rows repeated to half of it
    (``balance``; UDA keeps a labelled batch beside the unlabelled one for the same reason). ``rounds`` > 1: the
    student is the next teacher."""

    name = "selftrain"
    takes = ("guard", "aug_weight")
    params = {"view": "substitute", "views": 1, "threshold": 0.9, "per_class": 100, "rounds": 1, "balance": True,
              "tapt": False, "tapt_epochs": 3}

    def train(self, ev, ctx):
        from maskaug.training.selftrain import pseudo_labels, softmax, training_rows

        learner = self.base_learner(ev, ctx)
        rows, texts = self.pool_rows(ev, ctx)
        run = ev.supervised(ctx, learner)  # the no-aug run (tapt: on the adapted encoder) is the first teacher
        rounds, views = int(self.setting("rounds")), self._views[ctx.size]
        info: dict[str, Any] = {}
        threshold, per_class = float(self.setting("threshold")), int(self.setting("per_class"))
        row_views = {p: views.get(r, []) for p, r in enumerate(rows)}
        for r in range(rounds):
            chosen, info = pseudo_labels(softmax(run["scores"]), threshold, per_class)
            gold = ev.unlabelled.gold
            if gold is not None and chosen:  # rest: how often the teacher was right (never read by a learner)
                info["pseudo_accuracy"] = sum(gold[rows[p]] == y for p, y in chosen) / len(chosen)
            x, y, real = training_rows(ctx.labelled, texts, chosen, row_views, bool(self.setting("balance")))
            weights = None
            if self.options.weight is not None:
                weights = [1.0] * real + [self.options.weight] * (len(x) - real)
            run = ev.learn(learner, (x, y), ctx.dev, ctx.test, ctx.seed, weights,
                           score=texts if r + 1 < rounds else None)
        return {"train_examples": len(x), **run, "unlabelled": info}


class UdaArm(UnlabelledArm):
    """UDA (Xie et al. 2020): the fine-tuned classifier's supervised loss plus, on every step, ``ratio`` unlabelled
    rows per labelled row whose sharpened prediction teaches the prediction on their view (confidence mask
    ``threshold``, sharpening ``temperature``, weight ``weight``)."""

    name = "uda"
    params = {"view": "substitute", "views": 1, "weight": 1.0, "ratio": 3, "temperature": 0.4, "threshold": 0.8,
              "tapt": False, "tapt_epochs": 3}

    def check(self, protocol) -> None:
        super().check(protocol)
        self.needs_finetune(protocol, "uda trains the fine-tuned classifier")
        self.settings()

    def settings(self):
        """The consistency term's settings, checked."""
        from maskaug.training.uda import UdaSettings

        return UdaSettings(float(self.setting("weight")), self.setting("ratio"), float(self.setting("temperature")),
                           float(self.setting("threshold"))).check()

    def train(self, ev, ctx):
        import copy

        learner = copy.copy(self.base_learner(ev, ctx))
        learner.uda = self.settings()
        rows, texts = self.pool_rows(ev, ctx)
        views = [self._views[ctx.size].get(r, []) for r in rows]
        labelled = ctx.labelled
        run = ev.learn(learner, labelled, ctx.dev, ctx.test, ctx.seed, unlabelled=(texts, views))
        return {"train_examples": len(labelled[0]), **run}


class TaptArm(Arm):
    """Task-adaptive pretraining (Gururangan et al. 2020): the classifier's encoder first trained as a masked LM
    on the unlabelled pool (``epochs``), then fine-tuned on the split's rows as the no-aug row is."""

    name, takes, why, text, unlabelled = "tapt", ("guard",), "adds no rows", False, True
    params = {"epochs": 3}

    def check(self, protocol) -> None:
        super().check(protocol)
        self.needs_finetune(protocol, "tapt adapts the fine-tuned classifier's encoder")

    def train(self, ev, ctx):
        return ev.supervised(ctx, tapt_learner(ev, ctx.learner, ctx.size, int(self.setting("epochs"))))


def tapt_learner(ev, base, size: int, epochs: int):
    """``base`` on the encoder adapted (masked-LM training, no labels) to every unlabelled row of this size's
    splits; made once per evaluation and size, kept in the store."""
    import copy

    splits = ev.splits_of(size)
    texts = [ev.unlabelled.texts[r] for r in ev.unlabelled.used(splits)]
    texts = [t if isinstance(t, str) else " ".join(t) for t in texts]
    folder = adapted(ev.store, ev.model_ref, texts, ev.cfg.seed, epochs)
    variant = copy.copy(base)
    variant.encoder = str(folder)
    variant._tokenizer = None
    return variant


def adapted(store: Store, base: ModelRef, texts: list[str], seed: int, epochs: int):
    """The MLM trained further on ``texts`` (plain masked-LM fine-tuning, early stopped on held-out rows)."""
    def make(folder) -> None:
        from maskaug.finetune import finetune

        finetune(texts, None, folder, "none", model=base.name, seed=seed, max_epochs=epochs, progress=False)

    deps = {"kind": "tapt", "base": base, "texts": texts, "seed": seed, "epochs": epochs}
    return store.folder("models", deps, make, done="maskaug_conditioning.json", prefix="tapt")


ARMS: dict[str, type[Arm]] = {"none": NoneArm, "copy": CopyArm, "consistency": ConsistencyArm, "eda": EdaArm,
                              "selftrain": SelfTrainArm, "uda": UdaArm, "tapt": TaptArm}


def arm_for(spec: Any) -> Arm:
    """The arm a spec names: a registered arm, else a registered method (``GenerateArm``)."""
    spec = spec if isinstance(spec, ArmSpec) else ArmSpec.parse(spec)
    return ARMS.get(spec.method, GenerateArm)(spec)


# -- what arms make, kept in the store by their actual arguments ----------------------------------------------
def finetuned(store: Store, kind: str, base: ModelRef, record: str, inputs: list, labels: list[str],
              dev: tuple[list, list[str]] | None, seed: int, label_text: dict[str, str] | None,
              options: dict[str, Any]) -> ModelRef:
    """The MLM fine-tuned with ``kind`` conditioning on these rows (label-conditional methods; MELM for token/tag
    records), made once and kept in the store."""
    from maskaug.finetune import LABEL_LR

    recipe = {**options, "label_lr": options.get("label_lr", LABEL_LR)} if kind == "cbert" else dict(options)

    def make(folder) -> None:
        if record == "tagged":
            from maskaug.finetune import finetune_melm

            finetune_melm(list(zip(inputs, labels)), folder, model=base.name, seed=seed, progress=False)
        else:
            from maskaug.finetune import finetune

            finetune(inputs, labels, folder, kind, model=base.name, seed=seed, dev=dev, label_text=label_text,
                     progress=False, **options)

    deps = {"kind": kind, "base": base, "record": record, "inputs": inputs, "labels": labels, "dev": dev,
            "seed": seed, "label_text": label_text, "recipe": recipe}
    folder = store.folder("models", deps, make, done="maskaug_conditioning.json", prefix=kind)
    return ModelRef(str(folder), base.device, base.dtype, base.backend)


@cached("augment")
def generated(store: Store, method: str, params: dict[str, Any], constraints: dict[str, Any], model: ModelRef,
              record: str, fields: list[str], inputs: list, ids: list, labels: list[str] | None,
              classes: list[str] | None, n: int, seed: int, max_attempts: int, embedder) -> dict[str, Any]:
    """``{"outputs": {id: [output, ...]}, "stats": {...}}`` for these rows, through the one augmentation job."""
    from maskaug.augmenter import Augmenter
    from maskaug.constraints import build as build_constraints

    t0 = time.perf_counter()
    cons = {k: v for k, v in constraints.items() if k != "label_words"}
    if "teacher" in cons:  # trained on the rows being augmented (this split's labelled data)
        cons["teacher_mode"] = "soft" if cons["teacher"] == "soft" else "filter"
        cons["teacher"] = "train"
    aug = Augmenter(method, model=loaded(model), n=n, seed=seed, max_attempts=max_attempts,
                    constraints=build_constraints(**cons, texts=inputs, labels=labels, embedder=embedder), **params)
    outputs = augment_rows(aug, record, fields, inputs, ids, labels, bool(constraints.get("label_words")), classes)
    seconds = time.perf_counter() - t0
    stats = {"rows": len(inputs), "seconds": seconds, "rows_per_s": len(inputs) / seconds if seconds else 0.0,
             "forward_passes": aug.report.forward_passes, "rejected": dict(aug.report.rejected)}
    if record == "tagged":
        changed = sum(e for outs in outputs.values() for _, e in outs)
        tokens = sum(len(o) for outs in outputs.values() for o, _ in outs)
        stats["tokens_changed"] = round(changed / max(tokens, 1), 4)
        outputs = {k: [o for o, _ in outs] for k, outs in outputs.items()}
    return {"outputs": {str(k): v for k, v in outputs.items()}, "stats": stats}


_LOADED: dict[ModelRef, Any] = {}


def loaded(ref: ModelRef):
    """The loaded model of ``ref``, kept for the process (the last two: per-split models come one at a time)."""
    if ref not in _LOADED:
        while len(_LOADED) >= 2:
            _LOADED.pop(next(iter(_LOADED)))
        _LOADED[ref] = ref.load()
    return _LOADED[ref]


def augment_rows(aug, record: str, fields: list[str], inputs: list, ids: list, labels: list[str] | None,
                 label_words: bool, classes: list[str] | None) -> dict[Any, list]:
    """Each row's outputs, through the augmentation job held in memory: texts (tuples for pairs; a soft output
    is ``{"text": ..., "soft": [p per class]}``), or for token/tag records ``(tokens, edits)``."""
    from maskaug.pipeline import augment_records

    if record == "tagged":
        rows = [{"tokens": list(t), "tags": list(y)} for t, y in zip(inputs, labels)]
        records = augment_records(aug, rows, ids, record="tagged")
    else:
        label_key = "_maskaug_label" if "label" in fields else "label"
        rows = []
        for t, y in zip(inputs, labels if labels is not None else [None] * len(inputs)):
            row = {fields[0]: t} if isinstance(t, str) else dict(zip(fields, t))
            if labels is not None:
                row[label_key] = y
            rows.append(row)
        records = augment_records(aug, rows, ids, text_columns=fields,
                                  label_column=label_key if labels is not None else None, label_words=label_words)
    out: dict[Any, list] = {i: [] for i in ids}
    for rec in records:
        if record == "tagged":
            value: Any = (rec["tokens"], len(rec["aug_edits"]))
        else:
            value = rec[fields[0]] if len(fields) == 1 else tuple(rec[f] for f in fields)
            if "aug_teacher_probs" in rec and classes is not None:  # the teacher's soft label, in the classes' order
                value = {"text": value, "soft": [float(rec["aug_teacher_probs"].get(c, 0.0)) for c in classes]}
        out[rec["aug_source_row"]].append(value)
    return out


__all__ = ["ARMS", "ROLES", "Arm", "ConsistencyArm", "CopyArm", "EdaArm", "GenerateArm", "NoneArm", "SelfTrainArm",
           "TaptArm", "UdaArm", "UnlabelledArm", "arm_for", "CLASSIFIER"]
