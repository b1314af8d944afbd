"""The API reference is complete: the built site (``mkdocs build --strict`` into a temporary folder) has a section
for every public class and function of ``maskaug.__all__`` and of the submodules the reference documents, and an
entry for each of their parameters (a class's are its constructor's); examples render as code, and no paragraph
of the site runs over 150 words."""

from __future__ import annotations

import html
import importlib
import inspect
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# What the reference documents besides maskaug.__all__: these submodules' public classes and functions.
SUBMODULES = ("maskaug.training", "maskaug.distributed", "maskaug.finetune", "maskaug.job")


def public_objects() -> dict[str, object]:
    """Every documented public class and function, by its defining path (``maskaug.api.augment``)."""
    import maskaug

    found = [getattr(maskaug, n) for n in maskaug.__all__ if not n.startswith("_")]
    for name in SUBMODULES:
        module = importlib.import_module(name)
        names = getattr(module, "__all__", None) or [n for n, v in vars(module).items() if not n.startswith("_")
                                                     and getattr(v, "__module__", None) == name]
        found += [getattr(module, n) for n in names]
    return {f"{o.__module__}.{o.__qualname__}": o for o in found if inspect.isclass(o) or inspect.isfunction(o)}


def parameters(obj: object) -> list[str]:
    """The names a reader passes: a function's parameters, a class's constructor's (``*args``, ``**kwargs``)."""
    out = []
    for p in inspect.signature(obj).parameters.values():
        star = {p.VAR_POSITIONAL: "*", p.VAR_KEYWORD: "**"}.get(p.kind, "")
        out.append(star + p.name)
    return [p for p in out if p != "self"]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    pytest.importorskip("mkdocs")
    pytest.importorskip("mkdocstrings")
    out = tmp_path_factory.mktemp("site")
    res = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(out)], cwd=ROOT,
                         capture_output=True, text=True, env={"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin",
                                                               "HOME": str(out.parent)})
    assert res.returncode == 0, res.stderr[-3000:]
    return out


@pytest.fixture(scope="module")
def api_html(site) -> str:
    return "\n".join(p.read_text("utf-8") for p in sorted((site / "api").rglob("index.html")))


def own_section(page: str, path: str) -> str | None:
    """An object's own part of the page: from its heading to the next object heading (its members', or the next
    object's)."""
    start = page.find(f'id="{path}"')
    if start < 0:
        return None
    end = page.find('class="doc doc-heading"', page.find("</h", start))
    return page[start:end if end > 0 else len(page)]


def test_the_public_surface_is_found():
    objects = public_objects()
    assert {"maskaug.api.augment", "maskaug.augmenter.Augmenter", "maskaug.settings.JobConfig",
            "maskaug.training.selftrain.self_train", "maskaug.training.uda.UdaTrainer",
            "maskaug.training.uda.UdaCollator", "maskaug.finetune.finetune", "maskaug.model.loading.load_mlm",
            "maskaug.distributed.augment_dataset"} <= set(objects)
    assert sum(len(parameters(o)) for o in objects.values()) > 150


def test_every_public_object_and_parameter_has_an_entry(api_html):
    missing = []
    for path, obj in public_objects().items():
        section = own_section(api_html, path)
        if section is None:
            missing.append(f"{path}: no section")
            continue
        documented = set(re.findall(r'<tr class="doc-section-item">\s*<td>\s*<code>([^<]+)</code>', section))
        missing += [f"{path}: {p}" for p in parameters(obj) if html.escape(p) not in documented]
    assert not missing, "not in the API reference (an Args entry in the docstring):\n" + "\n".join(missing)


def test_examples_render_as_code(api_html):
    """``>>>`` lines are code blocks (not nested quotes) and their doctest flags are not shown."""
    assert "&gt;&gt;&gt;" in api_html or ">>>" in api_html
    assert "doctest:" not in api_html
    assert not re.search(r"<blockquote>\s*<blockquote>", api_html)


def test_no_paragraph_of_the_built_site_runs_over_150_words(site):
    """Generated text too: the registry's method docs, the modules' paragraphs, the docstrings."""
    long = []
    for page in sorted(site.rglob("index.html")):
        text = re.sub(r"<pre.*?</pre>", "", page.read_text("utf-8"), flags=re.S)
        for body in re.findall(r"<p\b[^>]*>(.*?)</p>", text, flags=re.S):
            words = html.unescape(re.sub(r"<[^>]+>", "", body)).split()
            if len(words) > 150:
                long.append(f"{page.relative_to(site)}: {len(words)} words: {' '.join(words[:12])}...")
    assert not long, "\n".join(long)
