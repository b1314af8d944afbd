"""The Methods page shows real output: each ``$ maskaug augment ... --dry-run 5`` in its "What good output looks
like" block prints, today, what the page shows (built-in model, seed 0)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGE = (ROOT / "docs" / "methods.md").read_text(encoding="utf-8")
GOOD = re.search(r"## What good output looks like\n.*?```text\n(.*?)```", PAGE, re.S)


def test_the_methods_page_shows_real_dry_run_output(dry_runs_print_what_is_shown):
    assert GOOD, "docs/methods.md has no 'What good output looks like' block"
    dry_runs_print_what_is_shown(GOOD.group(1))


def test_the_which_method_table_comes_first():
    headings = re.findall(r"^## (.+)$", PAGE, re.M)
    assert headings[0] == "Which method?"
    table = PAGE.split("## Which method?", 1)[1].split("\n\n")[1]
    assert table.startswith("| method | labelled or not | pairs | NER | QA |")
