"""What an evaluation makes and keeps in its ``Store``, each keyed by the fingerprint of its actual arguments:
learner runs, per-split fine-tuned MLMs, augmentations, encoders adapted to the unlabelled pool; and the loaded
models the augmentations run on (kept for the process).

Two keys keep the names their entries were first stored under (``learner_run`` was ``runner.learner_run``,
``generated`` was ``arms.generated``), so a store made before these functions moved is still read back.
"""

from __future__ import annotations

import time
from typing import Any

from maskaug.evaluate.store import ModelRef, Store, cached


@cached("runs", added=("unlabelled",), name="maskaug.evaluate.runner.learner_run")
def learner_run(store: Store, learner, train: tuple[list, list], dev: tuple[list, list] | None,
                test: tuple[list, list], seed: int, weights: list[float] | None = None,
                score: list | None = None, unlabelled: tuple[list, list] | None = None) -> dict[str, Any]:
    """One run of ``learner`` as its JSON record (``score``: texts whose logits it also gives; ``unlabelled``:
    ``(texts, views)`` for a learner that trains on them)."""
    return learner.evaluate(train, dev, test, seed=seed, weights=weights, score=score, unlabelled=unlabelled)


def finetuned(store: Store, kind: str, base: ModelRef, record: str, inputs: list, labels: list,
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


def adapted(store: Store, base: ModelRef, texts: list[str], seed: int, epochs: int):
    """The MLM trained further on ``texts`` (plain masked-LM fine-tuning, early stopped on held-out rows): the
    encoder ``tapt`` starts from."""
    def make(folder) -> None:
        from maskaug.finetune import finetune

        finetune(texts, None, folder, "none", model=base.name, seed=seed, max_epochs=epochs, progress=False)

    deps = {"kind": "tapt", "base": base, "texts": texts, "seed": seed, "epochs": epochs}
    return store.folder("models", deps, make, done="maskaug_conditioning.json", prefix="tapt")


def job_constraints(constraints: dict[str, Any], inputs: list, labels: list[str] | None, embedder):
    """A spec's constraint parameters as the augmentation job's constraints, built for these rows: its teacher is
    trained on the rows being augmented (one split's labelled rows); ``label_words`` is the job's, not a
    constraint."""
    from maskaug.constraints import build

    cons = {k: v for k, v in constraints.items() if k != "label_words"}
    if "teacher" in cons:  # trained on the rows being augmented (this split's labelled data)
        cons["teacher_mode"] = "soft" if cons["teacher"] == "soft" else "filter"
        cons["teacher"] = "train"
    return build(**cons, texts=inputs, labels=labels, embedder=embedder)


@cached("augment", name="maskaug.evaluate.arms.generated")
def generated(store: Store, method: str, params: dict[str, Any], constraints: dict[str, Any], model: ModelRef,
              record: str, fields: list[str], inputs: list, ids: list, labels: list[str] | None,
              classes: list[str] | None, n: int, seed: int, max_attempts: int, embedder) -> dict[str, Any]:
    """``{"outputs": {id: [output, ...]}, "stats": {...}}`` for these rows, through the one augmentation job."""
    from maskaug.augmenter import Augmenter

    t0 = time.perf_counter()
    mlm = loaded(model)
    aug = Augmenter(method, model=mlm, n=n, seed=seed, max_attempts=max_attempts,
                    constraints=job_constraints(constraints, inputs, labels, embedder), **params)
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


def augment_rows(aug, record: str, fields: list[str], inputs: list, ids: list, labels: list | None,
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


__all__ = ["adapted", "augment_rows", "finetuned", "generated", "job_constraints", "learner_run", "loaded"]
