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


def _public_classes():
    import importlib
    import inspect
    import pkgutil

    import maskaug

    for info in pkgutil.walk_packages(maskaug.__path__, "maskaug."):
        if any(part.startswith("_") for part in info.name.split(".")[1:]):
            continue
        module = importlib.import_module(info.name)
        for name, cls in vars(module).items():
            if not name.startswith("_") and inspect.isclass(cls) and cls.__module__ == info.name:
                yield info.name, cls


def test_public_methods_and_properties_have_docstrings():
    """Each public method and property of a public class is documented, here or on the method it overrides."""
    import inspect

    missing = []
    for module, cls in _public_classes():
        for attr, value in vars(cls).items():
            if attr.startswith("_"):
                continue
            if isinstance(value, (staticmethod, classmethod)):
                value = value.__func__
            if (inspect.isfunction(value) or isinstance(value, property)) and not inspect.getdoc(getattr(cls, attr)):
                missing.append(f"{module}.{cls.__name__}.{attr}")
    assert not missing, "\n".join(missing)


def test_docstrings_are_written_in_one_style():
    """Markdown code spans, as the API pages render them: no reStructuredText roles (``:class:`...```)."""
    import re

    role = re.compile(r":(?:mod|func|class|meth|attr|data|obj|exc|ref):`")
    found = [f"{p.relative_to(PKG)}:{i}" for p in sorted(PKG.rglob("*.py"))
             for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if role.search(line)]
    assert not found, "\n".join(found)
