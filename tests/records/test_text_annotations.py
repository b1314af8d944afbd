"""Annotations of a text row in its other columns: one BIO tag per whitespace word (SNIPS/ATIS slots) or character
spans (spaCy, Prodigy, doccano entities). The annotated words are kept, and the annotations follow the edits."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from maskaug import augment
from maskaug.records.text import entity_spans, realign_tags, tag_columns, word_spans
from maskaug.splice import Edit, splice

WORDS = st.text(alphabet="abcxyz", min_size=1, max_size=5)
TAGS = st.sampled_from(["O", "O", "B-a", "I-a", "B-b"])


@st.composite
def edited(draw):
    """A text, its tags, and edits outside its tagged runs: insertions at word starts, replaced untagged words."""
    words = draw(st.lists(WORDS, min_size=1, max_size=10))
    tags = draw(st.lists(TAGS, min_size=len(words), max_size=len(words)))
    text = " ".join(words)
    spans = word_spans(text)
    runs = entity_spans(spans, tags)
    edits = []
    for (s, e), tag in zip(spans, tags):
        inside = any(a < s < b for a, b in runs)  # an insertion here would split a run
        choice = draw(st.sampled_from(["keep", "insert", "replace"]))
        if choice == "insert" and not inside:
            edits.append(Edit("text", s, s, "", draw(WORDS) + " "))
        elif choice == "replace" and tag == "O":
            edits.append(Edit("text", s, e, text[s:e], draw(WORDS)))
    return text, tags, edits


@given(edited())
def test_realigned_tags_fit_the_new_words_and_keep_every_tagged_word(case):
    text, tags, edits = case
    new = splice(text, edits)
    out = realign_tags(text, tags, edits, new)
    new_words = new.split()
    assert len(out) == len(new_words)
    inserted = sum(1 for e in edits if e.start == e.end)
    assert len(new_words) == len(text.split()) + inserted
    kept = [(w, t) for w, t in zip(text.split(), tags) if t != "O"]
    assert [(w, t) for w, t in zip(new_words, out) if t != "O"] == kept  # same tagged words, same order


def test_runs_cover_whole_entities_and_columns_are_found_by_shape():
    text = "play the dark side of the moon by pink floyd"
    tags = ["O", "B-album", "I-album", "I-album", "I-album", "I-album", "I-album", "O", "B-artist", "I-artist"]
    spans = entity_spans(word_spans(text), tags)
    assert [text[a:b] for a, b in spans] == ["the dark side of the moon", "pink floyd"]
    row = {"text": text, "slots": tags, "other": ["O"] * 3, "label": "PlayMusic"}
    assert tag_columns(row, ["text"]) == [("slots", "text")]
    # a row with no entity still has one tag per word, to realign after an insertion
    assert tag_columns({"text": text, "slots": ["O"] * 10}, ["text"]) == [("slots", "text")]
    assert tag_columns({"text": text, "slots": ["O"] * 9}, ["text"]) == []  # not one per word


def test_an_augmented_row_keeps_its_tagged_words_and_aligned_tags(tiny_mlms):
    rows = [{"text": "add the dark side of the moon to my road trip playlist please",
             "slots": ["O", "B-album", "I-album", "I-album", "I-album", "I-album", "I-album", "O", "B-owner",
                       "B-playlist", "I-playlist", "O", "O"], "label": "AddToPlaylist"},
            {"text": "book a table for four people at an italian place tonight",
             "slots": ["O", "O", "O", "O", "B-size", "O", "O", "O", "B-cuisine", "O", "B-time"], "label": "Book"},
            {"text": "play some relaxing music for me please", "slots": ["O"] * 7, "label": "PlayMusic"}]
    for method in ("insert.v2", "substitute.v2"):
        out = augment(rows, method=method, n=4, seed=3, model=tiny_mlms["wordpiece"], rate=0.6)
        assert out
        for r in out:
            src = rows[r["aug_source_row"]]
            words = r["text"].split()
            assert len(r["slots"]) == len(words)
            tagged = [(w, t) for w, t in zip(words, r["slots"]) if t != "O"]
            assert tagged == [(w, t) for w, t in zip(src["text"].split(), src["slots"]) if t != "O"]


@st.composite
def spanned(draw):
    """A text, character spans over runs of its words, and edits outside the spans."""
    words = draw(st.lists(WORDS, min_size=1, max_size=10))
    text = " ".join(words)
    spans = word_spans(text)
    chosen, k = [], 0
    while k < len(spans):
        if draw(st.booleans()):
            last = min(len(spans) - 1, k + draw(st.integers(0, 2)))
            chosen.append((spans[k][0], spans[last][1]))
            k = last + 1
        k += 1
    edits = []
    for s, e in spans:
        inside = any(a <= s < b or a < e <= b for a, b in chosen)
        choice = draw(st.sampled_from(["keep", "insert", "replace"]))
        if choice == "insert" and not any(a < s < b for a, b in chosen):
            edits.append(Edit("text", s, s, "", draw(WORDS) + " "))
        elif choice == "replace" and not inside:
            edits.append(Edit("text", s, e, text[s:e], draw(WORDS)))
    as_dicts = draw(st.booleans())
    items = [{"start": a, "end": b, "label": "X"} if as_dicts else [a, b, "X"] for a, b in chosen]
    return text, items, edits


@given(spanned())
def test_moved_spans_cover_the_same_text(case):
    from maskaug.records.text import _span, moved_spans

    text, items, edits = case
    new = splice(text, edits)
    moved = moved_spans(items, edits)
    assert [new[slice(*_span(m))] for m in moved] == [text[slice(*_span(i))] for i in items]
    assert [type(m) for m in moved] == [type(i) for i in items]


def test_character_span_columns_are_kept_moved_and_checked(tiny_mlms):
    from maskaug.records.text import TextRecord

    text = "Apple is looking at buying a startup in the United Kingdom for one billion dollars"
    uk = (text.index("United"), text.index(" for"))
    rows = [{"text": text, "label": "business",
             "entities": [{"start": 0, "end": 5, "label": "ORG"}, {"start": uk[0], "end": uk[1], "label": "GPE"}]},
            {"text": text, "label": "business", "spans": [[0, 5, "ORG"], [*uk, "GPE"]]}]
    for method in ("insert.v2", "substitute.v2"):
        out = augment(rows, method=method, n=3, seed=1, model=tiny_mlms["wordpiece"], rate=0.6)
        assert out and any(r["text"] != text for r in out)
        for r in out:
            items = r.get("entities") or [{"start": a, "end": b} for a, b, _ in r["spans"]]
            assert [r["text"][i["start"]:i["end"]] for i in items] == ["Apple", "United Kingdom"]
    empty = augment([{"text": text, "label": "business", "entities": []}], method="insert.v2", n=2, seed=1,
                    model=tiny_mlms["wordpiece"], rate=0.6)
    assert empty and all(r["entities"] == [] for r in empty)  # nothing to keep, nothing to move
    bad = {"text": "short text", "entities": [{"start": 6, "end": 40, "label": "X"}]}
    field, problem = TextRecord(("text",)).check(bad)
    assert field == "entities" and "span 0 (6, 40)" in problem and "10 characters" in problem
