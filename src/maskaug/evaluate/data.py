"""The rows an evaluation reads: labelled texts (or sentence pairs) and token/tag records, checked as they are
read (file, row and field named in every error)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass
class Dataset:
    """Rows and their targets: texts (or pairs) with class indices into ``classes``, or token lists with their tag
    lists (``classes``: the tag set)."""

    texts: list[Any]
    labels: list[Any]
    classes: list[str]

    def subset(self, rows: list[int]) -> Dataset:
        """The rows at ``rows``, in that order."""
        return Dataset([self.texts[i] for i in rows], [self.labels[i] for i in rows], self.classes)


def text_columns(text_column: str | list[str]) -> list[str]:
    """The text column(s) as a list (two for sentence pairs)."""
    return [text_column] if isinstance(text_column, str) else list(text_column)


def read_labelled(path: str | Path, text_column: str | list[str], label_column: str,
                  classes: list[str] | None = None) -> Dataset:
    """Texts (a tuple per row for pairs) with class indices; ``classes`` (the training file's) fixes the order,
    and a label outside it is an error naming the row."""
    from maskaug.io import InputError, read_rows, validate

    rows = read_rows(path)
    if not rows:
        raise InputError(path, "no rows")
    cols = text_columns(text_column)
    validate(path, rows, cols, label_column)
    raw = [str(r[label_column]) for r in rows]
    classes = classes or sorted(set(raw))
    index = {c: i for i, c in enumerate(classes)}
    for i, y in enumerate(raw):
        if y not in index:
            raise InputError(path, f"label {y!r} does not occur in the training data", row=i + 1, field=label_column)
    texts = [r[cols[0]] for r in rows] if len(cols) == 1 else [tuple(r[c] for c in cols) for r in rows]
    return Dataset(texts, [index[y] for y in raw], classes)


def read_tagged(path: str | Path, tokens_column: str, tags_column: str) -> Dataset:
    """Token/tag records of a file, each checked; ``classes`` is left empty for the caller to fill with the tag
    set of every file it reads."""
    from maskaug.io import InputError, read_rows
    from maskaug.records.tagged import check_record

    rows = read_rows(path)
    if not rows:
        raise InputError(path, "no rows")
    for i, row in enumerate(rows):
        check_record(path, i + 1, row, tokens_column, tags_column)
    return Dataset([list(r[tokens_column]) for r in rows], [list(r[tags_column]) for r in rows], [])


def joined(text: Any) -> str:
    """One line for a report: a text, a pair joined by `` / ``, tokens joined by spaces."""
    if isinstance(text, str):
        return text
    return " / ".join(text) if isinstance(text, tuple) else " ".join(text)
