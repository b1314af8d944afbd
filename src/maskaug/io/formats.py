"""File formats by suffix."""

from __future__ import annotations

import os
from pathlib import Path

from maskaug.io.errors import InputError

FORMATS = ("csv", "tsv", "jsonl", "parquet", "hf", "conll")
COLUMNAR = ("parquet", "hf")  # one Arrow type per column


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
