"""The report's building blocks (headings, paragraphs, warnings, code, tables, facts) and how its numbers and
names are written: percentages, p-values, 95% intervals, paired differences, dataset names, marked edits."""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass, field
from pathlib import Path

Cell = str | list[tuple[str, bool]]  # plain text, or (text, marked) runs


@dataclass(frozen=True)
class Heading:
    """A heading: the report's title (level 1) or a section's (level 2)."""

    text: str
    level: int = 2


@dataclass(frozen=True)
class Paragraph:
    """A paragraph, or a warning set apart (``warn``)."""

    text: str
    warn: bool = False


@dataclass(frozen=True)
class Code:
    """A command, shown as it was typed."""

    text: str


@dataclass(frozen=True)
class Table:
    """A table: a head and rows of cells; ``css``: its class in the HTML page."""

    head: list[str]
    rows: list[list[Cell]]
    css: str = ""


@dataclass(frozen=True)
class Facts:
    """What the evaluation was, as ``name: value`` lines."""

    items: list[tuple[str, str]] = field(default_factory=list)


Block = Heading | Paragraph | Code | Table | Facts


def dataset_name(path: str | None) -> str:
    """``sst2_cased/train`` for ``../shared/data/sst2_cased/train.jsonl``: the folder and the file's stem."""
    if not path:
        return "—"
    p = Path(path)
    stem = p.name.split(".")[0]
    return f"{p.parent.name}/{stem}" if p.parent.name not in ("", ".") else stem


def pct(x: float | None) -> str:
    """A share as a percentage with one decimal (``n/a`` when missing)."""
    return "n/a" if x is None or x != x else f"{100 * x:.1f}"


def p_value(x: float) -> str:
    """A p-value with three decimals, ``<0.001`` below that."""
    return "n/a" if x != x else (f"{x:.3f}" if x >= 0.001 else "<0.001")


def interval(lo: float, hi: float, signed: bool = False) -> str:
    """A 95% interval of shares, in percentage points."""
    if lo != lo or hi != hi:
        return "n/a"
    f = "{:+.1f}" if signed else "{:.1f}"
    return f"[{f.format(100 * lo)}, {f.format(100 * hi)}]"


def difference(d: dict | None) -> str:
    """A paired difference with its 95% interval, in points."""
    if not d:
        return "—"
    return f"{100 * d['mean_diff']:+.1f} {interval(d.get('ci_lo', math.nan), d.get('ci_hi', math.nan), True)}"


def marked(source: str, output: str) -> tuple[list[tuple[str, bool]], list[tuple[str, bool]]]:
    """The two texts as runs of words, the ones that differ marked (word-level diff)."""
    a, b = source.split(" "), output.split(" ")
    left: list[tuple[str, bool]] = []
    right: list[tuple[str, bool]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        changed = op != "equal"
        if i2 > i1:
            left.append((" ".join(a[i1:i2]), changed))
        if j2 > j1:
            right.append((" ".join(b[j1:j2]), changed))
    return left, right
