"""Sentence edges, closing punctuation and neighbours read from a parsed text."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from maskaug.document import Doc
from maskaug.masking import Masker
from maskaug.sentence import closing_piece, ends_sentence, neighbours, opens_sentence


def test_sentence_edges_and_closing_pieces(tiny_mlms):
    info = tiny_mlms["wordpiece"].info
    doc = Doc.parse('The movie was great. "It works!" and then , the end', info)
    words = [w.text(doc) for w in doc.words]
    opening = [words[i] for i in range(len(words)) if opens_sentence(doc, i) and words[i].isalpha()]
    assert opening == ["The", "It", "and"]  # the first word, after `. "` and after `!"`
    assert ends_sentence(doc, words.index("."))
    assert not ends_sentence(doc, words.index(","))
    closing = [doc.text[slice(*doc.spans[k])] for k in range(len(doc.ids)) if closing_piece(doc, k)]
    assert closing == [".", "!", '"', ","]  # the quote that opens "It is not closing
    assert not closing_piece(doc, len(doc.ids))


def test_neighbours_skip_punctuation(tiny_mlms):
    doc = Doc.parse("However, it works .", tiny_mlms["wordpiece"].info)
    start = doc.text.index("it")
    assert neighbours(doc, start, start) == ("However", "it")
    assert neighbours(doc, start, start + 2) == ("However", "works")
    assert neighbours(doc, 0, 0) == (None, "However")
    assert neighbours(doc, len(doc.text), len(doc.text)) == ("works", None)


WORD = st.sampled_from(["the", "movie", "was", "great", "Who", "invented", "it", "."])
TEXT = st.lists(st.tuples(WORD, st.sampled_from([" ", " ", ". ", "? ", "! ", ", "])), min_size=1, max_size=12).map(
    lambda parts: "".join(w + sep for w, sep in parts).strip())


@settings(max_examples=150, deadline=None)
@given(TEXT, st.integers(0, 2**16))
def test_insert_slots_never_at_a_sentence_edge(tiny_mlms, text, seed):
    info = tiny_mlms["wordpiece"].info
    doc = Doc.parse(text, info)
    slots = Masker(unit="insert.v2", rate=1.0, edges=False).choose(doc, info, np.random.default_rng(seed))
    starts = {doc.words[i].start: i for i in range(len(doc.words))}
    for slot in slots:
        i = starts[slot.start]  # every slot sits before a word ...
        assert i > 0 and not opens_sentence(doc, i)  # ... that does not open a sentence
        assert doc.text[:slot.start].strip() and doc.text[slot.start:].strip()
