"""Arms: each row of an evaluation's table is one arm, which says what a split trains on besides its own rows.

An arm has one job: the rows it adds to each split (``outputs``: per split, the added rows of each training row),
and, for the one that trains differently, the learner it trains (``learner``). How the learner weights and labels
the added rows is the spec's :class:`~maskaug.evaluate.spec.TrainOptions`, read by the run loop, not by the arm.

- ``none``: nothing added (a control);
- ``copy``: each training row repeated n times: the added rows' count and steps, no new text (a control); with
  ``teacher=soft`` the repeats carry the split teacher's probabilities (the control for a soft-label method);
- ``consistency``: no rows; the fine-tuned classifier also trains for agreement between two random maskings of
  each batch (MaskAugment's consistency term; ``weight``, ``rate``);
- ``eda``: Wei & Zou's EDA, the registered method ``eda.v1`` (an outside baseline);
- any registered method (``substitute``, ``insert:rate=0.3``, ``prepend``, ``melm``, ...): its outputs, made by the
  augmentation job; a label-conditional method fine-tunes its MLM on each split's own rows first.

A new arm is one class here and one entry in :data:`ARMS`. Every output an arm makes is kept in the evaluation's
:class:`~maskaug.evaluate.store.Store`, keyed by the fingerprint of the function's actual arguments.
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
        own = set(self.spec.method_params) - set(self.params)
        if own:
            raise ValueError(f"method spec {self.label!r}: {self.name} has no parameter(s) {sorted(own)}"
                             + (f"; it takes {sorted(self.params)}" if self.params else ""))
        protocol.check_arm(self)

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


class NoneArm(Arm):
    """No augmentation: the split's own rows."""

    name, role, takes, why, text = "none", "control", (), "adds no rows", False


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
        if protocol.cfg.classifier != "finetune":
            raise ValueError("the consistency row trains the fine-tuned classifier: add --classifier finetune")

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


ARMS: dict[str, type[Arm]] = {"none": NoneArm, "copy": CopyArm, "consistency": ConsistencyArm, "eda": EdaArm}


def arm_for(spec: Any) -> Arm:
    """The arm a spec names: a registered arm, else a registered method (:class:`GenerateArm`)."""
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
    from maskaug.job import AugmentJob, JobConfig

    if record == "tagged":
        rows = [{"tokens": list(t), "tags": list(y)} for t, y in zip(inputs, labels)]
        config = JobConfig(method=aug.method.name, n=aug.n, seed=aug.seed, record="tagged", progress=False)
    else:
        label_key = "_maskaug_label" if "label" in fields else "label"
        rows = []
        for t, y in zip(inputs, labels if labels is not None else [None] * len(inputs)):
            row = {fields[0]: t} if isinstance(t, str) else dict(zip(fields, t))
            if labels is not None:
                row[label_key] = y
            rows.append(row)
        config = JobConfig(method=aug.method.name, n=aug.n, seed=aug.seed, text_columns=tuple(fields),
                           label_column=label_key if labels is not None else None, progress=False,
                           label_words=label_words)
    out: dict[Any, list] = {i: [] for i in ids}
    for rec in AugmentJob(config, rows=rows, ids=ids, augmenter=aug).run().records:
        if record == "tagged":
            value: Any = (rec["tokens"], len(rec["aug_edits"]))
        else:
            value = rec[fields[0]] if len(fields) == 1 else tuple(rec[f] for f in fields)
            if "aug_teacher_probs" in rec and classes is not None:  # the teacher's soft label, in the classes' order
                value = {"text": value, "soft": [float(rec["aug_teacher_probs"].get(c, 0.0)) for c in classes]}
        out[rec["aug_source_row"]].append(value)
    return out


__all__ = ["ARMS", "ROLES", "Arm", "ConsistencyArm", "CopyArm", "EdaArm", "GenerateArm", "NoneArm", "arm_for",
           "CLASSIFIER"]
