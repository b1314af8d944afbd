"""The report as Markdown: its blocks written one after another."""

from __future__ import annotations

from typing import Any

from maskaug.evaluate.report.cells import Block, Cell, Code, Facts, Heading, Paragraph, Table
from maskaug.evaluate.report.sections import blocks


def markdown(results: dict[str, Any], title: str | None = None) -> str:
    """The whole report as Markdown (``title``: instead of the generated one)."""
    lines: list[str] = []
    for block in blocks(results):
        lines += render(block, title)
    return "\n".join(lines)


def render(block: Block, title: str | None = None) -> list[str]:
    """One block's lines, a blank line after it."""
    if isinstance(block, Heading):
        return [f"# {title or block.text}" if block.level == 1 else f"## {block.text}", ""]
    if isinstance(block, Paragraph):
        return [f"> **Warning.** {block.text}" if block.warn else block.text, ""]
    if isinstance(block, Code):
        return ["```", block.text, "```", ""]
    if isinstance(block, Facts):
        return [f"- {k}: {v}" for k, v in block.items] + [""]
    assert isinstance(block, Table)
    return table(block.head, block.rows) + [""]


def cell(c: Cell) -> str:
    """A cell's text, marked runs in bold, pipes escaped."""
    text = c if isinstance(c, str) else " ".join(f"**{t}**" if m else t for t, m in c)
    return text.replace("|", "\\|")


def table(head: list[str], rows: list[list[Cell]]) -> list[str]:
    """A Markdown table's lines."""
    return (["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
            + ["| " + " | ".join(cell(c) for c in r) + " |" for r in rows])
