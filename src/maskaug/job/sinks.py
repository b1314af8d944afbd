"""Where a job's finished rows go: standard output, memory (a dry run) or a file.

Each sink ``open``s (a file takes its lock and its partial output, and says how many rows an interrupted run
already finished), ``write``s the stream of ``RowResult``s, and ``close``s; on a failure, ``fail`` cleans up
and says what the user can do.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from maskaug.io.errors import InputError, OutputError
from maskaug.job.checks import Plan
from maskaug.job.result import Interrupted, JobResult


class Sink:
    """Rows to nowhere; the base of the three sinks."""

    def open(self, result: JobResult) -> int:
        """Start writing; the number of input rows already finished (resumed)."""
        return 0

    def write(self, results: Iterator[Any], result: JobResult) -> None:  # pragma: no cover - interface
        """Consume every ``RowResult`` and record what was written in ``result``."""
        raise NotImplementedError

    def close(self) -> None:
        """Finish after a successful ``write``."""

    def fail(self, exc: BaseException) -> None:
        """Clean up after ``exc``; may raise what the user should see instead."""


class Stdout(Sink):
    """Rows written to standard output as they finish (no lock, no partial output, no side files)."""

    def __init__(self, fmt: str):
        self.fmt = fmt

    def write(self, results, result):
        import io

        from maskaug.io.writers import CsvStream, stream_records

        out = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="", write_through=True)
        records = (rec for res in results for rec in res.records)
        try:
            if self.fmt in ("csv", "tsv"):
                stream = CsvStream(out, "\t" if self.fmt == "tsv" else ",")
                for rec in records:
                    stream.write(rec)
                    result.written += 1
            else:
                result.written = stream_records(out, self.fmt, records, flush=True)
            out.flush()
        finally:
            try:
                out.detach()
            except (ValueError, OSError):
                pass


class Memory(Sink):
    """A dry run's rows and their output rows, kept in memory and returned (``JobResult.records``)."""

    def __init__(self):
        self.rows: list[dict[str, Any]] = []

    def write(self, results, result):
        records: list[dict[str, Any]] = []
        for res in results:
            self.rows.append(res.row)
            records.extend(res.records)
        result.records, result.dry_run = records, True


class File(Sink):
    """The output file: locked, resumable (each finished row goes to the partial file first), written atomically
    with its side files (rejected rows, shortfall reasons) once every row is done."""

    def __init__(self, plan: Plan, describe: str, log: Callable[[str], None]):
        from maskaug.output import OutputTarget

        self.plan, self.describe, self.log = plan, describe, log
        self.target = OutputTarget(plan.output.path, [plan.source.path], overwrite=plan.config.overwrite)
        self.partial = None

    def open(self, result):
        from maskaug.checkpoint import Partial

        key = self.plan.fingerprint()
        self.target.acquire()
        try:
            self.partial = Partial(self.target.side, key, restart=self.plan.config.restart, describe=self.describe)
        except BaseException:
            self.target.release(keep_partial=True)  # another job's partial output stays for --restart to discard
            raise
        if self.partial.done:
            self.log(f"resuming: {self.partial.done} rows ({self.partial.kept} records) already done in "
                     f"{self.target.side.name}/{self.partial.path.name}")
        for entry in self.partial.entries():
            result.count(entry)
        result.resumed_rows = self.partial.done
        return self.partial.done

    def write(self, results, result):
        from maskaug import __version__
        from maskaug.io.readers import hf_features
        from maskaug.io.writers import write_records

        for res in results:
            self.partial.add(res.entry())
        source, partial, target = self.plan.source, self.partial, self.target
        arrow_types = {f.name: f.type for f in source.arrow_schema} if source.arrow_schema else {}
        meta = {"maskaug": __version__, "method": self.plan.method_name}
        result.written = write_records(target.path, self.plan.output.fmt, partial.records, target.tmp_dir(),
                                       arrow_types, meta, hf_features(source.arrow_schema))
        for count, path, rows, attr in ((result.rejected, target.rejected, self._rejected, "rejected_path"),
                                        (result.short, target.shortfall, self._short, "shortfall_path")):
            if count:
                write_records(path, "jsonl", rows, target.tmp_dir())
                setattr(result, attr, path)
            else:
                path.unlink(missing_ok=True)  # a stale one from an earlier run (only there with --overwrite)
        partial.close()

    def _rejected(self) -> Iterable[dict[str, Any]]:
        for e in self.partial.entries():
            if "rejected" in e:
                yield {"row": e["row"] + 1, **e["rejected"]}

    def _short(self) -> Iterable[dict[str, Any]]:
        for e in self.partial.entries():
            if "rejected" not in e and e["produced"] < e["requested"]:
                yield {"row": e["row"] + 1, "aug_source_row": e["id"], "requested": e["requested"],
                       "produced": e["produced"], "reason": e.get("reason", "")}

    def close(self):
        self.target.release(keep_partial=False)

    def fail(self, exc):
        if self.partial is None:  # open() failed: it released what it held
            return
        # finished rows of this job are kept for the same command to resume, unless rerunning cannot help
        keep = self.partial.done > 0 and not isinstance(exc, (OutputError, InputError))
        self.partial.close()
        self.target.release(keep_partial=keep)
        if isinstance(exc, KeyboardInterrupt):
            raise Interrupted(keep, self.target.side) from None
        if isinstance(exc, OSError):
            from maskaug.io.errors import os_error_line

            tail = "; finished rows are kept: rerun the same command to resume" if keep else ""
            raise OutputError(self.target.path, f"cannot write: {os_error_line(exc)}{tail}") from None
