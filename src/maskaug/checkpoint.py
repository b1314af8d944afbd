"""Resumable output: records go to ``OUTPUT.partial.jsonl`` as each source row finishes.

After a row's records comes a marker line ``{"__done__": row}``; a rerun of the same job (same input
bytes and settings, recorded in ``OUTPUT.partial.json``) keeps the records of finished rows, skips
those rows, and appends the rest. Output is deterministic per row, so a resumed run writes exactly
what an uninterrupted one would. At the end the records are written to OUTPUT atomically and the
partial files are removed.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from maskaug.io import InputError, _jsonable, file_digest

DONE = "__done__"


def fingerprint(input_path: str | os.PathLike, settings: dict[str, Any]) -> str:
    h = hashlib.sha256(file_digest(input_path).encode())
    h.update(json.dumps(settings, sort_keys=True, default=str).encode())
    return h.hexdigest()


class Checkpoint:
    def __init__(self, output: str | os.PathLike, key: str, restart: bool = False):
        self.output = Path(output)
        self.records_path = self.output.with_name(self.output.name + ".partial.jsonl")
        self.meta_path = self.output.with_name(self.output.name + ".partial.json")
        self.done: set[Any] = set()
        self.kept = 0
        if restart:
            self.discard()
        if self.meta_path.is_file():
            try:
                saved = json.loads(self.meta_path.read_text()).get("key")
            except (ValueError, AttributeError):
                saved = None
            if saved != key:
                raise InputError(self.records_path, "partial output of a different job (other input or settings); "
                                                    "rerun with --restart to discard it")
            self._recover()
        else:
            self.records_path.parent.mkdir(parents=True, exist_ok=True)
            self.meta_path.write_text(json.dumps({"key": key}) + "\n")
            self.records_path.write_text("")
        self._fh = open(self.records_path, "a", encoding="utf-8", newline="\n")

    def _recover(self) -> None:
        """Keep the records of rows with a marker; drop a torn last line and an unfinished row."""
        lines = self.records_path.read_text(encoding="utf-8").splitlines(keepends=True) \
            if self.records_path.is_file() else []
        parsed = []
        for line in lines:
            if not line.endswith("\n"):
                break
            try:
                parsed.append(json.loads(line))
            except json.JSONDecodeError:
                break
        done = {r[DONE] for r in parsed if DONE in r}
        good = [r for r in parsed if (DONE in r) or r.get("aug_source_row") in done]
        tmp = self.records_path.with_name(self.records_path.name + ".tmp")
        with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
            for r in good:
                fh.write(json.dumps(r, ensure_ascii=False) + "\n")
        os.replace(tmp, self.records_path)
        self.done = done
        self.kept = sum(1 for r in good if DONE not in r)

    def write_row(self, row_id: Any, records: list[dict[str, Any]]) -> None:
        for rec in records:
            self._fh.write(json.dumps({k: _jsonable(v) for k, v in rec.items()}, ensure_ascii=False) + "\n")
        self._fh.write(json.dumps({DONE: _jsonable(row_id)}) + "\n")
        self._fh.flush()

    def records(self) -> Iterator[dict[str, Any]]:
        self._fh.close()
        with open(self.records_path, encoding="utf-8") as fh:
            for line in fh:
                rec = json.loads(line)
                if DONE not in rec:
                    yield rec

    def close(self) -> None:
        if not self._fh.closed:
            self._fh.close()

    def discard(self) -> None:
        for p in (self.records_path, self.meta_path):
            p.unlink(missing_ok=True)
