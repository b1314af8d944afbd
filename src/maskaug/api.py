"""Python entry points for strings, lists, pandas DataFrames, 🤗 datasets and files; all run ``maskaug.job``.

Originals are not kept unless asked (``keep_original=True``), in every entry point and in the CLI
(``--keep-original``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from maskaug.augmenter import Augmenter, check_texts
from maskaug.io.readers import class_label_columns, tag_names
from maskaug.job import AugmentJob, JobResult
from maskaug.pipeline import augment_records
from maskaug.records import Options, detect, find_label_column
from maskaug.settings import JobConfig, default_method, route

ROWS_OPTIONS = ("label_words", "skip_bad_rows", "record")  # job settings of rows held in memory (augment_records)


def _fields(text_column: str | list[str] | None) -> tuple[str, ...]:
    if text_column is None:
        return ()
    return (text_column,) if isinstance(text_column, str) else tuple(text_column)


def augment(data: Any, method: str | None = None, n: int | None = None, text_column: str | list[str] | None = None,
            keep_original: bool = False, augmenter: Augmenter | None = None, label_column: str | None = None,
            **kwargs: Any) -> Any:
    """Augment ``data`` and return what fits it.

    * a string: a list of its ``n`` new strings (nlpaug-style);
    * a list of strings: one such list per string;
    * a list of dicts, a ``pandas.DataFrame`` or a ``datasets.Dataset``: the same kind of container with the
      output rows: the input's columns plus ``aug_*`` provenance (source row, method, seed, copy, edits, score).

    A row's label keeps its label words and feeds label-conditioned models and the teacher constraint.

    Args:
        data: A string, a list of strings, a list of dicts, a ``pandas.DataFrame`` or a ``datasets.Dataset``.
        method: A registered method or spec (``"substitute:rate=0.3"``). Default: ``insert`` for labelled rows,
            else ``substitute`` (``maskaug.settings.default_method``).
        n: Outputs per input (default 1, or the augmenter's); overrides the augmenter's for this call.
        text_column: The text field, or two for sentence pairs (default ``text``; token/tag and QA rows are found
            by their shape).
        keep_original: Also return each input row.
        augmenter: An ``Augmenter`` to run instead of one built from ``method`` and ``kwargs``.
        label_column: The label field (default: a ``ClassLabel`` column of a Dataset, else ``label`` or ``labels``
            when the first row has one); ``"none"``: the rows have no label.
        **kwargs: Routed by ``maskaug.settings.route``: the ``Augmenter``'s settings (``model``, ``seed``,
            ``constraints``, ...), constraint options (``max_edit_rate=0.3``, a teacher folder), ``label_words``,
            ``skip_bad_rows``, ``record`` for rows, and method parameters (``rate=0.2``).

    Returns:
        What fits ``data``: a list of strings, a list of such lists, or rows in the input's container.

    Examples:
        >>> augment("The plot is thin and the jokes fall flat.", n=2)          # doctest: +SKIP
        ['The plot is thin and the jokes went flat.', 'The plot is thin and all jokes fall flat.']
    """
    settings, params, rows_options = route(kwargs).augmenter("augment()", ROWS_OPTIONS)

    def build(label: str | None, record: Any = None) -> Augmenter:
        if augmenter is not None:
            return augmenter.with_n(n)
        return Augmenter(method or default_method(record, label), n=n or 1, **settings, **params).with_n(n)

    if isinstance(data, str):
        return build(None).augment(data)
    fields = _fields(text_column)
    kind, rows, ids, class_labels = _table(data, fields)
    if kind == "strings":
        return build(None).augment(check_texts(rows))
    record = detect(rows[0], Options(None, fields)) if rows else None
    label_column = find_label_column(rows[0] if rows else None, record, label_column, class_labels)
    aug = build(label_column, record)
    tags = tag_names(data.features.to_dict()) if kind == "datasets" else None
    records = augment_records(aug, rows, ids, fields, label_column, keep_original, tag_names=tags, **rows_options)
    if kind == "pandas":
        import pandas as pd

        return pd.DataFrame.from_records(records)
    if kind == "datasets":
        from datasets import Dataset

        from maskaug.io.writers import with_features

        return with_features(Dataset.from_list(records), data.features.to_dict())  # ClassLabel names kept
    return records


def _table(data: Any, fields: tuple[str, ...]) -> tuple[str, list, list, list[str]]:
    """``(kind, rows, row ids, ClassLabel columns)`` of ``data``: ``pandas``, ``datasets``, ``list`` (of dicts), or
    ``strings`` (a list of strings, the rows being the strings); a TypeError for anything else."""
    kind = type(data).__module__.split(".")[0]
    if kind == "pandas":
        if not hasattr(data, "to_dict") or not hasattr(data, "columns"):
            raise TypeError(f"maskaug.augment takes a DataFrame, not a pandas {type(data).__name__}; for a Series of "
                            f"texts pass series.tolist()")
        return kind, data.to_dict("records"), list(data.index), []
    if kind == "datasets":
        if not hasattr(data, "to_list"):
            raise TypeError(f"maskaug.augment takes a datasets.Dataset, not a {type(data).__name__}; pick a split "
                            f"(data['train'])")
        rows = data.to_list()
        return kind, rows, list(range(len(rows))), class_label_columns(data.features.to_dict())
    if isinstance(data, (bytes, bytearray)) or not hasattr(data, "__iter__") or isinstance(data, dict):
        raise TypeError(f"maskaug.augment takes a string, a list of strings or of dicts, a DataFrame or a Dataset, "
                        f"not {type(data).__name__}")
    items = list(data)
    if all(isinstance(r, str) for r in items):
        if fields and fields != ("text",):
            raise TypeError("text_column names a field of dict rows; plain strings have none")
        return "strings", items, [], []
    first = dict if not items or isinstance(items[0], dict) else str
    bad = next((i for i, r in enumerate(items) if not isinstance(r, first)), None)
    if bad is not None:
        raise TypeError(f"item {bad} is {type(items[bad]).__name__}; give all strings or all dicts")
    return "list", [dict(r) for r in items], list(range(len(items))), []


def map_function(augmenter: Augmenter, text_column: str | list[str] | None = None, keep_original: bool = False,
                 label_column: str | None = None, n: int | None = None):
    """A function for ``Dataset.map(fn, batched=True, remove_columns=ds.column_names)``: ``fn(batch, indices=None)``
    takes a batch of rows and returns the output rows, as columns.

    With ``with_indices=True`` a row's index seeds its randomness; without, a hash of its text fields does (so
    identical texts get identical outputs).

    Args:
        augmenter: The ``Augmenter`` that makes the outputs.
        text_column: The text field, or two for sentence pairs (default ``text``).
        keep_original: Also return each input row.
        label_column: The label field (default: ``label`` or ``labels`` when the rows have one; ``"none"``: no
            label).
        n: Outputs per row for this function (default: the augmenter's).

    Examples:
        >>> ds.map(map_function(aug), batched=True, remove_columns=ds.column_names)        # doctest: +SKIP
    """
    fields = _fields(text_column)
    aug = augmenter.with_n(n)

    def fn(batch: dict[str, list], indices: list[int] | None = None) -> dict[str, list]:
        from maskaug.distributed import content_id

        cols = list(batch)
        size = len(batch[cols[0]]) if cols else 0
        rows = [{c: batch[c][i] for c in cols} for i in range(size)]
        ids = list(indices) if indices is not None else [content_id(r, list(fields) or ["text"]) for r in rows]
        records = augment_records(aug, rows, ids, fields, label_column, keep_original)
        keys = list(records[0]) if records else cols
        return {k: [r.get(k) for r in records] for k in keys}

    return fn


def augment_file(input: str | os.PathLike, output: str | os.PathLike | None = None, method: str | None = None,
                 n: int = 1, **kwargs: Any) -> JobResult:
    """``maskaug augment`` from Python: read ``input``, write ``output`` (resumable, locked, atomic).

    An interrupted call resumes when called again with the same arguments.

    Args:
        input: The file to read (CSV, TSV, JSONL, JSON, Parquet, a 🤗 datasets folder).
        output: The file to write (default: ``input``'s name + ``.augmented.jsonl``).
        method: A registered method or spec (default: ``insert`` for labelled rows, else ``substitute``).
        n: Outputs per input row.
        **kwargs: Routed by ``maskaug.settings.route``: ``JobConfig`` fields (``seed``, ``model``,
            ``text_columns``, ``label_column``, ``keep_original``, ``skip_bad_rows``, ``restart``, ``overwrite``,
            ``constraints``, ...), constraint options (``max_edit_rate=0.3``, ``teacher="train"``) and method
            parameters (``rate=0.2``).

    Returns:
        What the job did: its report, the rows written and where, what fell short (``JobResult.summary()``).
    """
    routed = route(kwargs)
    routed.only("job", "method", "constraints", where="augment_file()")
    options = dict(routed.job)
    spec = routed.constraint_spec(options.pop("constraints", None))
    if spec is not None:
        options["constraints"] = spec
    if "text_columns" in options:
        options["text_columns"] = _fields(options["text_columns"])
    options.setdefault("progress", False)
    config = JobConfig(input=Path(input), output=Path(output) if output else None, method=method, n=n,
                       params=routed.method, **options)
    return AugmentJob(config).run()
