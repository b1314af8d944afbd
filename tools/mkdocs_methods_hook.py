"""MkDocs hook: the methods page's registry table, built from ``maskaug.methods.registry`` at build time so it
cannot drift from the code (``<!-- registry -->`` in docs/methods.md is replaced by it)."""

from __future__ import annotations

import re

MARKER = "<!-- registry -->"


def _shown(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (tuple, list)):
        return "[" + ", ".join(map(str, value)) + "]"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _examples(markdown: str) -> dict[str, tuple[str, str]]:
    """The first source and output of each method in the page's "What good output looks like" block."""
    out: dict[str, tuple[str, str]] = {}
    for method, body in re.findall(r"--method (\S+)\n(.*?)(?=\n\$ |\n```)", markdown, re.S):
        m = re.search(r"row 1: (.*)\n  -> (.*)", body)
        if m:
            out[method] = (m.group(1), m.group(2))
    return out


def on_page_markdown(markdown: str, page, config, files):
    """Replace the marker with one section per registered method: its doc, example and parameters."""
    if MARKER not in markdown:
        return markdown
    from maskaug.methods.registry import PARAM_HELP, entries

    examples = _examples(markdown)
    parts = []
    for entry in entries():
        base = entry.name.rsplit(".v", 1)[0]
        parts.append(f"### `{entry.name}`\n\n{entry.doc}\n")
        if base in examples and entry.name == max((e.name for e in entries() if e.name.startswith(base + ".v")),
                                                  key=lambda n: int(n.rsplit(".v", 1)[1])):
            src, out = examples[base]
            parts.append(f"Example (built-in model, seed 0): {src} → {out}\n")
        rows = "\n".join(f"| `{k}` | `{_shown(v)}` | {PARAM_HELP.get(k, '').replace('|', chr(92) + '|')} |"
                         for k, v in entry.params.items())
        parts.append("| parameter | default | meaning |\n|---|---|---|\n" + rows + "\n")
    return markdown.replace(MARKER, "\n".join(parts))
