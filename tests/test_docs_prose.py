"""The site's Markdown reads as pages, not as a log: no paragraph of prose over 150 words, links named by what
they lead to (not by a file path), and no page that repeats its title in its first heading."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted((ROOT / "docs").glob("*.md"))
LIMIT = 150


def paragraphs(markdown: str) -> list[str]:
    """The prose of a page: each paragraph and each list item, without front matter, code, tables, headings,
    HTML, images or quotes."""
    markdown = re.sub(r"\A---\n.*?\n---\n", "", markdown, flags=re.S)
    markdown = re.sub(r"^```.*?^```", "", markdown, flags=re.S | re.M)
    out = []
    for block in re.split(r"\n\s*\n", markdown):
        lines = [line for line in block.splitlines() if line.strip()]
        if not lines or lines[0].lstrip().startswith(("|", "#", "<", "![", ">", ":::")):
            continue
        item: list[str] = []
        for line in lines:
            if re.match(r"\s*([-*+]|\d+\.)\s", line) and item:
                out.append(" ".join(item))
                item = []
            item.append(line)
        out.append(" ".join(item))
    return out


def words(paragraph: str) -> int:
    """Words a reader reads: a link counts its text, not its address."""
    return len(re.sub(r"\]\([^)]*\)", "]", paragraph).split())


def test_paragraphs_are_found():
    page = "# T\n\nOne two.\n\n| a |\n|---|\n\n```\ncode\n```\n\n- x y\n- z\n"
    assert paragraphs(page) == ["One two.", "- x y", "- z"]


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_no_paragraph_is_longer_than_150_words(page):
    long = [f"{words(p)} words: {p[:80]}..." for p in paragraphs(page.read_text("utf-8")) if words(p) > LIMIT]
    assert not long, "\n".join(long)


@pytest.mark.parametrize("page", [*PAGES, ROOT / "README.md"], ids=[p.name for p in [*PAGES, ROOT / "README.md"]])
def test_links_are_named_by_what_they_lead_to(page):
    """``[Results](results.md)``, not ``[docs/results.md](results.md)``."""
    named_as_paths = re.findall(r"\[([^\]]*\.md(?:#[^\]]*)?)\]\(", page.read_text("utf-8"))
    assert not named_as_paths, named_as_paths


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_no_page_repeats_its_title(page):
    """The title is not the site's name (the header shows that) and the first section is not the title again."""
    text = re.sub(r"^```.*?^```", "", page.read_text("utf-8"), flags=re.S | re.M)
    headings = re.findall(r"^(#{1,2}) (.+)$", text, re.M)
    assert headings and headings[0][0] == "#", f"{page.name} has no title"
    title = headings[0][1].strip().lower()
    assert title != "maskaug", f"{page.name}: its title is the site's name"
    if len(headings) > 1:
        first = re.sub(r"`", "", headings[1][1]).strip().lower()
        assert not (first in title or title in first), f"{page.name}: '{headings[1][1]}' repeats '{headings[0][1]}'"
