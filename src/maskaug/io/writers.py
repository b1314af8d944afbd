"""Write records whole or not at all, at bounded memory.

Every writer streams: JSONL line by line (``.json``: one JSON array); CSV/TSV in two passes over the records
(the first collects the columns, in order of first appearance, so rows with extra columns are not refused
half-way; ``aug_edits`` as readable text such as ``text[18:29] 'beautifully' -> 'well'``); Parquet in two
passes (the first unifies the Arrow schema of every block, the second writes one row group per block with
``pyarrow.parquet.ParquetWriter``); a 🤗 datasets folder through that Parquet file (``Dataset.from_parquet``
then ``save_to_disk``). The result is written under a temporary name in ``tmp_dir`` (on the output's file
system) and moved into place with one atomic rename. Text formats ending in ``.gz`` or ``.zst`` are
compressed as they are written.

Columns that came from a Parquet or datasets input keep their Arrow type in a Parquet or datasets output
(timestamps, dates and decimals travel through JSON as strings, see ``maskaug.io.jsonsafe``) wherever
Arrow can cast them back; otherwise they keep the type of their JSON form.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import shutil
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any

from maskaug.io.errors import OutputError
from maskaug.io.formats import open_binary
from maskaug.io.jsonsafe import dumps, jsonable

BLOCK_ROWS = 2048
MARKER = "maskaug.json"  # in a datasets folder maskaug wrote; lets a rerun know the folder is its own
Records = Callable[[], Iterable[dict[str, Any]]]  # each call: a fresh pass over the records


def _blocks(records: Iterable[dict[str, Any]], size: int = BLOCK_ROWS) -> Iterator[list[dict[str, Any]]]:
    it = iter(records)
    while block := list(islice(it, size)):
        yield block


def _text_out(path: Path) -> io.TextIOWrapper:
    """A text file for writing, compressed by its suffix (``.gz``, ``.zst``)."""
    return io.TextIOWrapper(open_binary(path, "wb"), encoding="utf-8", newline="")


def write_records(path: str | os.PathLike, fmt: str, records: Records, tmp_dir: str | os.PathLike,
                  arrow_types: dict[str, Any] | None = None, metadata: dict[str, str] | None = None,
                  features: dict[str, Any] | None = None) -> int:
    """Write every record of ``records()`` to ``path`` in ``fmt``; returns how many were written. ``features``:
    the input's 🤗 datasets features by column (their JSON form), kept in a datasets output (``ClassLabel`` names)."""
    path, tmp_dir = Path(path), Path(tmp_dir)
    tmp_dir.mkdir(parents=True, exist_ok=True)
    tmp = tmp_dir / ("output" + "".join(path.suffixes[-2:]))
    if fmt == "conll":
        raise OutputError(path, "CoNLL is read, not written (it has no place for provenance); write .jsonl or "
                                ".parquet")
    try:
        if fmt in ("jsonl", "json"):
            with _text_out(tmp) as fh:
                count = stream_records(fh, fmt, records())
        elif fmt in ("csv", "tsv"):
            count = _csv(tmp, records, "\t" if fmt == "tsv" else ",")
        elif fmt == "parquet":
            count = _parquet(tmp, records, arrow_types or {}, metadata or {})
        elif fmt == "hf":
            count = _dataset(tmp, tmp_dir, records, arrow_types or {}, metadata or {}, features or {})
        else:
            raise OutputError(path, f"unknown output format {fmt!r}")
        if fmt == "hf" and path.is_dir():  # an earlier maskaug output (checked by the caller): replaced
            old = tmp_dir / "replaced"
            os.replace(path, old)
            os.replace(tmp, path)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, path)
    finally:
        if tmp.is_dir():
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            tmp.unlink(missing_ok=True)
    return count


def stream_records(fh, fmt: str, records: Iterable[dict[str, Any]], flush: bool = False) -> int:
    """Write records to an open text file as JSON Lines or one JSON array; returns the count."""
    count = 0
    if fmt == "json":
        fh.write("[")
    for rec in records:
        if fmt == "json":
            fh.write(("," if count else "") + "\n" + dumps(rec))
        else:
            fh.write(dumps(rec) + "\n")
        count += 1
        if flush:
            fh.flush()
    if fmt == "json":
        fh.write("\n]\n" if count else "]\n")
    return count


def readable_edits(edits: list[dict[str, Any]]) -> str:
    """``aug_edits`` for a CSV cell: ``text[18:29] 'beautifully' -> 'well' | ...`` (a token edit: ``tokens[5]``)."""
    out = []
    for e in edits:
        where = f"[{e['token']}]" if "token" in e else f"[{e.get('start')}:{e.get('end')}]"
        out.append(f"{e.get('field', '')}{where} {e.get('old', '')!r} -> {e.get('new', '')!r}")
    return " | ".join(out)


def _cell(key: str, v: Any) -> Any:
    if key == "aug_edits" and isinstance(v, list) and all(isinstance(e, dict) for e in v):
        return readable_edits(v)
    if isinstance(v, (list, dict)):
        return dumps(v)
    v = jsonable(v) if not isinstance(v, (str, int)) else v
    return "" if v is None else v


def _csv(tmp: Path, records: Records, delimiter: str) -> int:
    columns: dict[str, None] = {}
    for rec in records():
        for k in rec:
            columns.setdefault(k, None)
    count = 0
    with _text_out(tmp) as fh:
        writer = csv.DictWriter(fh, fieldnames=list(columns), delimiter=delimiter, restval="")
        if columns:
            writer.writeheader()
        for rec in records():
            writer.writerow({k: _cell(k, v) for k, v in rec.items()})
            count += 1
    return count


class CsvStream:
    """CSV/TSV rows written as they come (to standard output): the first row's columns are the header."""

    def __init__(self, fh, delimiter: str):
        self.fh, self.delimiter, self.writer = fh, delimiter, None

    def write(self, rec: dict[str, Any]) -> None:
        """Write one record as a CSV/TSV line (the header first, from the first record)."""
        if self.writer is None:
            self.writer = csv.DictWriter(self.fh, fieldnames=list(rec), delimiter=self.delimiter, restval="")
            self.writer.writeheader()
        extra = set(rec) - set(self.writer.fieldnames)
        if extra:
            raise OutputError("-", f"a later row has columns the first lacks ({sorted(extra)}); CSV on standard "
                                   f"output takes its header from the first row: write to a file")
        self.writer.writerow({k: _cell(k, v) for k, v in rec.items()})
        self.fh.flush()


def _schema(records: Records, arrow_types: dict[str, Any]):
    """The unified Arrow schema of all records, with pass-through columns cast back to the input's type where
    every block allows it."""
    import pyarrow as pa

    schema = None
    castable = dict(arrow_types)
    for block in _blocks(records()):
        try:
            table = pa.Table.from_pylist([jsonable(r) for r in block])
        except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
            raise OutputError("Parquet", f"the rows cannot share one Arrow schema ({exc}); write .jsonl") from None
        schema = table.schema if schema is None else pa.unify_schemas([schema, table.schema],
                                                                      promote_options="permissive")
        for name, typ in list(castable.items()):
            if name in table.column_names and table.schema.field(name).type != typ:
                try:
                    table.column(name).cast(typ)
                except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
                    del castable[name]
    if schema is None:
        return pa.schema([])
    fields = [pa.field(f.name, castable.get(f.name, f.type)) for f in schema]
    return pa.schema(fields)


def _table(block: list[dict[str, Any]], schema):
    import pyarrow as pa

    loose = pa.Table.from_pylist([jsonable(r) for r in block])
    columns = []
    for f in schema:
        col = loose.column(f.name) if f.name in loose.column_names else pa.nulls(len(block), f.type)
        columns.append(col.cast(f.type) if col.type != f.type else col)
    return pa.Table.from_arrays(columns, schema=schema)


def _parquet(tmp: Path, records: Records, arrow_types: dict[str, Any], metadata: dict[str, str]) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        schema = _schema(records, arrow_types).with_metadata(metadata)
        count = 0
        with pq.ParquetWriter(tmp, schema) as writer:
            for block in _blocks(records()):
                writer.write_table(_table(block, schema))
                count += len(block)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError) as exc:
        raise OutputError(tmp.name, f"cannot write Parquet: {exc}") from None
    return count


def with_features(ds: Any, features: dict[str, Any]) -> Any:
    """``ds`` (a 🤗 ``Dataset``) with the input's ``features`` (their JSON form) on the columns it shares with the
    input, so a ``ClassLabel`` keeps its names."""
    from datasets import Features

    kept = {c: f for c, f in features.items() if c in ds.column_names}
    return ds.cast(Features({**ds.features, **Features.from_dict(kept)})) if kept else ds


def _dataset(tmp: Path, tmp_dir: Path, records: Records, arrow_types: dict[str, Any],
             metadata: dict[str, str], features: dict[str, Any]) -> int:
    import json

    from datasets import Dataset
    from datasets.utils.logging import disable_progress_bar

    disable_progress_bar()
    parquet = tmp_dir / "dataset.parquet"
    try:
        count = _parquet(parquet, records, arrow_types, metadata)
        ds = with_features(Dataset.from_parquet(str(parquet), cache_dir=str(tmp_dir / "cache"), keep_in_memory=False),
                           features)
        ds.save_to_disk(str(tmp))
        del ds
        (tmp / MARKER).write_text(json.dumps(metadata) + "\n")
    finally:
        parquet.unlink(missing_ok=True)
        shutil.rmtree(tmp_dir / "cache", ignore_errors=True)
    return count


def file_digest(path: str | os.PathLike) -> str:
    """SHA-256 of a file's bytes, or of every file in a folder (relative names and bytes, sorted), in blocks."""
    h = hashlib.sha256()
    p = Path(path)
    files = sorted(f for f in p.rglob("*") if f.is_file()) if p.is_dir() else [p]
    for f in files:
        if p.is_dir():
            h.update(str(f.relative_to(p)).encode("utf-8") + b"\0")
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
