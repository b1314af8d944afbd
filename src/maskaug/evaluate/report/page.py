"""The report as one self-contained HTML page: the same blocks as the Markdown (no Markdown left in it), then the
figures as inline PNG."""

from __future__ import annotations

import html
from typing import Any

from maskaug.evaluate.report.cells import Block, Cell, Code, Facts, Heading, Paragraph, Table, dataset_name
from maskaug.evaluate.report.figures import plots
from maskaug.evaluate.report.sections import blocks

STYLE = ("body{font-family:system-ui,sans-serif;max-width:72em;margin:2em auto;padding:0 1em;color:#222}"
         "table{border-collapse:collapse;margin:0.5em 0 1.5em}td,th{border:1px solid #ccc;padding:3px 8px;"
         "text-align:right;vertical-align:top}td:first-child,th:first-child{text-align:left}"
         "table.facts td{text-align:left}table.examples td{text-align:left;max-width:32em}"
         "mark{background:#ffe08a}.warn{background:#fff4e5;border-left:4px solid #e69500;padding:0.5em 1em}"
         "pre{background:#f4f4f4;padding:0.6em;overflow-x:auto}img{max-width:100%}")


def html_page(results: dict[str, Any]) -> str:
    """The report as one self-contained HTML page (no Markdown inside)."""
    body = [render(b) for b in blocks(results)]
    for title, png in plots(results):
        body.append(f"<h2>{html.escape(title)}</h2><img alt=\"{html.escape(title)}\" "
                    f"src=\"data:image/png;base64,{png}\">")
    name = html.escape(dataset_name(results["config"]["data"]))
    return (f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>maskaug evaluate: {name}</title>"
            f"<style>{STYLE}</style></head><body>{''.join(body)}</body></html>\n")


def render(block: Block) -> str:
    """One block as HTML."""
    if isinstance(block, Heading):
        return f"<h{block.level}>{html.escape(block.text)}</h{block.level}>"
    if isinstance(block, Paragraph):
        if block.warn:
            return f"<p class=\"warn\"><strong>Warning.</strong> {html.escape(block.text)}</p>"
        return f"<p>{html.escape(block.text)}</p>"
    if isinstance(block, Code):
        return f"<pre><code>{html.escape(block.text)}</code></pre>"
    if isinstance(block, Facts):
        return table("facts", None, [[k, v] for k, v in block.items])
    assert isinstance(block, Table)
    return table(block.css, block.head, block.rows)


def cell(c: Cell) -> str:
    """A cell's text, escaped, marked runs in ``<mark>``."""
    if isinstance(c, str):
        return html.escape(c)
    return " ".join(f"<mark>{html.escape(t)}</mark>" if m else html.escape(t) for t, m in c)


def table(css: str, head: list[str] | None, rows: list[list[Cell]]) -> str:
    """An HTML table of class ``css`` (no head row when ``head`` is None)."""
    cells = [f"<tr>{''.join(f'<td>{cell(c)}</td>' for c in r)}</tr>" for r in rows]
    top = "" if head is None else f"<tr>{''.join(f'<th>{html.escape(h)}</th>' for h in head)}</tr>"
    return f"<table class=\"{css}\">{top}{''.join(cells)}</table>"
