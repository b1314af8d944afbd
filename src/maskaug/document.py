"""A text as the tokenizer sees it: pieces with character offsets, grouped into words."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from maskaug.model.vocab import TokenizerInfo
from maskaug.text import normalize


@dataclass(frozen=True)
class Word:
    """A word: its character span (whitespace trimmed) and its range of pieces."""

    start: int  # character span in the text, whitespace trimmed
    end: int
    first: int  # piece range [first, last)
    last: int

    def text(self, doc: Doc) -> str:
        """The word's characters in ``doc``."""
        return doc.text[self.start : self.end]


@dataclass
class Doc:
    """A text as the tokenizer sees it: piece ids, their character spans, and the words they form."""

    text: str
    ids: list[int]
    spans: list[tuple[int, int]]  # per piece, whitespace trimmed; (s, s) for an empty piece
    words: list[Word]

    @cached_property
    def forms(self) -> frozenset[str]:
        """The normalised forms of its words (``maskaug.text.normalize``), computed once."""
        return frozenset(normalize(w.text(self)) for w in self.words)

    @classmethod
    def parse(cls, text: str, info: TokenizerInfo) -> Doc:
        """``text`` split into the model's pieces and into words (one tokenizer call)."""
        return cls.parse_many([text], info)[0]

    @classmethod
    def parse_many(cls, texts: list[str], info: TokenizerInfo) -> list[Doc]:
        """Parse many texts with one (parallel, Rust-side) tokenizer call."""
        if not texts:
            return []
        enc = info.tokenizer(list(texts), add_special_tokens=False, return_offsets_mapping=True, verbose=False)
        return [cls._from_encoding(t, enc["input_ids"][i], enc["offset_mapping"][i], enc.word_ids(i))
                for i, t in enumerate(texts)]

    @classmethod
    def _from_encoding(cls, text: str, ids, offsets, word_ids) -> Doc:
        ids = list(ids)
        spans = [_trim(text, s, e) for s, e in offsets]
        word_ids = list(word_ids)
        # split a pre-tokenizer word where letters meet punctuation ("wonderful," -> "wonderful" ",")
        alnum = [any(c.isalnum() for c in text[s:e]) if e > s else None for s, e in spans]
        fresh = max((w for w in word_ids if w is not None), default=0) + 1
        for k in range(1, len(ids)):
            if (word_ids[k] is not None and word_ids[k] == word_ids[k - 1] and alnum[k] is not None
                    and alnum[k - 1] is not None and alnum[k] != alnum[k - 1]):
                old = word_ids[k]
                for m in range(k, len(ids)):
                    if word_ids[m] != old:
                        break
                    word_ids[m] = fresh
                fresh += 1
        words: list[Word] = []
        i = 0
        while i < len(ids):
            j = i + 1
            while j < len(ids) and word_ids[j] is not None and word_ids[j] == word_ids[i]:
                j += 1
            nonempty = [spans[k] for k in range(i, j) if spans[k][1] > spans[k][0]]
            if nonempty:
                s = min(a for a, _ in nonempty)
                e = max(b for _, b in nonempty)
                if words and s < words[-1].end:  # pieces of one character split across "words"
                    prev = words.pop()
                    words.append(Word(prev.start, max(e, prev.end), prev.first, j))
                else:
                    words.append(Word(s, e, i, j))
            elif words:
                prev = words.pop()
                words.append(Word(prev.start, prev.end, prev.first, j))
            i = j
        return cls(text, ids, spans, words)

    def clean_pieces(self) -> list[int]:
        """Pieces that own a character span no other piece shares (safe to replace alone)."""
        out = []
        for k, (s, e) in enumerate(self.spans):
            if e <= s:
                continue
            if k > 0 and self.spans[k - 1][1] > s:
                continue
            if k + 1 < len(self.spans) and self.spans[k + 1][0] < e and self.spans[k + 1][1] > self.spans[k + 1][0]:
                continue
            out.append(k)
        return out


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e
