"""A text column with one BIO tag per whitespace word in another column (SNIPS/ATIS slots): the tagged words are
kept, and the tags are re-aligned to the output's words."""

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
    assert tag_columns({"text": text, "slots": ["O"] * 10}, ["text"]) == []  # no entity: nothing to keep


def test_an_augmented_row_keeps_its_tagged_words_and_aligned_tags(tiny_mlms):
    rows = [{"text": "add the dark side of the moon to my road trip playlist please",
             "slots": ["O", "B-album", "I-album", "I-album", "I-album", "I-album", "I-album", "O", "B-owner",
                       "B-playlist", "I-playlist", "O", "O"], "label": "AddToPlaylist"},
            {"text": "book a table for four people at an italian place tonight",
             "slots": ["O", "O", "O", "O", "B-size", "O", "O", "O", "B-cuisine", "O", "B-time"], "label": "Book"}]
    for method in ("insert.v2", "substitute.v2"):
        out = augment(rows, method=method, n=4, seed=3, model=tiny_mlms["wordpiece"], rate=0.6)
        assert out
        for r in out:
            src = rows[r["aug_source_row"]]
            words = r["text"].split()
            assert len(r["slots"]) == len(words)
            tagged = [(w, t) for w, t in zip(words, r["slots"]) if t != "O"]
            assert tagged == [(w, t) for w, t in zip(src["text"].split(), src["slots"]) if t != "O"]
