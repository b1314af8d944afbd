"""Lower layers never import higher ones (every import, module-level or inside a function, counts)."""

from __future__ import annotations

import ast
from pathlib import Path

PKG = Path(__file__).resolve().parents[1] / "src" / "maskaug"

# Lowest first. A module may import its own layer and the layers below it.
LAYERS = [
    ["text", "splice", "marks", "memory", "paths"],
    ["io"],
    ["model", "conditioning"],
    ["fingerprint"],
    ["document", "sentence", "wordclass", "masking", "fill"],
    ["methods"],
    ["metrics", "embeddings", "constraints", "choosing", "salience", "augmenter", "settings"],
    ["records", "checkpoint", "output", "review"],
    ["pipeline"],
    ["distributed"],
    ["job"],
    ["api", "finetune", "training", "evaluate", "cli", "__init__", "__main__"],
]
LAYER = {name: i for i, names in enumerate(LAYERS) for name in names}


def _part(module: str) -> str:
    """``maskaug.model.engine`` -> ``model``; ``maskaug`` itself -> ``__init__``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("maskaug") and not node.level:
            if node.module == "maskaug":
                out += [(node.lineno, f"maskaug.{a.name}") for a in node.names]
            else:
                out.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names if a.name.startswith("maskaug")]
    return out


def test_every_module_has_a_layer():
    parts = {p.relative_to(PKG).parts[0].removesuffix(".py") for p in PKG.rglob("*.py")}
    assert parts - set(LAYER) == set()


def test_lower_layers_never_import_higher_ones():
    bad = []
    for path in sorted(PKG.rglob("*.py")):
        rel = path.relative_to(PKG)
        me = rel.parts[0].removesuffix(".py")
        for lineno, module in _imports(path):
            if module == "maskaug.__version__":
                continue  # the version string, defined before the package's imports
            other = _part(module)
            if LAYER[other] > LAYER[me]:
                bad.append(f"{rel}:{lineno} imports {module} ({other} is above {me})")
    assert not bad, "\n".join(bad)


def test_the_named_rules_of_the_redesign():
    """model/ does not import fill; masking does not import the fill engine."""
    for path in (PKG / "model").rglob("*.py"):
        assert not any(m.startswith("maskaug.fill") for _, m in _imports(path)), path
    assert not any(m == "maskaug.model.engine" for _, m in _imports(PKG / "masking.py"))


def test_the_readme_layout_table_names_every_module():
    """The architecture page's layout table lists every module of the package (a new module is placed there too)."""
    readme = (PKG.parents[1] / "docs" / "architecture.md").read_text(encoding="utf-8")
    table = readme[readme.index("| layer | modules | what |"):]
    table = table[:table.index("\n\n")]
    missing = []
    for path in sorted(PKG.rglob("*.py")):
        rel = path.relative_to(PKG)
        if path.name.startswith("_") or "assets" in rel.parts:
            continue
        if len(rel.parts) == 1:
            listed = f"`{rel}`" in table
        else:  # a subpackage's module is named on its package's row: `io/` (`readers`, ...)
            row = next((line for line in table.splitlines() if f"`{rel.parts[0]}/`" in line), "")
            listed = f"`{rel.stem}`" in row
        if not listed:
            missing.append(str(rel))
    assert not missing, f"add to the Layout table of docs/architecture.md: {missing}"
