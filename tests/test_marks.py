"""Marks that remove to the output and undo to the source, for text and token edits in any order; edits that do
not fit their text raise."""

from __future__ import annotations

import html
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maskaug.marks import joined_tokens, mark_text, mark_tokens, output_of, source_of
from maskaug.review import marked_html
from maskaug.splice import Edit, splice


@st.composite
def edited_text(draw):
    source = draw(st.text(st.characters(codec="utf-8"), max_size=40))
    cuts = sorted(draw(st.lists(st.integers(0, len(source)), max_size=8)))
    edits = [Edit("text", a, b, source[a:b], draw(st.text(max_size=6))) for a, b in zip(cuts[::2], cuts[1::2])]
    edits = draw(st.permutations(edits))  # in any order; insertions at one point apply in list order, as in splice
    return source, splice(source, edits), [e.as_dict() for e in edits]


@given(edited_text())
@settings(max_examples=300, deadline=None)
def test_marks_remove_to_the_output_and_undo_to_the_source(case):
    source, output, edits = case
    segments = mark_text(output, edits)
    assert output_of(segments) == output
    assert source_of(segments) == source
    page = marked_html(segments)
    assert html.unescape(re.sub(r"<[^>]+>", "", re.sub(r"<del>.*?</del>", "", page, flags=re.S))) == output
    assert html.unescape(re.sub(r"<[^>]+>", "", re.sub(r"<ins>.*?</ins>", "", page, flags=re.S))) == source


@st.composite
def edited_tokens(draw):
    word = st.text(st.characters(codec="utf-8", exclude_categories=["Z", "C"]), min_size=1, max_size=5)
    source = draw(st.lists(word, min_size=1, max_size=12))
    cuts = sorted(draw(st.lists(st.integers(0, len(source)), max_size=8, unique=True)))
    output, edits, pos = [], [], 0
    for a, b in zip(cuts[::2], cuts[1::2]):
        if b - a == 1 and draw(st.booleans()):  # one token changed
            new = [draw(word)]
            edits.append({"field": "tokens", "token": a, "old": source[a], "new": new[0]})
        else:  # a run of tokens becomes a run of another length
            new = draw(st.lists(word, max_size=3))
            edits.append({"field": "tokens", "tokens": [a, b], "old": source[a:b], "new": new})
        output += source[pos:a] + new
        pos = b
    return source, output + source[pos:], draw(st.permutations(edits))


@given(edited_tokens())
@settings(max_examples=200, deadline=None)
def test_token_marks_remove_to_the_output_and_undo_to_the_source(case):
    source, output, edits = case
    segments = mark_tokens(output, edits)
    assert [t for k, t in segments if k != "del"] == output
    assert [t for k, t in segments if k != "ins"] == source
    joined = joined_tokens(segments)
    assert output_of(joined) == " ".join(output) and source_of(joined) == " ".join(source)


@pytest.mark.parametrize("edits", [
    [{"field": "text", "start": 0, "end": 3, "old": "The", "new": "A"}],  # new text not in the output
    [{"field": "text", "start": 0, "end": 5, "old": "The", "new": "The"}],  # old shorter than its span
    [{"field": "text", "start": 4, "end": 7, "old": "cat", "new": "dog"},
     {"field": "text", "start": 5, "end": 6, "old": "a", "new": "o"}],  # overlapping
    [{"field": "text", "start": -1, "end": 0, "old": "", "new": ""}],
    [{"field": "text", "start": "0", "end": 0, "old": "", "new": ""}],
])
def test_edits_that_do_not_fit_raise(edits):
    with pytest.raises(ValueError):
        mark_text("The dog sat.", edits)
