"""The documentation site: it builds with ``mkdocs build --strict`` (broken links and anchors fail), its Python
blocks run, every ``maskaug`` command it shows parses with today's CLI, and (slow) headless Chromium renders the
home, methods and API pages."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted((ROOT / "docs").glob("*.md"))
BLOCKS = [(p.name, code) for p in PAGES for code in re.findall(r"```python\n(.*?)```", p.read_text("utf-8"), re.S)]


def _build(out: Path) -> subprocess.CompletedProcess:
    pytest.importorskip("mkdocs")
    pytest.importorskip("mkdocstrings")
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(out)], cwd=ROOT,
                          capture_output=True, text=True, env={"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin",
                                                                "HOME": str(out.parent)})


def test_the_site_builds_strictly_with_the_registry_and_the_api(tmp_path):
    res = _build(tmp_path / "site")
    assert res.returncode == 0, res.stderr[-3000:]
    methods = (tmp_path / "site" / "methods" / "index.html").read_text("utf-8")
    from maskaug.methods.registry import names

    assert all(f"<code>{name}</code>" in methods for name in names())  # every registered method, generated
    assert "closing_drop" in methods and "Example (built-in model, seed 0)" in methods
    api = (tmp_path / "site" / "api" / "index.html").read_text("utf-8")
    assert "augment_file" in api and "find_label_column" in api
    arch = (tmp_path / "site" / "architecture" / "index.html").read_text("utf-8")
    package = ROOT / "src" / "maskaug"
    modules = [p.relative_to(package).as_posix() for p in package.rglob("*.py")
               if not p.name.startswith("_") and "assets" not in p.parts]
    assert all(f"<code>{m}</code>" in arch for m in modules)  # one paragraph per module, generated


@pytest.mark.parametrize("page,code", BLOCKS, ids=[f"{p}:{i}" for i, (p, _) in enumerate(BLOCKS)])
def test_site_python_block_runs(page, code, tmp_path, monkeypatch, capsys):
    if "import ray" in code:
        pytest.importorskip("ray")
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    exec(compile(code, page, "exec"), {"__name__": "__docs__"})
    assert capsys.readouterr().out.strip()  # every block prints what it shows


def _commands():
    for page in [ROOT / "README.md", *PAGES]:
        for block in re.findall(r"```(?:bash|console|text)?\n(.*?)```", page.read_text("utf-8"), re.S):
            block = block.replace("\\\n", " ")  # continued lines
            names = dict(re.findall(r"^(\w+)=[\"']?(.*?)[\"']?$", block, re.M))  # B="--classifier ..." in the block
            for line in block.splitlines():
                line = line.removeprefix("$ ").strip()
                if line.startswith("maskaug ") and "|" not in line:
                    for name, value in names.items():
                        line = line.replace(f"${name}", value)
                    yield page.name, line.split("  #")[0].strip()


COMMANDS = sorted(set(_commands()))


def test_the_site_shows_maskaug_commands():
    assert len(COMMANDS) > 20


@pytest.mark.parametrize("page,command", COMMANDS, ids=[c[:60] for _, c in COMMANDS])
def test_every_shown_command_parses_with_the_cli(page, command):
    """A flag renamed or removed fails here, so no page shows a command that the CLI no longer takes."""
    from maskaug.cli import build_parser

    args = shlex.split(command)[1:]
    try:
        build_parser().parse_args(args)
    except SystemExit as exc:
        pytest.fail(f"{page}: `{command}` does not parse (exit {exc.code})")


@pytest.mark.slow
def test_chromium_renders_home_methods_and_api(tmp_path):
    """Headless Chromium screenshots the three pages (kept in tmp for a person to look at) and its DOM has their
    navigation, code blocks and tables."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("chromium not installed (apt-get install chromium)")
    res = _build(tmp_path / "site")
    assert res.returncode == 0, res.stderr[-3000:]
    for page, must in (("index.html", "<code"), ("methods/index.html", "<table"), ("api/index.html", "doc-heading")):
        url = (tmp_path / "site" / page).as_uri()
        shot = tmp_path / (page.replace("/", "_") + ".png")
        subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", f"--screenshot={shot}",
                        "--window-size=1280,1600", url], capture_output=True, timeout=120)
        assert shot.exists() and shot.stat().st_size > 20_000, page
        dom = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", url],
                             capture_output=True, text=True, timeout=120).stdout
        assert must in dom and "md-nav" in dom, page
