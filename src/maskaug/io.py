"""Read and write CSV, TSV, JSONL, Parquet and 🤗 ``save_to_disk`` folders; validate rows; write atomically."""

from __future__ import annotations

import csv
import io
import json
import math
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FORMATS = ("csv", "tsv", "jsonl", "parquet", "hf")


class InputError(ValueError):
    """Bad input: the message names the file, the row and the field."""

    def __init__(self, path: str | os.PathLike, message: str, row: int | None = None, field: str | None = None):
        self.path, self.row, self.field, self.reason = str(path), row, field, message
        where = self.path
        if row is not None:
            where += f": row {row}"
        if field is not None:
            where += f", field {field!r}" if row is not None else f": field {field!r}"
        super().__init__(f"{where}: {message}")


def detect_format(path: str | os.PathLike) -> str:
    p = Path(path)
    suffix = p.suffix.lower().lstrip(".")
    if p.is_dir() or suffix in ("hf", "arrow"):
        return "hf"
    if suffix in ("json", "jsonl", "ndjson"):
        return "jsonl"
    if suffix in ("csv", "tsv", "parquet", "conll"):
        return suffix
    raise InputError(path, f"unknown format {suffix!r}; use one of .csv .tsv .jsonl .parquet .conll or a "
                           "datasets save_to_disk folder")


def _decode(path: Path, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(path, f"invalid UTF-8 at byte {exc.start} (line {line}); re-save the file as UTF-8",
                         ) from None


def read_rows(path: str | os.PathLike, fmt: str | None = None) -> list[dict[str, Any]]:
    """All rows as dicts. Row numbers in errors are 1-based data rows (the header is not a row)."""
    path = Path(path)
    if not path.exists():
        raise InputError(path, "no such file or folder")
    fmt = fmt or detect_format(path)
    if fmt in ("csv", "tsv"):
        text = _decode(path, path.read_bytes())
        csv.field_size_limit(2**31 - 1)  # long documents are legitimate input
        reader = csv.DictReader(io.StringIO(text, newline=""), delimiter="\t" if fmt == "tsv" else ",", strict=True)
        rows = []
        try:
            for i, row in enumerate(reader, start=1):
                if None in row:
                    raise InputError(path, f"{len(row[None])} more value(s) than the header has columns", row=i)
                rows.append(dict(row))
        except csv.Error as exc:
            raise InputError(path, f"malformed {fmt.upper()}: {exc}", row=len(rows) + 1) from None
        if reader.fieldnames is None:
            raise InputError(path, "the file is empty (no header row)")
        return rows
    if fmt == "jsonl":
        text = _decode(path, path.read_bytes())
        rows = []
        for i, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(path, f"invalid JSON on line {i}: {exc.msg}", row=len(rows) + 1) from None
            if not isinstance(obj, dict):
                raise InputError(path, f"line {i} is not a JSON object", row=len(rows) + 1)
            rows.append(obj)
        return rows
    if fmt == "conll":
        return _read_conll(path)
    if fmt == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        try:
            return pq.read_table(path).to_pylist()
        except (pa.ArrowException, OSError) as exc:
            raise InputError(path, f"not a readable Parquet file: {exc}") from None
    if fmt == "hf":
        from datasets import load_from_disk

        try:
            ds = load_from_disk(str(path))
        except (FileNotFoundError, ValueError, OSError) as exc:
            raise InputError(path, f"not a datasets save_to_disk folder: {exc}") from None
        if hasattr(ds, "keys"):  # DatasetDict
            raise InputError(path, f"a DatasetDict; point to one split folder: {sorted(ds.keys())}")
        return ds.to_list()
    raise InputError(path, f"unknown format {fmt!r}")


def _read_conll(path: Path) -> list[dict[str, Any]]:
    """CoNLL columns: one token per line, its first column the token and its last the tag; a blank line
    ends a sentence; ``-DOCSTART-`` lines are skipped. Rows are ``{"tokens": [...], "tags": [...]}``."""
    rows: list[dict[str, Any]] = []
    tokens: list[str] = []
    tags: list[str] = []
    for i, line in enumerate(_decode(path, path.read_bytes()).splitlines(), start=1):
        cols = line.split()
        if cols and cols[0] == "-DOCSTART-":
            continue
        if not cols:
            if tokens:
                rows.append({"tokens": tokens, "tags": tags})
                tokens, tags = [], []
            continue
        if len(cols) < 2:
            raise InputError(path, f"line {i} has one column; a CoNLL line is TOKEN ... TAG", row=len(rows) + 1)
        tokens.append(cols[0])
        tags.append(cols[-1])
    if tokens:
        rows.append({"tokens": tokens, "tags": tags})
    return rows


def file_digest(path: str | os.PathLike) -> str:
    """SHA-256 of a file's bytes, or of every file in a folder (sorted by path), read in blocks."""
    import hashlib

    h = hashlib.sha256()
    p = Path(path)
    for f in sorted(p.rglob("*")) if p.is_dir() else [p]:
        if f.is_file():
            with open(f, "rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    h.update(block)
    return h.hexdigest()


def write_atomically(path: str | os.PathLike, write: Callable[[Path], Any]) -> None:
    """Write ``path`` whole or not at all: ``write(tmp)`` to a per-process temporary name with the same
    suffix (``np.savez`` keeps ``.npz`` names as they are), then an atomic rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.stem}.tmp{os.getpid()}{path.suffix}")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


@dataclass
class Rejected:
    row: int
    field: str
    reason: str
    record: dict[str, Any]


def validate(path: str | os.PathLike, rows: list[dict[str, Any]], text_fields: list[str],
             label_field: str | None = None, skip_bad: bool = False) -> tuple[list[int], list[Rejected]]:
    """Indexes of good rows, and the rejected ones (only when ``skip_bad``; else the first raises)."""
    if rows:
        columns = set().union(*(r.keys() for r in rows[:1000]))
        for f in text_fields + ([label_field] if label_field else []):
            if f not in columns:
                raise InputError(path, f"no such column; columns are {sorted(columns)}", field=f)
    good, rejected = [], []
    for i, row in enumerate(rows):
        problem = None
        for f in text_fields:
            v = row.get(f)
            if is_missing(v):
                problem = (f, "missing text")
            elif not isinstance(v, str):
                problem = (f, f"text must be a string, not {type(v).__name__}")
            elif not v.strip():
                problem = (f, "empty or whitespace-only text")
            if problem:
                break
        if problem is None and label_field is not None:
            v = row.get(label_field)
            if is_missing(v) or (isinstance(v, str) and not v.strip()):
                problem = (label_field, "missing label")
        if problem is None:
            good.append(i)
        elif skip_bad:
            rejected.append(Rejected(i + 1, problem[0], problem[1], row))
        else:
            raise InputError(path, problem[1] + " (use --skip-bad-rows to set such rows aside)",
                             row=i + 1, field=problem[0])
    return good, rejected


def _jsonable(v: Any) -> Any:
    if hasattr(v, "item") and not isinstance(v, (list, dict, str)):
        try:
            return v.item()
        except (ValueError, AttributeError):
            pass
    return v


class AtomicWriter:
    """Stream records to a temporary file beside ``path``; ``commit`` moves it into place."""

    def __init__(self, path: str | os.PathLike, fmt: str | None = None, protect: Iterable[Path] = ()):
        self.path = Path(path)
        self.fmt = fmt or detect_format(self.path)
        if self.fmt == "conll":
            raise InputError(self.path, "CoNLL is read, not written (it has no place for provenance); write "
                                        ".jsonl or .parquet")
        for p in protect:
            if Path(p).resolve() == self.path.resolve():
                raise InputError(self.path, "the output would overwrite the input; choose another path")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._tmp = Path(tempfile.mkdtemp(prefix=f".{self.path.name}.", dir=self.path.parent))
        self._file = self._tmp / "part"
        self._rows: list[dict[str, Any]] = []
        self._fh = None
        self._csv = None
        self.count = 0

    def write(self, record: dict[str, Any]) -> None:
        self.count += 1
        if self.fmt == "jsonl":
            if self._fh is None:
                self._fh = open(self._file, "w", encoding="utf-8", newline="\n")
            self._fh.write(json.dumps({k: _jsonable(v) for k, v in record.items()}, ensure_ascii=False) + "\n")
        elif self.fmt in ("csv", "tsv"):
            flat = {k: json.dumps(v, ensure_ascii=False) if isinstance(v, (list, dict)) else v
                    for k, v in record.items()}
            if self._csv is None:
                self._fh = open(self._file, "w", encoding="utf-8", newline="")
                self._csv = csv.DictWriter(self._fh, fieldnames=list(flat),
                                           delimiter="\t" if self.fmt == "tsv" else ",")
                self._csv.writeheader()
            self._csv.writerow(flat)
        else:
            self._rows.append(record)

    def commit(self) -> None:
        if self._fh is not None:
            self._fh.close()
        if self.fmt in ("jsonl", "csv", "tsv"):
            if self.count == 0:
                self._file.write_text("")
            os.replace(self._file, self.path)
        elif self.fmt == "parquet":
            import pyarrow as pa
            import pyarrow.parquet as pq

            pq.write_table(pa.Table.from_pylist(self._rows), self._file)
            os.replace(self._file, self.path)
        else:
            from datasets import Dataset

            Dataset.from_list(self._rows).save_to_disk(str(self._file))
            if self.path.exists():
                shutil.rmtree(self.path)
            os.replace(self._file, self.path)
        shutil.rmtree(self._tmp, ignore_errors=True)

    def abort(self) -> None:
        if self._fh is not None:
            self._fh.close()
        shutil.rmtree(self._tmp, ignore_errors=True)
