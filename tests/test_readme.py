"""The README: a front page of at most 200 lines whose Python blocks run as written (from a copy of the
repository's examples, in a fresh folder) and whose dry-run outputs are real."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```python\n(.*?)```", README, re.S)


def test_the_readme_is_a_front_page():
    """One Python example, the two commands, and no more than 200 lines (the reference lives on the site)."""
    assert len(BLOCKS) >= 1
    assert len(README.splitlines()) <= 200
    assert "## Two commands" in README and ".ci/run" in README


@pytest.mark.parametrize("code", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_readme_block_runs(code, tmp_path, monkeypatch, capsys):
    if "import ray" in code:
        pytest.importorskip("ray")
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    exec(compile(code, "README.md", "exec"), {"__name__": "__readme__"})
    assert capsys.readouterr().out.strip()  # every block prints what it shows


GOOD = re.search(r"## What good output looks like\n.*?```text\n(.*?)```", README, re.S)


def test_the_readme_shows_real_dry_run_output_for_every_method(dry_runs_print_what_is_shown):
    """Each ``$ maskaug augment ... --dry-run 5`` in "What good output looks like" prints what the README shows."""
    assert GOOD, "the README has no 'What good output looks like' section"
    dry_runs_print_what_is_shown(GOOD.group(1))
