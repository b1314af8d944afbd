"""Where a ``Doc``'s sentences open and close, and which words stand next to a
position: what the rules that keep an edited sentence a sentence read (no model, no word lists)."""

from __future__ import annotations

import unicodedata
from bisect import bisect_left, bisect_right

from maskaug.document import Doc
from maskaug.text import has_alnum

FINAL = frozenset(".!?…。！？")  # punctuation that ends a sentence


def _is_closing(ch: str) -> bool:
    """Punctuation that closes a clause or a sentence: ``. , ; : ! ? …`` and closing brackets and quotes."""
    if ch in FINAL or ch in ",;:、，；：":
        return True
    return unicodedata.category(ch) in ("Pe", "Pf") or ch in "\"'"


def ends_sentence(doc: Doc, i: int) -> bool:
    """Whether word ``i`` ends a sentence: it is sentence-final punctuation (``.``, ``!``, ``?``), or punctuation
    right after it (the quote of ``."``)."""
    while i >= 0:
        text = doc.words[i].text(doc)
        if has_alnum(text):
            return False
        if any(c in FINAL for c in text):
            return True
        i -= 1
    return False


def opens_sentence(doc: Doc, i: int) -> bool:
    """Whether word ``i`` opens a sentence (the text's first word, or one after ``ends_sentence``)."""
    return i == 0 or ends_sentence(doc, i - 1)


def closing_piece(doc: Doc, k: int) -> bool:
    """Whether piece ``k`` of ``doc`` is punctuation that closes a clause (``.``, ``,``, ``?``, ``)``, ...)."""
    if not 0 <= k < len(doc.ids):
        return False
    s, e = doc.spans[k]
    if e <= s or has_alnum(doc.text[s:e]) or not _is_closing(doc.text[s]):
        return False
    return not (doc.text[s] in "\"'" and doc.text[e:e + 1].isalnum())  # a straight quote that opens a word


def neighbours(doc: Doc, start: int, end: int) -> tuple[str | None, str | None]:
    """The nearest words with a letter or digit before ``start`` and after ``end`` (character offsets; punctuation
    between is skipped, so "However, however" counts as neighbours), or None at an edge."""
    words = doc.words  # in text order: bisection finds the words on each side of the span
    before = after = None
    i = bisect_right(words, start, key=lambda w: w.end) - 1
    while i >= 0 and before is None:
        text = words[i].text(doc)
        before = text if has_alnum(text) else None
        i -= 1
    i = bisect_left(words, end, key=lambda w: w.start)
    while i < len(words) and after is None:
        text = words[i].text(doc)
        after = text if has_alnum(text) else None
        i += 1
    return before, after
