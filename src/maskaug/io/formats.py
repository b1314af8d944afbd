"""File formats by suffix, with optional compression (``.gz``, ``.zst``) for the text formats."""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO

from maskaug.io.errors import InputError

FORMATS = ("csv", "tsv", "jsonl", "json", "parquet", "hf", "conll")
COLUMNAR = ("parquet", "hf")  # one Arrow type per column
TEXT_FORMATS = ("csv", "tsv", "jsonl", "json", "conll")
COMPRESSIONS = ("gz", "zst")
STDIO = "-"


def split_suffix(path: str | os.PathLike) -> tuple[str, str | None]:
    """``("jsonl", "gz")`` for ``x.jsonl.gz``; ``("parquet", None)`` for ``x.parquet``; the suffix as given."""
    p = Path(path)
    suffixes = [s.lower().lstrip(".") for s in p.suffixes]
    compression = suffixes[-1] if suffixes and suffixes[-1] in COMPRESSIONS else None
    base = suffixes[-2] if compression and len(suffixes) > 1 else (suffixes[-1] if suffixes and not compression
                                                                   else "")
    return base, compression


def detect_format(path: str | os.PathLike) -> str:
    """The format of ``path`` by its suffix (``.jsonl``, ``.csv.gz``, ...) or a folder's (a datasets folder)."""
    p = Path(path)
    base, compression = split_suffix(p)
    if p.is_dir() or base in ("hf", "arrow"):
        fmt = "hf"
    elif base in ("jsonl", "ndjson"):
        fmt = "jsonl"
    elif base in ("json", "csv", "tsv", "parquet", "conll"):
        fmt = base
    else:
        raise InputError(path, f"unknown format {base!r}; use one of .csv .tsv .jsonl .json .parquet .conll (the "
                               f"text ones may end in .gz or .zst) or a datasets save_to_disk folder")
    if compression and fmt not in TEXT_FORMATS:
        raise InputError(path, f".{fmt} is compressed by its own format; drop the .{compression}")
    return fmt


def compression_of(path: str | os.PathLike) -> str | None:
    """``gz``, ``zst`` or None, by the path's last suffix."""
    return split_suffix(path)[1]


def open_binary(path: str | os.PathLike, mode: str = "rb") -> IO[bytes]:
    """A binary file object that (de)compresses by suffix: ``.gz`` with gzip, ``.zst`` with zstandard."""
    compression = compression_of(path)
    if compression == "gz":
        import gzip

        return gzip.open(path, mode)
    if compression == "zst":
        import io

        import zstandard

        stream = zstandard.open(path, mode)
        return io.BufferedReader(stream) if "r" in mode else stream  # iterable by lines
    return open(path, mode)
