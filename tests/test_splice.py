from hypothesis import given
from hypothesis import strategies as st

from maskaug.splice import Edit, match_case, splice


@st.composite
def text_and_edits(draw):
    text = draw(st.text(max_size=60))
    cuts = sorted(draw(st.lists(st.integers(0, len(text)), max_size=8)))
    edits, last = [], -1
    for a, b in zip(cuts[::2], cuts[1::2]):
        if a <= last:
            continue
        edits.append(Edit("text", a, b, text[a:b], draw(st.text(max_size=5))))
        last = b if b > a else a
    return text, edits


@given(text_and_edits())
def test_splice_changes_only_the_edited_spans(case):
    text, edits = case
    out = splice(text, edits)
    # rebuild from the pieces between edits: untouched text is byte-identical
    pos, expect = 0, ""
    for e in sorted(edits, key=lambda e: (e.start, e.end)):
        expect += text[pos : e.start] + e.new
        pos = e.end
    assert out == expect + text[pos:]
    assert out.encode("utf-8") == (expect + text[pos:]).encode("utf-8")


@given(st.text(max_size=30))
def test_splice_without_edits_is_identity(text):
    assert splice(text, []) == text


def test_splice_rejects_stale_offsets():
    import pytest

    with pytest.raises(ValueError):
        splice("abc", [Edit("text", 0, 1, "x", "y")])


def test_match_case():
    assert match_case("great", "Good") == "Great"
    assert match_case("great", "GOOD") == "GREAT"
    assert match_case("great", "good") == "great"
    assert match_case("iPhone", "Good") == "iPhone"  # a cased fill keeps its own case
