"""Read input rows in order, a block at a time, so memory does not grow with the file.

JSONL and CSV/TSV are read record by record with Python's own ``json`` and ``csv`` modules, which keep each
row exactly as written (Arrow's JSON and CSV readers would add ``null`` for keys a row lacks, promote an
integer column to float across a block, or turn ``"007"`` into ``7``). Parquet is read in record batches
(``pyarrow.parquet.ParquetFile.iter_batches``), 🤗 ``save_to_disk`` folders through their memory-mapped
Arrow table, CoNLL files line by line. Row numbers in errors are 1-based data rows (a header is not a row).
Files ending in ``.gz`` or ``.zst`` are decompressed as they are read; a ``.json`` file is a JSON array (read
whole) or JSON Lines.

CSV and TSV have no types; maskaug keeps numbers as numbers by one rule: a column whose every non-empty value
is a plain number (``12``, ``-3``, ``0.5``; not ``007``, ``1.50`` or ``1e3``, which would not read back to the
same text) is read as numbers, its empty values as null; every other column is text.
"""

from __future__ import annotations

import csv
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from maskaug.io.errors import InputError
from maskaug.io.formats import compression_of, detect_format, open_binary

BATCH_ROWS = 1024
_INT = re.compile(r"-?(?:0|[1-9][0-9]*)")
_FLOAT = re.compile(r"-?(?:0|[1-9][0-9]*)\.[0-9]+")


def plain_number(value: str | None) -> int | float | None:
    """``"12"`` -> 12, ``"-0.5"`` -> -0.5, ``""`` -> None: for CSV columns of plain numbers."""
    if value is None or value == "":
        return None
    if _INT.fullmatch(value):
        return int(value)
    return float(value)


def _is_plain(value: str) -> bool:
    """A number written so that it reads back to the same text: no leading zeros or plus, no exponent, no
    trailing zeros after the point (``007``, ``1.50`` and ``1e3`` stay text)."""
    return bool(_INT.fullmatch(value)) or (bool(_FLOAT.fullmatch(value)) and repr(float(value)) == value)


def numeric_columns(rows) -> set[str]:
    """The columns whose every non-empty value is a plain number (and that have at least one)."""
    seen: dict[str, bool] = {}
    for row in rows:
        for k, v in row.items():
            if v is None or v == "":
                continue
            seen[k] = seen.get(k, True) and _is_plain(v)
    return {k for k, ok in seen.items() if ok}


def _guarded(path: Path, fh) -> Iterator[tuple[int, bytes]]:
    """Lines of a (possibly compressed) binary file; a damaged stream is an InputError."""
    it = enumerate(fh, start=1)
    while True:
        try:
            item = next(it)
        except StopIteration:
            return
        except (OSError, EOFError, ValueError) as exc:
            kind = compression_of(path) or "file"
            raise InputError(path, f"not a readable .{kind} stream: {exc}") from None
        yield item


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    """``(line number, text)`` of a UTF-8 file, split on ``\\n`` only (U+2028, U+2029 and U+0085 are text);
    a BOM is dropped; invalid UTF-8 is named by byte offset and line."""
    offset = 0
    try:
        fh = open_binary(path)
    except OSError as exc:
        raise InputError(path, f"cannot read it: {exc.strerror or exc}") from None
    with fh:
        for lineno, raw in _guarded(path, fh):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise InputError(path, f"invalid UTF-8 at byte {offset + exc.start} (line {lineno}); re-save the "
                                       "file as UTF-8") from None
            if lineno == 1 and line.startswith("\ufeff"):
                line = line[1:]
            offset += len(raw)
            yield lineno, line


_LONE_CR = re.compile(r"(?<=\r)(?!\n)")


def class_label_columns(features: dict[str, Any]) -> list[str]:
    """The ``ClassLabel`` columns of 🤗 datasets features (their JSON form: ``hf_features``, ``Features.to_dict``)."""
    return [k for k, f in features.items() if isinstance(f, dict) and f.get("_type") == "ClassLabel"]


def hf_features(schema: Any) -> dict[str, Any]:
    """The 🤗 datasets features (their JSON form, by column) an Arrow schema's ``huggingface`` metadata declares
    (empty without it)."""
    meta = (schema.metadata or {}).get(b"huggingface") if schema is not None else None
    if not meta:
        return {}
    try:
        features = json.loads(meta).get("info", {}).get("features", {})
    except (ValueError, AttributeError):
        return {}
    return dict(features) if isinstance(features, dict) else {}


def tag_names(features: dict[str, Any]) -> dict[str, list[str]]:
    """The names of each list-of-``ClassLabel`` column (a 🤗 dataset's ``ner_tags``) of 🤗 datasets features (their
    JSON form), by column."""
    return {k: list(f["feature"]["names"]) for k, f in features.items()
            if isinstance(f, dict) and f.get("_type") in ("Sequence", "List") and isinstance(f.get("feature"), dict)
            and f["feature"].get("_type") == "ClassLabel" and isinstance(f["feature"].get("names"), list)}


class Rows:
    """The rows of one input file or folder. Iterating reads it again from the start."""

    def __init__(self, path: str | os.PathLike, fmt: str | None = None):
        self.path = Path(path)
        if not self.path.exists():
            raise InputError(self.path, "no such file or folder")
        self.fmt = fmt or detect_format(self.path)
        self.arrow_schema = None  # the Arrow schema of a Parquet / datasets input
        self._numeric: set[str] | None = None  # CSV/TSV columns read as numbers
        if self.fmt == "parquet":
            import pyarrow as pa
            import pyarrow.parquet as pq

            try:
                self.arrow_schema = pq.ParquetFile(self.path).schema_arrow
            except (pa.ArrowException, OSError) as exc:
                raise InputError(self.path, f"not a readable Parquet file: {exc}") from None
        elif self.fmt == "hf":
            self.arrow_schema = self._dataset().data.schema

    def __repr__(self) -> str:
        return f"Rows({str(self.path)!r}, format={self.fmt})"

    @property
    def class_labels(self) -> list[str]:
        """Columns that a 🤗 datasets ``ClassLabel`` names (Parquet and datasets inputs written by ``datasets``)."""
        return class_label_columns(hf_features(self.arrow_schema))

    @property
    def tag_names(self) -> dict[str, list[str]]:
        """The tag names of each column that a 🤗 datasets list of ``ClassLabel`` declares (``ner_tags``)."""
        return tag_names(hf_features(self.arrow_schema))

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return getattr(self, f"_read_{self.fmt}")()

    def _read_json(self) -> Iterator[dict[str, Any]]:
        """A ``.json`` file: a JSON array of objects (read whole), or JSON Lines."""
        with open_binary(self.path) as fh:
            head = fh.read(4096).decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
        if not head.startswith("["):
            yield from self._read_jsonl()
            return
        text = "".join(line for _, line in _lines(self.path))
        try:
            items = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(self.path, f"invalid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}") from None
        for i, obj in enumerate(items, start=1):
            if not isinstance(obj, dict):
                raise InputError(self.path, f"item {i} of the array is not a JSON object", row=i)
            yield obj

    def _read_jsonl(self) -> Iterator[dict[str, Any]]:
        row = 0
        for lineno, line in _lines(self.path):
            if not line.strip():
                continue
            row += 1
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(self.path, f"invalid JSON on line {lineno}: {exc.msg}", row=row) from None
            if not isinstance(obj, dict):
                raise InputError(self.path, f"line {lineno} is not a JSON object", row=row)
            yield obj

    def _read_csv(self, delimiter: str = ",") -> Iterator[dict[str, Any]]:
        """CSV/TSV rows; a column whose every non-empty value is a plain number is read as numbers (see
        ``plain_number``), its empty values as null; every other column is text."""
        if self._numeric is None:
            self._numeric = numeric_columns(self._csv_rows(delimiter))
        numeric = self._numeric
        for row in self._csv_rows(delimiter):
            if numeric:
                row = {k: (plain_number(v) if k in numeric else v) for k, v in row.items()}
            yield row

    def _csv_rows(self, delimiter: str) -> Iterator[dict[str, Any]]:
        csv.field_size_limit(2**31 - 1)  # long documents are legitimate input
        # a lone CR ends a line too (a file whose lines end in CR, LF and CRLF alike, as old editors mix them)
        lines = (part for _, line in _lines(self.path) for part in _LONE_CR.split(line) if part)
        reader = csv.reader(lines, delimiter=delimiter, strict=True)
        kind = "TSV" if delimiter == "\t" else "CSV"
        row = 0
        try:
            header = next(reader, None)
            if header is None:
                raise InputError(self.path, "the file is empty (no header row)")
            self._check_header(header)
            for values in reader:
                if not values:  # a blank line
                    continue
                row += 1
                if len(values) > len(header):
                    raise InputError(self.path, f"{len(values) - len(header)} more value(s) than the header has "
                                                "columns", row=row)
                yield dict(zip(header, values + [None] * (len(header) - len(values))))
        except csv.Error as exc:
            raise InputError(self.path, f"malformed {kind}: {exc}", row=row + 1) from None

    def _read_tsv(self) -> Iterator[dict[str, Any]]:
        return self._read_csv("\t")

    def _check_header(self, header: list[str]) -> None:
        seen: dict[str, int] = {}
        for i, name in enumerate(header, start=1):
            if not name.strip():
                raise InputError(self.path, f"header: column {i} has no name; name every column")
            if name in seen:
                raise InputError(self.path, f"header: column name {name!r} appears twice (columns {seen[name]} and "
                                            f"{i}); column names must be unique")
            seen[name] = i

    def _read_parquet(self) -> Iterator[dict[str, Any]]:
        import pyarrow as pa
        import pyarrow.parquet as pq

        try:
            for batch in pq.ParquetFile(self.path).iter_batches(batch_size=BATCH_ROWS):
                yield from batch.to_pylist()
        except (pa.ArrowException, OSError) as exc:
            raise InputError(self.path, f"not a readable Parquet file: {exc}") from None

    def _dataset(self):
        from datasets import load_from_disk

        try:
            ds = load_from_disk(str(self.path))
        except (FileNotFoundError, ValueError, OSError) as exc:
            raise InputError(self.path, f"not a datasets save_to_disk folder: {exc}") from None
        if hasattr(ds, "keys"):  # DatasetDict
            raise InputError(self.path, f"a DatasetDict; point to one split folder: {sorted(ds.keys())}")
        return ds

    def _read_hf(self) -> Iterator[dict[str, Any]]:
        for batch in self._dataset().data.to_batches(max_chunksize=BATCH_ROWS):
            yield from batch.to_pylist()

    def _read_conll(self) -> Iterator[dict[str, Any]]:
        """CoNLL columns: one token per line, its first column the token and its last the tag; a blank line
        ends a sentence; ``-DOCSTART-`` lines are skipped. Rows are ``{"tokens": [...], "tags": [...]}``."""
        tokens: list[str] = []
        tags: list[str] = []
        row = 1
        for i, line in _lines(self.path):
            cols = line.split()
            if cols and cols[0] == "-DOCSTART-":
                continue
            if not cols:
                if tokens:
                    yield {"tokens": tokens, "tags": tags}
                    tokens, tags, row = [], [], row + 1
                continue
            if len(cols) < 2:
                raise InputError(self.path, f"line {i} has one column; a CoNLL line is TOKEN ... TAG", row=row)
            tokens.append(cols[0])
            tags.append(cols[-1])
        if tokens:
            yield {"tokens": tokens, "tags": tags}


def read_rows(path: str | os.PathLike, fmt: str | None = None) -> list[dict[str, Any]]:
    """All rows as a list, for data that fits in memory (evaluation sets, fine-tuning data)."""
    return list(Rows(path, fmt))
