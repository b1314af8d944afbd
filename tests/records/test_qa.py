"""Extractive QA records: answers protected, offsets shifted by the edits before them, answers found again."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maskaug import Augmenter, augment
from maskaug.cli import main
from maskaug.records import Options, QARecord, detect
from maskaug.records.qa import shift_offsets
from maskaug.splice import Edit, splice

SQUAD = [
    {"id": "q1", "title": "Denver", "context": "The Denver Broncos won Super Bowl 50 in February 2016 at Levi's "
                                             "Stadium in Santa Clara.",
     "question": "Which team won Super Bowl 50?", "answers": {"text": ["Denver Broncos", "Broncos"],
                                                              "answer_start": [4, 11]}},
    {"id": "q2", "title": "Paris", "context": "Paris is the capital of France and its largest city, on the Seine.",
     "question": "What river runs through Paris?", "answers": {"text": ["the Seine"], "answer_start": [56]}},
    {"id": "q3", "title": "Empty", "context": "This paragraph holds no answer to the question that was asked.",
     "question": "Who wrote it?", "answers": {"text": [], "answer_start": []}},
]


@st.composite
def text_with_answers_and_edits(draw):
    """A text, answer spans in it, and non-overlapping edits (insertions included) that avoid every answer."""
    text = draw(st.text(min_size=1, max_size=60))
    n = len(text)
    answers = []
    for _ in range(draw(st.integers(0, 3))):
        a = draw(st.integers(0, n - 1))
        b = draw(st.integers(a + 1, n))
        answers.append((a, b))
    edits, pos = [], 0
    while pos <= n and draw(st.booleans()):
        a = draw(st.integers(pos, n))
        b = draw(st.integers(a, min(n, a + 5)))
        if any(s < b and a < e for s, e in answers) or any(s < a < e for s, e in answers):
            pos = a + 1
            continue
        new = draw(st.text(max_size=6))
        if a == b and not new:
            pos = a + 1
            continue
        edits.append(Edit("context", a, b, text[a:b], new))
        pos = b + 1 if a == b else b
    return text, answers, edits


@settings(max_examples=400, deadline=None)
@given(text_with_answers_and_edits())
def test_every_answer_is_found_at_its_shifted_offset(case):
    text, answers, edits = case
    new = splice(text, edits)
    starts = shift_offsets([a for a, _ in answers], edits)
    for (a, b), s in zip(answers, starts):
        assert new[s: s + (b - a)] == text[a:b]


@settings(max_examples=200, deadline=None)
@given(text_with_answers_and_edits())
def test_rebuild_keeps_answers_and_moves_their_starts(case):
    text, answers, edits = case
    row = {"context": text, "question": "q?", "answers": {"text": [text[a:b] for a, b in answers],
                                                          "answer_start": [a for a, _ in answers]}}
    record = QARecord()
    if record.check(row) is not None:  # e.g. an answer that is only invisible characters
        return
    view = record.view(row)
    out, edit_dicts = record.rebuild(row, view, {"context": splice(text, edits)}, edits)
    for t, s in zip(out["answers"]["text"], out["answers"]["answer_start"]):
        assert out["context"][s: s + len(t)] == t
    assert out["answers"]["text"] == row["answers"]["text"] and len(edit_dicts) == len(edits)


def test_squad_rows_are_detected_and_checked():
    rec = detect(SQUAD[0])
    assert isinstance(rec, QARecord) and rec.fields == ["context"]
    assert detect(SQUAD[0], Options(text_columns=("question", "context"))).fields == ["question", "context"]
    assert not isinstance(detect(SQUAD[0], Options(text_columns=("title",))), QARecord)  # other columns: text
    bad = {**SQUAD[1], "answers": {"text": ["the Seine"], "answer_start": [3]}}
    assert rec.check(bad) == ("answers", "answer 0 ('the Seine') is not at answer_start 3 of the context")
    assert rec.check({**SQUAD[1], "answers": {"text": ["x", "y"], "answer_start": [0]}})[1].startswith("2 answer")


@pytest.mark.parametrize("method", ["substitute.v2", "insert.v2", "iterative.v2", "infill.v2"])
def test_augmented_contexts_keep_every_answer(tiny_mlms, method):
    aug = Augmenter(method, model=tiny_mlms["wordpiece"], n=3, seed=2, rate=0.4)
    out = augment(SQUAD, augmenter=aug)
    assert {r["aug_source_row"] for r in out} == {0, 1, 2}
    moved = 0
    for r in out:
        src = SQUAD[r["aug_source_row"]]
        assert r["question"] == src["question"] and r["id"] == src["id"]
        assert r["answers"]["text"] == src["answers"]["text"]
        for t, s in zip(r["answers"]["text"], r["answers"]["answer_start"]):
            assert r["context"][s: s + len(t)] == t
        moved += r["answers"]["answer_start"] != src["answers"]["answer_start"]
        assert r["context"] != src["context"]
    if method == "insert.v2":
        assert moved  # insertions before an answer move it


def test_cli_qa_file_with_the_question_augmented_too(tmp_path, tiny_model_dirs, write_jsonl):
    data = tmp_path / "squad.jsonl"
    write_jsonl(data, SQUAD)
    out = tmp_path / "o.jsonl"
    assert main(["augment", str(data), "-o", str(out), "--n", "2", "--model", str(tiny_model_dirs["bytebpe"]),
                 "--method", "substitute.v2",
                 "--text-column", "context", "--text-column", "question", "--quiet"]) == 0
    rows = [json.loads(x) for x in out.read_text().splitlines()]
    assert len(rows) == 6 and any(r["question"] != SQUAD[r["aug_source_row"]]["question"] for r in rows)
    assert {e["field"] for r in rows for e in r["aug_edits"]} <= {"context", "question"}
    for r in rows:
        for t, s in zip(r["answers"]["text"], r["answers"]["answer_start"]):
            assert r["context"][s: s + len(t)] == t
    bad = tmp_path / "bad.jsonl"
    write_jsonl(bad, [{**SQUAD[1], "answers": {"text": ["Seine"], "answer_start": [0]}}])
    assert main(["augment", str(bad), "-o", str(tmp_path / "b.jsonl"), "--model", str(tiny_model_dirs["bytebpe"]),
                 "--method", "substitute.v2",
                 "--quiet"]) == 2
