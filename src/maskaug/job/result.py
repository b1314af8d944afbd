"""What a job did (``JobResult``, with its one-line summary), and ``Interrupted``, raised on Ctrl-C."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PREVIEW = 3  # rows shown before and after


@dataclass
class JobResult:
    """What a job did: its report, the rows it wrote and where, what it set aside and what fell short.

    Args:
        report: The run's counts (``maskaug.augmenter.Report``).
        method: The method's versioned name.
        output: The file written, if any.
        written: Rows written.
        resumed_rows: Input rows an earlier, interrupted run had finished.
        rejected: Bad rows set aside.
        short: Rows that got fewer outputs than asked.
        short_rows: 1-based row numbers of the first short rows.
        records: The output rows, when they were kept in memory (no output file).
        preview: A few ``(source, output)`` pairs to show.
        rejected_path: Where bad rows were set aside.
        shortfall_path: Where each short row's reason was written.
        describe: The method in one line.
        dry_run: Whether nothing was written.
        columns: Which columns were read as text and label.
    """

    report: Any
    method: str
    output: Path | None = None
    written: int = 0
    resumed_rows: int = 0
    rejected: int = 0
    short: int = 0
    short_rows: list[int] = field(default_factory=list)  # 1-based row numbers of the first short rows
    records: list[dict[str, Any]] | None = None  # in memory (no output file)
    preview: list[tuple[str, str]] = field(default_factory=list)
    rejected_path: Path | None = None
    shortfall_path: Path | None = None
    describe: str = ""  # the method in one line
    dry_run: bool = False
    columns: str = ""  # which columns were read as text and label

    def count(self, entry: dict[str, Any]) -> None:
        """Count one finished row (a line of the partial file, ``RowResult.entry``): set aside, or short."""
        if "rejected" in entry:
            self.rejected += 1
        elif entry["produced"] < entry["requested"]:
            self.short += 1
            if len(self.short_rows) < 5:
                self.short_rows.append(entry["row"] + 1)

    def show(self, record: Any, res: Any) -> None:
        """Keep a finished row (a ``RowResult``) and its first output for the preview, until there are enough."""
        if len(self.preview) < PREVIEW and res.records and res.produced:
            out = [r for r in res.records if not r.get("aug_is_original")][0]
            self.preview.extend(record.preview(res.row, out))

    def summary(self) -> str:
        """The job in one line: what was made, resumed, short, set aside and written where."""
        line = f"{self.describe or self.method}: {self.report.summary()}"
        if self.columns:
            line += f"; {self.columns}"
        if self.resumed_rows:
            line += f"; {self.resumed_rows} rows resumed"
        if self.short_rows:
            named = ", ".join(str(r) for r in self.short_rows[:5])
            more = f" and {self.short - 5} more" if self.short > 5 else ""
            where = f" (reasons in {self.shortfall_path.name})" if self.shortfall_path else ""
            line += f"; short: row{'s' if self.short > 1 else ''} {named}{more}{where}"
        if self.rejected:
            where = f" in {self.rejected_path.name}" if self.rejected_path else ""
            line += f"; {self.rejected} bad row{'' if self.rejected == 1 else 's'} set aside{where}"
        if self.dry_run:
            line += "; dry run: nothing written"
        elif self.records is not None:
            line += f"; returned {len(self.records)} rows"
        elif self.output is not None:
            line += f"; wrote {self.written} rows to {self.output}"
        else:
            line += f"; wrote {self.written} rows to standard output"
        return line


class Interrupted(KeyboardInterrupt):
    """Ctrl-C: ``resumable`` says whether finished rows were kept for the same command to resume.

    Args:
        resumable: Whether finished rows were kept for the same command to resume.
        where: The partial output they were kept in, if any.
    """

    def __init__(self, resumable: bool, where: Path | None = None):
        super().__init__()
        self.resumable, self.where = resumable, where
