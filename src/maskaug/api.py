"""Python entry points for lists, pandas DataFrames and 🤗 datasets."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from maskaug.augmenter import Augmenter, to_records


def _fields(text_column: str | list[str]) -> list[str]:
    return [text_column] if isinstance(text_column, str) else list(text_column)


def check_texts(rows: list[dict[str, Any]], ids: Iterable[Any], fields: list[str]) -> None:
    """Every text field of every row is a string, or one error naming the row and the field."""
    for rid, r in zip(ids, rows):
        for f in fields:
            if not isinstance(r.get(f), str):
                raise ValueError(f"row {rid}, field {f!r}: expected text, got {type(r.get(f)).__name__}")


def augment(data: Any, method: str = "substitute", n: int = 1, text_column: str | list[str] = "text",
            keep_original: bool = False, augmenter: Augmenter | None = None, label_column: str | None = None,
            **kwargs: Any) -> Any:
    """Augment ``data`` and return the same kind of container with the output rows.

    ``data``: a list of strings, a list of dicts, a ``pandas.DataFrame`` or a ``datasets.Dataset``.
    Each output row carries the input's columns plus ``aug_*`` provenance (source row, method,
    seed, copy, edits, score). ``label_column`` feeds each row's label to label-conditioned models
    and the teacher constraint. ``kwargs`` go to :class:`Augmenter` (model, seed, constraints,
    method params).
    """
    aug = augmenter or Augmenter(method, n=n, **kwargs)
    fields = _fields(text_column)
    kind = type(data).__module__.split(".")[0]
    if kind == "pandas":
        rows = data.to_dict("records")
        ids = list(data.index)
    elif kind == "datasets":
        rows = data.to_list()
        ids = list(range(len(rows)))
    else:
        rows = [{fields[0]: r} if isinstance(r, str) else dict(r) for r in data]
        ids = list(range(len(rows)))
    check_texts(rows, range(len(rows)), fields)
    labels = [r[label_column] for r in rows] if label_column else None
    records = []
    stream = aug.iter_rows(({f: r[f] for f in fields} for r in rows), ids, total=len(rows), labels=labels)
    for (rid, outs), row in zip(stream, rows):
        records.extend(to_records(row, rid, outs, aug.method.name, aug.seed, keep_original))
    if kind == "pandas":
        import pandas as pd

        return pd.DataFrame.from_records(records)
    if kind == "datasets":
        from datasets import Dataset

        return Dataset.from_list(records)
    return records


def map_function(augmenter: Augmenter, text_column: str | list[str] = "text", keep_original: bool = True,
                 label_column: str | None = None):
    """A function for ``Dataset.map(fn, batched=True, with_indices=True, remove_columns=ds.column_names)``."""
    fields = _fields(text_column)

    def fn(batch: dict[str, list], indices: list[int]) -> dict[str, list]:
        cols = list(batch)
        rows = [{c: batch[c][i] for c in cols} for i in range(len(indices))]
        records = []
        labels = [r[label_column] for r in rows] if label_column else None
        stream = augmenter.iter_rows(({f: r[f] for f in fields} for r in rows), indices, labels=labels)
        for (rid, outs), row in zip(stream, rows):
            records.extend(to_records(row, rid, outs, augmenter.method.name, augmenter.seed, keep_original))
        keys = list(records[0]) if records else cols
        return {k: [r.get(k) for r in records] for k in keys}

    return fn
