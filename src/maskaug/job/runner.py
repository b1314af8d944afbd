"""The run stage of a plan: its constraints, its choice stage's scorer, and the runner that turns rows into
``RowResult``s (the local ``Pipeline`` around an ``Augmenter``, which loads the model, or Ray actors)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from maskaug.job.checks import Plan


def runner(plan: Plan):
    """The plan's runner, with a ``report``: the local ``Pipeline`` (the model loads here), or ``RayRunner``."""
    cfg = plan.config
    if cfg.ray is not None:
        from maskaug.distributed import RayRunner

        return RayRunner(cfg, plan.method_name, plan.params, plan.record, plan.label_column, constraints(plan),
                         plan.binding.known_labels, plan.salience, scorer(plan))
    from maskaug.augmenter import Augmenter
    from maskaug.pipeline import Pipeline

    augmenter = Augmenter(plan.method, constraints=constraints(plan), scorer=scorer(plan), **cfg.augmenter_settings())
    return Pipeline(augmenter, plan.record, plan.label_column, cfg.keep_original, plan.binding.known_labels,
                    plan.salience)


def constraints(plan: Plan) -> list:
    """The constraints the plan's ``ConstraintSpec`` asks for; a teacher learns from the input's labelled rows, or
    from ``--teacher FILE``'s."""
    from dataclasses import replace

    from maskaug.constraints import build

    spec = plan.config.constraints
    texts, labels = plan.teacher_data
    if spec.teacher_file:  # a logistic regression on another file's labelled rows
        texts, labels = teacher_rows(plan, Path(spec.teacher))
        spec = replace(spec, teacher="train")
    trained = spec.teacher == "train"
    return build(spec, texts=texts if trained else None, labels=labels if trained else None)


def teacher_rows(plan: Plan, path: Path) -> tuple[list, list]:
    """The texts (a tuple per pair) and labels of ``--teacher FILE``, read with the job's text columns and label
    column (default ``label``); a bad row is an error naming the file, row and field."""
    from maskaug.io import InputError, read_rows, validate

    fields = list(plan.record.fields) or ["text"]
    label = plan.label_column or "label"
    rows = read_rows(path)
    if not rows:
        raise InputError(path, "no rows")
    validate(path, rows, fields, label)
    texts = [r[fields[0]] if len(fields) == 1 else tuple(r[f] for f in fields) for r in rows]
    return texts, [str(r[label]) for r in rows]


def scorer(plan: Plan) -> Any:
    """The choice stage's scorer (``--choose-by``), its teacher trained on the input's labelled rows; None without
    ``--choose``."""
    cfg = plan.config
    if cfg.choose <= 1 or not cfg.choose_by:
        return None
    from maskaug.choosing import build

    teacher = None
    if "teacher" in cfg.choose_by:
        from maskaug.constraints import Teacher

        texts, labels = plan.teacher_data
        teacher = Teacher(texts, labels)
    return build(cfg.choose_by, teacher=teacher)
