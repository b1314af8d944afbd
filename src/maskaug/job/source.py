"""The job's input: a file, or standard input copied to a temporary file (the job reads its input twice), as rows.

``opened(config)`` yields the ``Source`` and removes the copy of standard input afterwards; an ``InputError``
about that copy names ``standard input`` instead.
"""

from __future__ import annotations

import math
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import islice
from pathlib import Path
from typing import Any

from maskaug.io.errors import InputError


class Source:
    """The rows of one input file, at most ``limit`` of them; ``first`` is the first row (None: no rows)."""

    def __init__(self, path: str | Path, fmt: str | None = None, limit: int | None = None):
        from maskaug.io.jsonsafe import unsupported
        from maskaug.io.readers import Rows

        self.reader = Rows(path, fmt)
        self.path, self.limit = self.reader.path, limit
        self.arrow_schema = self.reader.arrow_schema
        self.class_labels = self.reader.class_labels
        self.tag_names = self.reader.tag_names
        for f in self.arrow_schema or ():
            why = unsupported(f.type)
            if why:
                raise InputError(self.path, f"the column {why}; drop or convert it first", field=f.name)
        self.first: dict[str, Any] | None = next(iter(self.reader), None)

    def __repr__(self) -> str:
        return f"Source({str(self.path)!r}, limit={self.limit})"

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return islice(iter(self.reader), self.limit)

    def items(self, start: int = 0) -> Iterator[tuple[int, int, dict[str, Any]]]:
        """``(index, row id, row)`` from row ``start`` on (a row's id is its index)."""
        return ((i, i, row) for i, row in enumerate(self) if i >= start)


@contextmanager
def opened(input: str | Path | None, fmt: str | None, limit: int | None) -> Iterator[Source]:
    """The ``Source`` of ``input`` (``-``: standard input, read as ``fmt``, default jsonl)."""
    spool = None
    try:
        if str(input) == "-":
            copy = _spool_stdin(fmt or "jsonl")
            spool = copy.parent
            yield Source(copy, None, limit)
        else:
            yield Source(input, fmt, limit)
    except InputError as exc:
        if spool is None or Path(exc.path).parent != spool:
            raise
        raise InputError("standard input", exc.reason, exc.row, exc.field) from None
    finally:
        if spool is not None:
            shutil.rmtree(spool, ignore_errors=True)


def _spool_stdin(fmt: str) -> Path:
    """Standard input copied to ``stdin.FMT`` in a temporary folder."""
    if fmt in ("parquet", "hf"):
        raise ValueError(f"--input-format {fmt} cannot be read from standard input; give a file")
    path = Path(tempfile.mkdtemp(prefix="maskaug-stdin-")) / f"stdin.{fmt}"
    try:
        with open(path, "wb") as fh:
            shutil.copyfileobj(sys.stdin.buffer, fh, 1 << 20)
    except BaseException:
        shutil.rmtree(path.parent, ignore_errors=True)
        raise
    return path


class ColumnKinds:
    """The JSON kind of each column's values, for outputs whose columns have one type (Parquet, datasets)."""

    def __init__(self, path: Path):
        self.path, self.first = path, {}

    @staticmethod
    def kind(v: Any) -> str | None:
        """The kind of one value (None for a missing one)."""
        if v is None or (isinstance(v, float) and math.isnan(v)):
            return None
        if isinstance(v, bool):
            return "true/false"
        if isinstance(v, (int, float)):
            return "number"
        return {str: "text", list: "list", dict: "object"}.get(type(v), type(v).__name__)

    def see(self, row_no: int, row: dict[str, Any]) -> None:
        """Check one row's kinds against the first row that had each column."""
        for k, v in row.items():
            kind = self.kind(v)
            if kind is None:
                continue
            seen = self.first.setdefault(k, (kind, row_no))
            if seen[0] != kind:
                raise InputError(self.path, f"holds {kind} here but {seen[0]} on row {seen[1]}; a Parquet or datasets "
                                            f"column has one type: make them agree, or write .jsonl",
                                 row=row_no, field=k)
