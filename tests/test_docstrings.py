"""Every public module, class and function of the package says what it is for (a docstring)."""

from __future__ import annotations

import ast
from pathlib import Path

PKG = Path(__file__).resolve().parents[1] / "src" / "maskaug"


def _missing() -> list[str]:
    out = []
    for path in sorted(PKG.rglob("*.py")):
        rel = path.relative_to(PKG)
        if any(part.startswith("_") and part != "__init__.py" for part in rel.parts):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if not ast.get_docstring(tree):
            out.append(f"{rel}: module")
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and not node.name.startswith("_"):
                if not ast.get_docstring(node):
                    out.append(f"{rel}:{node.lineno} {node.name}")
    return out


def test_public_names_have_docstrings():
    missing = _missing()
    assert not missing, "\n".join(missing)
