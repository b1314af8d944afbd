"""Python entry points for lists, pandas DataFrames, 🤗 datasets and files; all run :mod:`maskaug.job`."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from maskaug.augmenter import Augmenter
from maskaug.job import AugmentJob, JobConfig, JobResult


def _fields(text_column: str | list[str] | None) -> tuple[str, ...]:
    if text_column is None:
        return ()
    return (text_column,) if isinstance(text_column, str) else tuple(text_column)


def augment(data: Any, method: str = "substitute", n: int = 1, text_column: str | list[str] | None = None,
            keep_original: bool = False, augmenter: Augmenter | None = None, label_column: str | None = None,
            **kwargs: Any) -> Any:
    """Augment ``data`` and return the same kind of container with the output rows.

    ``data``: a list of strings, a list of dicts, a ``pandas.DataFrame`` or a ``datasets.Dataset``.
    Each output row carries the input's columns plus ``aug_*`` provenance (source row, method,
    seed, copy, edits, score). ``text_column`` names the text field(s) (default: ``text``, or token/tag and
    QA rows by their shape). ``label_column`` feeds each row's label to label-conditioned models and the
    teacher constraint. ``kwargs`` go to :class:`Augmenter` (model, seed, constraints, method params).
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
        name = fields[0] if fields else "text"
        rows = [{name: r} if isinstance(r, str) else dict(r) for r in data]
        ids = list(range(len(rows)))
    config = JobConfig(method=aug.method.name, n=aug.n, seed=aug.seed, text_columns=fields,
                       label_column=label_column, keep_original=keep_original, progress=False)
    records = AugmentJob(config, rows=rows, ids=ids, augmenter=aug).run().records
    if kind == "pandas":
        import pandas as pd

        return pd.DataFrame.from_records(records)
    if kind == "datasets":
        from datasets import Dataset

        return Dataset.from_list(records)
    return records


def map_function(augmenter: Augmenter, text_column: str | list[str] | None = None, keep_original: bool = True,
                 label_column: str | None = None):
    """A function for ``Dataset.map(fn, batched=True, with_indices=True, remove_columns=ds.column_names)``."""
    fields = _fields(text_column)

    def fn(batch: dict[str, list], indices: list[int]) -> dict[str, list]:
        cols = list(batch)
        rows = [{c: batch[c][i] for c in cols} for i in range(len(indices))]
        config = JobConfig(method=augmenter.method.name, n=augmenter.n, seed=augmenter.seed, text_columns=fields,
                           label_column=label_column, keep_original=keep_original, progress=False)
        records = AugmentJob(config, rows=rows, ids=list(indices), augmenter=augmenter).run().records
        keys = list(records[0]) if records else cols
        return {k: [r.get(k) for r in records] for k in keys}

    return fn


_CONFIG_FIELDS = set(JobConfig.__dataclass_fields__) - {"input", "output", "method", "params", "n"}


def augment_file(input: str | os.PathLike, output: str | os.PathLike | None = None, method: str = "substitute",
                 n: int = 1, **kwargs: Any) -> JobResult:
    """``maskaug augment`` from Python: read ``input``, write ``output`` (resumable, locked, atomic).

    ``kwargs`` are :class:`~maskaug.job.JobConfig` fields (``seed``, ``model``, ``text_columns``,
    ``label_column``, ``keep_original``, ``skip_bad_rows``, ``restart``, ``overwrite``, ``constraints``, ...);
    any other keyword is a method parameter (``rate=0.2``). An interrupted call resumes when called again
    with the same arguments.
    """
    options = {k: v for k, v in kwargs.items() if k in _CONFIG_FIELDS}
    params = {k: v for k, v in kwargs.items() if k not in _CONFIG_FIELDS}
    if "text_columns" in options:
        options["text_columns"] = _fields(options["text_columns"])
    options.setdefault("progress", False)
    config = JobConfig(input=Path(input), output=Path(output) if output else None, method=method, n=n,
                       params=params, **options)
    return AugmentJob(config).run()
