"""Where a job writes: the output path, its side files, one writer at a time, and nothing else touched.

For ``-o OUT`` maskaug writes ``OUT`` (and, when there are any, ``OUT.rejected.jsonl`` with the rows set aside
and ``OUT.shortfall.jsonl`` with the rows that got fewer than ``n`` outputs). While it runs, its working files
live in one side folder, ``.OUT.maskaug/`` beside ``OUT``: the lock, the resumable partial output and the
temporary file of the final write. When the run ends the side folder is removed; after a crash or kill it
holds the partial output the same command resumes.

Rules, checked before anything is created:

* the input is never written: an output (or a side file) that is the input, holds it or lies inside it is
  refused, whatever the flags;
* an existing output is replaced only with ``--overwrite`` (a resumable partial of the same job is not an
  overwrite), and an existing folder that maskaug did not write is never replaced;
* one writer per output: a second run on the same ``OUT`` refuses in one line naming the run that holds it;
  a lock left by a killed run is released by the system and recovered.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import time
from pathlib import Path

from maskaug.io.errors import OutputError
from maskaug.io.formats import detect_format
from maskaug.io.writers import MARKER

SIDE_SUFFIXES = ("rejected.jsonl", "shortfall.jsonl")


def side_folder(output: Path) -> Path:
    """``.OUT.maskaug`` beside ``OUT``: where a job keeps its lock and working files."""
    return output.with_name(f".{output.name}.maskaug")


def written_by_maskaug(path: Path) -> bool:
    """Whether ``path`` looks like maskaug output (provenance columns, or a datasets folder with its marker)."""
    try:
        if path.is_dir():
            return (path / MARKER).is_file()
        fmt = detect_format(path) if path.suffix else "hf"
        if fmt == "parquet":
            import pyarrow.parquet as pq

            return "aug_source_row" in pq.ParquetFile(path).schema_arrow.names
        with open(path, encoding="utf-8", errors="replace") as fh:
            head = fh.readline()
        return "aug_source_row" in head
    except Exception:  # unreadable or unknown: not ours
        return False


def _inside(a: Path, b: Path) -> bool:
    """Whether ``a`` is ``b`` or lies inside it."""
    try:
        a.relative_to(b)
        return True
    except ValueError:
        return False


class OutputTarget:
    """The output of one job and its side files. ``check`` refuses what must not be written;
    ``acquire`` takes the lock (creating the side folder); ``release`` removes what is left."""

    def __init__(self, path: str | os.PathLike, inputs: list[str | os.PathLike] = (), overwrite: bool = False):
        self.path = Path(path)
        self.inputs = [Path(p) for p in inputs]
        self.overwrite = overwrite
        self.side = side_folder(self.path)
        self.rejected = self.path.with_name(self.path.name + ".rejected.jsonl")
        self.shortfall = self.path.with_name(self.path.name + ".shortfall.jsonl")
        self._lock = None
        self._created_side = False

    def __repr__(self) -> str:
        return f"OutputTarget({str(self.path)!r})"

    @property
    def outputs(self) -> list[Path]:
        """The output and every side file a run may write beside it."""
        return [self.path, self.rejected, self.shortfall]

    def check(self) -> None:
        """Refuse, in one line, an output that would touch the input or replace what is not to be replaced."""
        mine = [p.resolve() for p in (*self.outputs, self.side)]
        for src in self.inputs:
            s = src.resolve()
            for p in mine:
                if s == p or _inside(s, p) or _inside(p, s):
                    what = "is the input" if s == p else "holds the input" if _inside(s, p) else "is inside the input"
                    raise OutputError(p, f"{what} ({src}); maskaug never writes over its input: choose another "
                                         f"output path")
        parent = self.path.parent
        if parent.exists() and not parent.is_dir():
            raise OutputError(self.path, f"{parent} is not a folder")
        if self.path.is_dir() and not written_by_maskaug(self.path):
            raise OutputError(self.path, "is a folder maskaug did not write; it is never replaced (not even with "
                                         "--overwrite): choose a new output path")
        existing = [p for p in self.outputs if p.exists()]
        if existing and not self.overwrite:
            ours = written_by_maskaug(existing[0])
            raise OutputError(existing[0], f"already exists{' (an earlier maskaug output)' if ours else ''}; pass "
                                           f"--overwrite to replace it, or choose another output path")

    def acquire(self) -> None:
        """Create the side folder and hold its lock for the whole run; refuse if another run holds it."""
        from filelock import FileLock, Timeout

        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._created_side = not self.side.exists()
            self.side.mkdir(exist_ok=True)
            lock = FileLock(str(self.side / "lock"), timeout=0)
            try:
                lock.acquire()
            except Timeout:
                raise OutputError(self.path, f"is being written by another maskaug run ({self.holder()}); wait for "
                                             f"it to finish or choose another output path") from None
        except OSError as exc:
            raise OutputError(exc.filename or self.path, f"cannot write here: {exc.strerror or exc}") from None
        self._lock = lock
        (self.side / "holder.json").write_text(json.dumps(
            {"pid": os.getpid(), "host": platform.node(), "started": time.strftime("%Y-%m-%d %H:%M:%S")}) + "\n")
        for stale in self.side.glob("tmp-*"):  # a final write a killed run left: never resumable
            shutil.rmtree(stale, ignore_errors=True) if stale.is_dir() else stale.unlink(missing_ok=True)
        self.check()  # again, now that no other run can change it

    def holder(self) -> str:
        """Who holds the output's lock (pid, host, start), for the refusal message."""
        try:
            h = json.loads((self.side / "holder.json").read_text())
            return f"pid {h['pid']} on {h['host']}, started {h['started']}"
        except (OSError, ValueError, KeyError):
            return "holder unknown"

    def tmp_dir(self) -> Path:
        """A folder for the final write's temporary file, beside the output (same file system)."""
        return self.side / f"tmp-{os.getpid()}"

    def release(self, keep_partial: bool) -> None:
        """Drop the lock; remove the side folder unless it holds a resumable partial (``keep_partial``)."""
        if self._lock is None:
            return
        shutil.rmtree(self.tmp_dir(), ignore_errors=True)
        (self.side / "holder.json").unlink(missing_ok=True)
        self._lock.release()
        self._lock = None
        if not keep_partial:
            shutil.rmtree(self.side, ignore_errors=True)
