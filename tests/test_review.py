"""The review page: outputs of real augment runs on a tiny model beside their sources, edits marked so that removing
the marks gives the output, every text escaped, the CLI and ``augment --review``, one-line errors, and headless
Chromium rendering the page."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess

import pytest

from maskaug.cli import main
from maskaug.marks import mark_text, source_of
from maskaug.review import read_review, render

TEXTS = ["The movie was great, and the actors were wonderful.",
         "Who invented the telephone in the nineteenth century?", "Hi"]
CSV = ('id,text,label\n1,"The movie was great, and the actors were wonderful.",pos\n'
       "2,Who invented the telephone in the nineteenth century?,q\n3,Hi,pos\n")


def _page_text(page: str, drop: str = "del") -> str:
    """The page's visible text with the ``drop`` marks' content removed (del: the outputs; ins: the sources)."""
    body = re.sub(rf"<{drop}>.*?</{drop}>", "", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", "", body))


def _outputs(page: str) -> list[str]:
    """Each output block's text as the page shows it, marks removed."""
    blocks = re.findall(r'<li><div class="meta">.*?</div>(.*?)</li>', page, flags=re.S)
    return [_page_text(re.sub(r'<span class="name">.*?</span>', "", b)) for b in blocks]


def _rows(path) -> list[dict]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]


def _out(text, edits, source_row=0, copy=0, **extra):
    return {"text": text, "aug_source_row": source_row, "aug_method": "substitute.v2", "aug_seed": 0,
            "aug_copy": copy, "aug_is_original": copy < 0, "aug_edits": edits, "aug_score": -1.5, **extra}


# -- real augment runs on a tiny model -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def run(tiny_model_dirs, tmp_path_factory):
    """``augment --review`` on three rows (the last too short to change: a shortfall), with kept originals."""
    folder = tmp_path_factory.mktemp("review")
    data = folder / "d.csv"
    data.write_text(CSV, encoding="utf-8")
    out, page = folder / "o.jsonl", folder / "o.html"
    rc = main(["augment", str(data), "-o", str(out), "--n", "2", "--model", str(tiny_model_dirs["wordpiece"]),
               "--method", "substitute.v2", "--keep-original", "--quiet", "--review", str(page)])
    assert rc == 0
    return data, out, page


def test_augment_review_shows_every_output_marked_beside_its_source(run):
    data, out, page = run
    text = page.read_text(encoding="utf-8")
    rows = [r for r in _rows(out) if not r["aug_is_original"]]
    assert rows and all(r["aug_edits"] for r in rows)
    assert sorted(_outputs(text)) == sorted(r["text"] for r in rows)  # each output, marks removed, as written
    assert "<del>" in text and "<ins>" in text  # substitute.v2: replaced words struck through, fills highlighted
    for r in rows:  # each source, rebuilt from the output and its edits, is the input row's text
        assert source_of(mark_text(r["text"], r["aug_edits"])) in CSV
    assert "<script" not in text and "http" not in text and " src=" not in text  # self-contained
    assert "3 input rows" in text and "substitute.v2" in text
    assert "0 of 2 outputs: left as it is" in text  # the short row, with the reason from o.jsonl.shortfall.jsonl
    assert '<section id="row-3">' in text and ">Hi<" in text  # shown from its kept original


def test_review_rebuilds_sources_that_match_the_input(run):
    data, out, _ = run
    rv = read_review(out, source=data)
    assert [g.key for g in rv.groups] == [0, 1, 2]
    assert [g.sources["text"] for g in rv.groups] == TEXTS
    assert [len(g.outputs) for g in rv.groups] == [2, 2, 0] and rv.groups[2].short["produced"] == 0


def test_review_command_end_to_end_and_deterministic(run, tmp_path, capsys):
    _, out, _ = run
    a, b = tmp_path / "a.html", tmp_path / "b.html"
    assert main(["review", str(out), "-o", str(a), "--sample", "2", "--seed", "1"]) == 0
    assert "2 of 3 input rows" in capsys.readouterr().err
    assert main(["review", str(out), "-o", str(b), "--sample", "2", "--seed", "1"]) == 0
    assert a.read_bytes() == b.read_bytes() and a.read_text().count("<section") == 2
    pages = set()
    for seed in range(6):
        assert main(["review", str(out), "-o", str(b), "--sample", "1", "--seed", str(seed)]) == 0  # replaced
        pages.add(b.read_text())
    assert len(pages) > 1


def test_a_tagged_and_a_pair_run(tiny_model_dirs, tmp_path, write_jsonl):
    ner = tmp_path / "ner.jsonl"
    write_jsonl(ner, [{"tokens": ["The", "movie", "was", "great", "in", "Paris", "today", "."],
                  "tags": ["O", "O", "O", "O", "O", "B-LOC", "O", "O"]}])
    pair = tmp_path / "pair.jsonl"
    write_jsonl(pair, [{"premise": "The movie was great and the actors were wonderful.",
                   "hypothesis": "A dull, lifeless film with no heart at all.", "label": 1}])
    model = str(tiny_model_dirs["wordpiece"])
    assert main(["augment", str(ner), "-o", str(tmp_path / "n.jsonl"), "--model", model, "--quiet", "--n", "2",
                 "--review", str(tmp_path / "n.html")]) == 0
    assert main(["augment", str(pair), "-o", str(tmp_path / "p.jsonl"), "--model", model, "--quiet", "--n", "2",
                 "--text-column", "premise", "--text-column", "hypothesis", "--method", "substitute.v2",
                 "--review", str(tmp_path / "p.html")]) == 0
    rows = _rows(tmp_path / "n.jsonl")
    text = (tmp_path / "n.html").read_text()
    assert sorted(_outputs(text)) == sorted(" ".join(r["tokens"]) for r in rows)
    rows = _rows(tmp_path / "p.jsonl")
    text = (tmp_path / "p.html").read_text()
    assert text.count('<span class="name">premise</span>') >= 1  # one block per edited field, named
    shown = "\n".join(_outputs(text))
    for r in rows:
        for f in {e["field"] for e in r["aug_edits"]}:
            assert r[f] in shown


# -- hand-written rows -------------------------------------------------------------------------------------------
def test_every_text_is_escaped(tmp_path, write_jsonl):
    out = tmp_path / "<x>.jsonl"
    source = '<script>alert("x")</script> & more'
    row = _out('<script>alert("x")</script> <em> & more', [{"field": "text", "start": 28, "end": 28, "old": "",
                                                           "new": "<em> "}], label="<img src=x onerror=alert(1)>",
               aug_method="<i>m</i>", aug_teacher_label="<u>")
    write_jsonl(out, [row])
    assert main(["review", str(out), "-o", str(tmp_path / "p.html")]) == 0
    page = (tmp_path / "p.html").read_text()
    assert "<script" not in page and "<img" not in page and "<em>" not in page and "<i>m" not in page
    assert "&lt;script&gt;" in page and "&lt;img src=x" in page and "&lt;x&gt;.jsonl" in page
    assert _outputs(page) == [row["text"]]
    assert source in _page_text(page, drop="ins")


def test_originals_short_rows_and_rows_without_edits_never_crash(tmp_path, write_jsonl):
    out = tmp_path / "o.jsonl"
    src = tmp_path / "in.jsonl"
    write_jsonl(src, [{"text": "one two three"}, {"text": "four five six"}, {"text": "seven"}])
    write_jsonl(out, [_out("one two three", [], copy=-1),
                 _out("one 2 three", [{"field": "text", "start": 4, "end": 7, "old": "two", "new": "2"}]),
                 _out("four five six", [], source_row=1, copy=0)])  # an output that records no edit
    write_jsonl(tmp_path / "o.jsonl.shortfall.jsonl", [{"row": 3, "aug_source_row": 2, "requested": 1, "produced": 0,
                                                        "reason": "left as it is: too short"}])
    rv = read_review(out)
    assert (rv.rows, rv.originals, rv.unedited, len(rv.keys)) == (3, 1, 1, 3)
    page = render(rv)
    assert "no edits recorded" in page and "1 output with no edit recorded" in page
    assert "0 of 1 outputs: left as it is: too short" in page and "--source INPUT" in page
    page = render(read_review(out, source=src))
    assert ">seven<" in page and "--source INPUT" not in page  # the short row's source, read from the input
    write_jsonl(out, [_out("one two three", [], copy=-1)])  # only originals
    (tmp_path / "o.jsonl.shortfall.jsonl").unlink()
    assert "no output" in render(read_review(out))


def test_pairs_get_one_block_per_edited_field(tmp_path, write_jsonl):
    out = tmp_path / "o.jsonl"
    row = {"premise": "A woman sleeps.", "hypothesis": "A person naps.", "aug_source_row": 0, "aug_method": "m",
           "aug_copy": 0, "aug_is_original": False, "aug_score": None,
           "aug_edits": [{"field": "premise", "start": 2, "end": 5, "old": "man", "new": "woman"},
                         {"field": "hypothesis", "start": 9, "end": 14, "old": "rests", "new": "naps"}]}
    write_jsonl(out, [row])
    rv = read_review(out)
    assert rv.groups[0].sources == {"premise": "A man sleeps.", "hypothesis": "A person rests."}
    page = render(rv)
    assert "<del>man</del><ins>woman</ins>" in page and "<del>rests</del><ins>naps</ins>" in page


# -- errors are one line naming the file and the row ---------------------------------------------------------------
@pytest.mark.parametrize("content,expected", [
    ('{"text": "a", "aug_source_row": 0, "aug_edits": []}\n{"text": oops}\n', "row 2: invalid JSON"),
    ('{"text": "a", "label": 1}\n', "row 1: no aug_source_row"),
    ('{"text": "a b", "aug_source_row": 0, "aug_edits": [{"field": "text", "start": 0, "end": 1, "old": "x", '
     '"new": "z"}]}\n', "row 1, field 'aug_edits': edit 0:1 'x' -> 'z' does not fit"),
    ('{"text": "a", "aug_source_row": 0, "aug_edits": [{"field": "title", "start": 0, "end": 0, "old": "", '
     '"new": ""}]}\n', "names field 'title'"),
    ('{"text": "a", "aug_source_row": 0, "aug_edits": "text[0:1] \'b\' -> \'a\'"}\n', "CSV or TSV output"),
])
def test_bad_output_files_are_one_line_naming_file_and_row(tmp_path, capsys, content, expected):
    out = tmp_path / "bad.jsonl"
    out.write_text(content, encoding="utf-8")
    assert main(["review", str(out), "-o", str(tmp_path / "p.html")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"maskaug: error: {out}: ") and expected in err and len(err.strip().splitlines()) == 1
    assert "Traceback" not in err and not (tmp_path / "p.html").exists()


def test_a_source_that_is_not_the_input_is_named(run, tmp_path, capsys):
    _, out, _ = run
    other = tmp_path / "other.csv"
    other.write_text(CSV.replace("great", "good"), encoding="utf-8")
    assert main(["review", str(out), "-o", str(tmp_path / "p.html"), "--source", str(other)]) == 2
    err = capsys.readouterr().err
    assert f"{out}: row " in err and "differs from" in err and "is " + str(other) in err


def test_the_page_never_replaces_what_it_must_not(run, tmp_path, capsys):
    data, out, _ = run
    mine = tmp_path / "notes.html"
    mine.write_text("<p>my notes</p>")
    for page in (mine, out, data):
        assert main(["review", str(out), "-o", str(page), "--source", str(data)]) == 2
        assert "maskaug: error: " in capsys.readouterr().err
    assert mine.read_text() == "<p>my notes</p>"
    assert main(["review", str(out), "--sample", "0", "-o", str(tmp_path / "p.html")]) == 2
    assert "--sample must be at least 1" in capsys.readouterr().err


@pytest.mark.parametrize("extra,expected", [
    (["-o", "o.csv"], "CSV"), (["-o", "-"], "standard output"), (["--dry-run"], "dry run")])
def test_augment_review_refuses_before_the_run(tmp_path, capsys, monkeypatch, extra, expected):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "d.csv").write_text(CSV, encoding="utf-8")
    assert main(["augment", "d.csv", *extra, "--review", "r.html", "--model", "no/such-model"]) == 2
    err = capsys.readouterr().err
    assert "--review" in err and expected in err and not (tmp_path / "r.html").exists()


# -- a real browser ------------------------------------------------------------------------------------------------
def test_chromium_renders_the_review_page(run, tmp_path):
    """Headless Chromium shows the marked edits (its DOM keeps ``<ins>`` and ``<del>``), at a desktop and a phone
    width, and the screenshots are not blank."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("chromium not installed (apt-get install chromium)")
    image = pytest.importorskip("PIL.Image")
    _, out, page = run
    flags = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"]
    dom = subprocess.run([*flags, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120).stdout
    first = next(r for r in _rows(out) if not r["aug_is_original"])
    new = next(e["new"] for e in first["aug_edits"] if e["new"])
    assert f"<ins>{html.escape(new, quote=False)}</ins>" in dom and "<del>" in dom
    for width in (1400, 390):
        shot = tmp_path / f"review-{width}.png"
        subprocess.run([*flags, f"--screenshot={shot}", f"--window-size={width},900", page.as_uri()],
                       capture_output=True, timeout=120)
        assert shot.exists(), width
        with image.open(shot) as img:
            assert img.size == (width, 900)
            colours = img.convert("RGB").getcolors(maxcolors=1 << 16) or []
            assert len(colours) > 50  # text, marks and borders, not a blank page
            green = sum(n for n, (r, g, b) in colours if g > 220 and r < 215 and b < 225)
            assert green > 100, width  # the inserted text's highlight is drawn
