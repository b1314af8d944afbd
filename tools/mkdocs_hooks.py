"""MkDocs hooks: pages built from the code at build time, so they cannot drift from it. ``<!-- registry -->``
(docs/methods.md) becomes one table of the parameters methods share and, per method, only its own; ``<!-- modules -->``
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
    """The first source and output of each method in the page's "What good output looks like" block, by the
    name its command gives (``insert.v3``, ``eda``)."""
    out: dict[str, tuple[str, str]] = {}
    for method, body in re.findall(r"--method (\S+)\n(.*?)(?=\n\$ |\n```)", markdown, re.S):
        m = re.search(r"row 1: (.*)\n  -> (.*)", body)
        if m:
            out[method] = (m.group(1), m.group(2))
    return out


def _base(name: str) -> str:
    return name.rsplit(".v", 1)[0]


REFERENCE = "substitute"  # the shared table gives this method's defaults; the others say where theirs differ


def _shared(defaults: list) -> dict[str, object]:
    """The parameters that two or more methods take, each with ``substitute``'s default (else the commonest)."""
    from collections import Counter

    from maskaug.methods.registry import PARAM_HELP

    taking: dict[str, list] = {}
    reference: dict[str, str] = {}
    for entry in defaults:
        for k, v in entry.params.items():
            taking.setdefault(k, []).append(_shown(v))
            if _base(entry.name) == REFERENCE:
                reference[k] = _shown(v)
    order = list(PARAM_HELP)
    shared = sorted((k for k in taking if len(taking[k]) >= 2), key=lambda k: (
        order.index(k) if k in order else len(order), k))
    return {k: reference.get(k, Counter(taking[k]).most_common(1)[0][0]) for k in shared}


def _registry(markdown: str) -> str:
    """One table of the parameters methods share, then per method: its doc, an example, its own parameters and
    defaults, and how its other versions differ."""
    from maskaug.methods.registry import PARAM_HELP, entries, resolve

    def meaning(k: str) -> str:
        return PARAM_HELP.get(k, "").replace("|", chr(92) + "|")

    bases = sorted({_base(e.name) for e in entries()})
    defaults = [resolve(b) for b in bases]
    shared = _shared(defaults)
    rows = "\n".join(f"| `{k}` | `{v}` | {meaning(k)} |" for k, v in shared.items())
    parts = ["### Parameters the methods share\n",
             f"Each with `{REFERENCE}`'s default; a method whose default differs says so in its section below.\n",
             "| parameter | default | meaning |\n|---|---|---|\n" + rows + "\n"]
    examples = _examples(markdown)
    for base, entry in zip(bases, defaults):
        versions = sorted((e for e in entries() if _base(e.name) == base), key=lambda e: e.name, reverse=True)
        parts.append(f"### `{base}`\n\n{entry.doc}\n")
        shown = next((n for n in [e.name for e in versions] + [base] if n in examples), None)
        if shown:
            src, out = examples[shown]
            parts.append(f"Example (built-in model, seed 0), `{shown}`: {src} → {out}\n")
        differ = [f"`{k}` `{_shown(v)}`" for k, v in entry.params.items() if k in shared and _shown(v) != shared[k]]
        if differ:
            parts.append("Defaults that differ from the shared table: " + ", ".join(differ) + ".\n")
        own = {k: v for k, v in entry.params.items() if k not in shared}
        if own:
            parts.append("| its own parameter | default | meaning |\n|---|---|---|\n"
                         + "\n".join(f"| `{k}` | `{_shown(v)}` | {meaning(k)} |" for k, v in own.items()) + "\n")
        lines = [f"- `{entry.name}`: what `{base}` runs."]
        for other in (v for v in versions if v.name != entry.name):
            keys = dict.fromkeys([*entry.params, *other.params])
            changed = [f"`{k}` `{_shown(other.params[k])}`" for k in keys
                       if k in other.params and _shown(other.params[k]) != _shown(entry.params.get(k))]
            changed += [f"no `{k}`" for k in keys if k not in other.params]
            lines.append(f"- `{other.name}`: " + (", ".join(changed) if changed else "the same parameters") + ".")
        title = "Versions, and how each differs from it:" if len(versions) > 1 else "Version:"
        parts.append(f"{title}\n\n" + "\n".join(lines) + "\n")
    return "\n".join(parts)


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
    """Replace the markers: the registry's methods (shared parameters, then each method's own) and the package's
    modules."""
    if MODULES in markdown:
        markdown = markdown.replace(MODULES, _modules())
    if MARKER in markdown:
        markdown = markdown.replace(MARKER, _registry(markdown))
    return markdown
