"""Row checks shared by every record type and every reader: text fields and labels."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from typing import Any

from maskaug.io.errors import InputError
from maskaug.text import is_visible


def is_missing(value: Any) -> bool:
    """None or NaN."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def text_problem(value: Any) -> str | None:
    """Why ``value`` cannot be a text field, or None."""
    if is_missing(value):
        return "missing text"
    if not isinstance(value, str):
        return f"text must be a string, not {type(value).__name__}"
    if not is_visible(value):
        return "empty text (only whitespace or invisible characters)"
    return None


def label_problem(value: Any) -> str | None:
    """Why ``value`` cannot be a label, or None."""
    if is_missing(value) or (isinstance(value, str) and not value.strip()):
        return "missing label"
    if isinstance(value, float) and not math.isfinite(value):
        return f"label {value} is not a finite number"
    return None


@dataclass
class Rejected:
    """A row set aside: its 1-based number, the field and the reason."""

    row: int
    field: str
    reason: str
    record: dict[str, Any]


def validate(path: str | os.PathLike, rows: list[dict[str, Any]], text_fields: list[str],
             label_field: str | None = None, skip_bad: bool = False) -> tuple[list[int], list[Rejected]]:
    """For rows held in memory (evaluation, fine-tuning): indexes of good rows, and the rejected ones (only
    when ``skip_bad``; else the first raises)."""
    if rows:
        columns = set().union(*(r.keys() for r in rows[:1000]))
        for f in text_fields + ([label_field] if label_field else []):
            if f not in columns:
                raise InputError(path, f"no such column; columns are {sorted(columns)}", field=f)
    good, rejected = [], []
    for i, row in enumerate(rows):
        problem = next(((f, p) for f in text_fields if (p := text_problem(row.get(f)))), None)
        if problem is None and label_field is not None:
            p = label_problem(row.get(label_field))
            problem = (label_field, p) if p else None
        if problem is None:
            good.append(i)
        elif skip_bad:
            rejected.append(Rejected(i + 1, problem[0], problem[1], row))
        else:
            raise InputError(path, problem[1] + " (use --skip-bad-rows to set such rows aside)",
                             row=i + 1, field=problem[0])
    return good, rejected
