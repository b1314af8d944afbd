"""MkDocs hooks: pages built from the code at build time, so they cannot drift from it. ``<!-- registry -->``
(docs/methods.md) becomes every registered method with its parameters; ``<!-- modules -->``
(docs/architecture.md) becomes one paragraph per module of the package, its docstring's first paragraph."""

from __future__ import annotations

import re

MARKER = "<!-- registry -->"
MODULES = "<!-- modules -->"


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


def _modules() -> str:
    """One paragraph per module of ``maskaug``, in package order: its path and its docstring's first paragraph."""
    import ast
    from pathlib import Path

    import maskaug

    root = Path(maskaug.__file__).parent
    out = []
    for path in sorted(root.rglob("*.py"), key=lambda p: (len(p.relative_to(root).parts), str(p))):
        rel = path.relative_to(root)
        if path.name.startswith("_") and path.name != "__init__.py" or "assets" in rel.parts:
            continue
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        first = " ".join(doc.split("\n\n")[0].split())
        out.append(f"**`{rel.as_posix()}`**: {first}\n")
    return "\n".join(out)


def on_page_markdown(markdown: str, page, config, files):
    """Replace the markers: the registry's methods (doc, example, parameters) and the package's modules."""
    if MODULES in markdown:
        markdown = markdown.replace(MODULES, _modules())
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
