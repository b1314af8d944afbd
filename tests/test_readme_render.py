"""The README renders as written in a CommonMark parser with GitHub's tables (markdown-it-py): its last line is a
paragraph of its own, the documentation table has its two columns and names every page of the site, "Two commands"
holds exactly two commands, and every link into the repository leads to a file (and heading) that exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def tokens():
    markdown_it = pytest.importorskip("markdown_it")
    return markdown_it.MarkdownIt("commonmark").enable("table").parse(README)


def _section(tokens, title: str) -> list:
    start = next(i for i, t in enumerate(tokens) if t.type == "inline" and t.content == title
                 and tokens[i - 1].type == "heading_open")
    end = next((i for i in range(start + 1, len(tokens)) if tokens[i].type == "heading_open"
                and tokens[i].tag <= tokens[start - 1].tag), len(tokens))
    return tokens[start:end]


def _tables(tokens) -> list[list[list[str]]]:
    """Each table as rows of cell texts (the header row first)."""
    tables, row = [], None
    for t in tokens:
        if t.type == "table_open":
            tables.append([])
        elif t.type == "tr_open":
            row = []
        elif t.type == "inline" and row is not None:
            row.append(t.content)
        elif t.type == "tr_close":
            tables[-1].append(row)
            row = None
    return tables


def test_the_last_line_is_a_paragraph_not_a_table_row(tokens):
    last = README.strip().splitlines()[-1]
    assert last.startswith("Site:")
    inline = [i for i, t in enumerate(tokens) if t.type == "inline" and t.content == last]
    assert inline and tokens[inline[0] - 1].type == "paragraph_open"
    assert all(last not in cell for table in _tables(tokens) for row in table for cell in row)


def test_the_documentation_table_has_its_columns_and_every_page(tokens):
    table = _tables(_section(tokens, "Documentation"))
    assert len(table) == 1
    header, *rows = table[0]
    assert header == ["page", "what"] and rows
    assert all(len(row) == 2 and row[1] for row in rows)
    linked = set(re.findall(r"\]\(docs/([\w/-]+\.md)\)", " ".join(row[0] for row in rows)))
    nav = set(re.findall(r":\s*([\w/-]+\.md)\s*$", (ROOT / "mkdocs.yml").read_text(encoding="utf-8"), re.M))
    pages = {p if "/" not in p else p.split("/")[0] + "/index.md" for p in nav} - {"index.md"}  # a section: its index
    assert pages <= linked, f"pages of the site the README's table leaves out: {pages - linked}"


def test_two_commands_holds_exactly_two_commands(tokens):
    section = _section(tokens, "Two commands")
    fences = [t for t in section if t.type == "fence" and t.info in ("bash", "sh", "console")]
    assert len(fences) == 2 and all(len(f.content.strip().splitlines()) == 1 for f in fences)


def test_links_into_the_repository_lead_somewhere(tokens):
    from markdown.extensions.toc import slugify

    links = [t.attrGet("href") for t in tokens if t.type == "inline" for t in t.children or [] if t.type == "link_open"]
    local = [href for href in links if not re.match(r"[a-z]+:", href)]
    assert local
    for href in local:
        path, _, anchor = href.partition("#")
        if not path:
            continue
        target = ROOT / path
        assert target.exists(), href
        if anchor and target.suffix == ".md":
            headings = re.findall(r"^#+ (.+)$", target.read_text(encoding="utf-8"), re.M)
            assert anchor in {slugify(h, "-") for h in headings}, href
