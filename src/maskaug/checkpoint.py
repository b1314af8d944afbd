"""Resumable partial output: one line per finished input row, in input order, in the partial file's own schema.

Each line of ``partial.jsonl`` (in the output's side folder, see ``maskaug.output``) is one input row:
``{"row": i, "records": [...], "requested": n, "produced": k}`` for a row that was augmented (plus
``"reason"`` when it got fewer than ``n`` outputs), or ``{"row": i, "rejected": {"field", "reason",
"record"}}`` for a row set aside by ``--skip-bad-rows``. User data only ever sits inside ``records`` and
``record``, so no input column can be mistaken for a marker. ``job.json`` holds the job's fingerprint
(``maskaug.fingerprint``).

A rerun of the same job (same fingerprint) keeps the finished rows, truncates a torn last line and
continues after them; rows are finished in input order, so resuming needs only their count. Output is
deterministic per row, so a resumed run writes exactly what an uninterrupted one would.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from maskaug.io.errors import InputError
from maskaug.io.jsonsafe import dumps


class Partial:
    """The partial output of one job in ``folder``."""

    def __init__(self, folder: str | os.PathLike, key: str, restart: bool = False, describe: str = ""):
        self.folder = Path(folder)
        self.path = self.folder / "partial.jsonl"
        self.meta = self.folder / "job.json"
        self.key = key
        self.done = 0  # finished input rows (a prefix of the input)
        self.kept = 0  # output records among them
        if restart:
            self.discard()
        if self.meta.is_file() and self.path.is_file():
            try:
                saved = json.loads(self.meta.read_text()).get("key")
            except (ValueError, AttributeError):
                saved = None
            if saved != key:
                raise InputError(self.folder, "partial output of a different job (other input, method, model or "
                                              "settings); rerun with --restart to discard it")
            self._recover()
        else:
            self.folder.mkdir(parents=True, exist_ok=True)
            self.path.write_text("")
            self.meta.write_text(json.dumps({"key": key, "job": describe}) + "\n")
        self._fh = open(self.path, "a", encoding="utf-8", newline="\n")

    def __repr__(self) -> str:
        return f"Partial({str(self.path)!r}, done={self.done})"

    def _recover(self) -> None:
        """Count the finished rows; cut a torn or damaged last line off the file."""
        good = 0
        with open(self.path, "rb") as fh:
            for raw in fh:
                if not raw.endswith(b"\n"):
                    break
                try:
                    entry = json.loads(raw)
                except ValueError:
                    break
                if not isinstance(entry, dict) or entry.get("row") != self.done:
                    raise InputError(self.path, f"partial output is damaged at row {self.done + 1}; rerun with "
                                                "--restart to discard it")
                self.done += 1
                self.kept += len(entry.get("records", ()))
                good += len(raw)
        os.truncate(self.path, good)

    def add(self, entry: dict[str, Any]) -> None:
        """One finished input row (``entry["row"]`` must be the next one)."""
        if entry["row"] != self.done:
            raise RuntimeError(f"partial output expects row {self.done}, got {entry['row']}")
        self._fh.write(dumps(entry) + "\n")
        self._fh.flush()
        self.done += 1
        self.kept += len(entry.get("records", ()))

    def entries(self) -> Iterator[dict[str, Any]]:
        """Every finished row, in order (a fresh pass over the file)."""
        self._fh.flush()
        with open(self.path, encoding="utf-8", newline="\n") as fh:
            for line in fh:
                yield json.loads(line)

    def records(self) -> Iterator[dict[str, Any]]:
        """Every output record of the finished rows, in input order (streamed from the file)."""
        for entry in self.entries():
            yield from entry.get("records", ())

    def close(self) -> None:
        """Close the partial file (it stays on disk for a rerun to resume)."""
        if not self._fh.closed:
            self._fh.close()

    def discard(self) -> None:
        """Close and delete the partial file."""
        self.close() if hasattr(self, "_fh") else None
        for p in (self.path, self.meta):
            p.unlink(missing_ok=True)
