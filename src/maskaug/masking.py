"""Which positions to mask: units (token, word, span, insertion slot), rate, exclusions."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from maskaug.document import Doc
from maskaug.model.vocab import CONTINUATION, START, TokenizerInfo
from maskaug.sentence import ends_sentence, opens_sentence
from maskaug.text import has_alnum as _has_alnum
from maskaug.wordclass import NEGATIONS, closed_class, name_like, numeric, preposition

UNITS = ("token", "word", "span", "insert")


@dataclass(frozen=True)
class Slot:
    """One masked position: the character span it replaces and the pieces it stands for."""

    start: int
    end: int  # == start for an insertion
    first: int  # piece range [first, last) replaced; first == last inserts before piece `first`
    last: int
    kind: int  # START or CONTINUATION: which pieces may fill it
    wordy: bool  # the fill must contain a letter or digit
    old: str
    prefix: str = ""  # added before / after the fill when spliced (insertion spacing)
    suffix: str = ""

    @property
    def is_insert(self) -> bool:
        """Whether the slot inserts a new unit rather than replacing one."""
        return self.first == self.last


def _stands_alone(text: str, words: Sequence, i: int) -> bool:
    """Whether word ``i`` is the only word with a letter or digit between the spaces around it (``film,`` is;
    ``don`` of ``don't`` is not)."""
    w = words[i]
    start = w.start
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    end = w.end
    while end < len(text) and not text[end].isspace():
        end += 1
    return not (_has_alnum(text[start : w.start]) or _has_alnum(text[w.end : end]))


def _near_alnum(doc: Doc, i: int, step: int) -> int:
    """The index of the nearest word from ``i`` on (``step`` 1: forward, -1: back) with a letter or digit, or -1."""
    while 0 <= i < len(doc.words) and not _has_alnum(doc.words[i].text(doc)):
        i += step
    return i if 0 <= i < len(doc.words) else -1


UNSPACED = ("CJK", "HIRAGANA", "KATAKANA", "HANGUL", "THAI", "LAO", "KHMER", "MYANMAR", "TIBETAN")


def _word_count(word: str) -> int:
    """1 for a word with a letter or digit, 0 without; the letters of a word in an unspaced script, each."""
    if word.isascii():  # the common case, without a Unicode-name lookup per letter
        return 1 if _has_alnum(word) else 0
    import unicodedata

    if not _has_alnum(word):
        return 0
    unspaced = sum(1 for ch in word if ch.isalnum() and unicodedata.name(ch, "").startswith(UNSPACED))
    return max(1, unspaced)


@dataclass(frozen=True)
class Masker:
    """Choose ``clamp(round(rate * eligible units), min_count, max_count)`` units of a text.

    Never special tokens (they are not in ``Doc``); optionally never stopwords, punctuation,
    negations (``NEGATIONS``), protected character spans or regex matches (kept byte-exact). A text of
    fewer than ``min_words`` words (with a letter or digit) is left as it is (``too_short``).

    ``edges=False`` (``unit="insert"``): no slot before a sentence's first word, after its final punctuation
    or at the text's end, where a new word reads as a fragment ("if The ending ...", "... performances. is").
    ``names`` / ``numbers`` / ``function_words`` (``maskaug.wordclass``): names, acronyms and codes (every word
    that opens a sentence, and every word the model knows only in pieces) / numbers, number words and dates /
    closed-class words are never masked, and no slot is inserted next to a kept name or number. ``whole_words``:
    only a word that stands alone between spaces (punctuation aside) is masked, never a part of ``don't``,
    ``e-mail`` or ``5.99``. ``before_prepositions=False`` (``unit="insert"``): no slot right before a preposition,
    where a new word comes between a word and the phrase that completes it ("restricted directly to", "ways capable
    of", "the match ended on").
    """

    unit: str = "word"
    rate: float = 0.15
    min_count: int = 1
    max_count: int | None = None
    span_length: int = 3
    stopwords: frozenset[str] = frozenset()
    skip_punct: bool = True
    protect: tuple[str, ...] = ()
    negations: bool = False
    min_words: int = 0
    edges: bool = True
    names: bool = False
    numbers: bool = False
    function_words: bool = False
    whole_words: bool = False
    before_prepositions: bool = True
    _patterns: tuple = field(default=(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.unit not in UNITS:
            raise ValueError(f"unit must be one of {UNITS}, not {self.unit!r}")
        if self.min_count < 0:
            raise ValueError(f"min_count must be >= 0, not {self.min_count}")
        if not 0.0 <= self.rate <= 1.0:
            raise ValueError(f"rate must be in [0, 1], not {self.rate}")
        if self.max_count is not None and self.max_count < self.min_count:
            raise ValueError("max_count must be >= min_count")
        if self.min_words < 0:
            raise ValueError(f"min_words must be >= 0, not {self.min_words}")
        patterns = [re.compile(NEGATIONS)] if self.negations else []
        for p in self.protect:
            try:
                patterns.append(re.compile(p))
            except re.error as exc:
                raise ValueError(f"protect {p!r} is not a regular expression ({exc})") from None
        object.__setattr__(self, "_patterns", tuple(patterns))

    def __repr__(self) -> str:
        parts = [f"unit={self.unit}", f"rate={self.rate:.3g}", f"min_count={self.min_count}"]
        if self.max_count is not None:
            parts.append(f"max_count={self.max_count}")
        if self.unit == "span":
            parts.append(f"span_length={self.span_length}")
        if self.stopwords:
            parts.append(f"stopwords={len(self.stopwords)} words kept")
        if self.skip_punct:
            parts.append("skip_punct")
        if self.negations:
            parts.append("negations kept")
        if self.min_words:
            parts.append(f"min_words={self.min_words}")
        if self.protect:
            parts.append(f"protect={list(self.protect)}")
        if self.unit == "insert" and not self.edges:
            parts.append("no edge slots")
        if self.unit == "insert" and not self.before_prepositions:
            parts.append("no slot before a preposition")
        kept = [k for k in ("names", "numbers", "function_words") if getattr(self, k)]
        if kept:
            parts.append(f"kept: {', '.join(kept)}")
        if self.whole_words:
            parts.append("whole words")
        return f"Masker({', '.join(parts)})"

    def count(self, n: int) -> int:
        """How many of ``n`` eligible units to mask (the rate, clamped to the counts)."""
        k = max(self.min_count, math.floor(self.rate * n + 0.5))
        if self.max_count is not None:
            k = min(k, self.max_count)
        return min(k, n)

    def protected_spans(self, text: str, extra: Iterable[tuple[int, int]] = ()) -> list[tuple[int, int]]:
        """Character spans of ``text`` never masked: ``extra`` plus the matches of the masker's patterns."""
        spans = list(extra)
        for pat in self._patterns:
            spans.extend(m.span() for m in pat.finditer(text) if m.end() > m.start())
        return spans

    def eligible_words(self, doc: Doc, protected: Sequence[tuple[int, int]]) -> list[int]:
        """Indexes of the words of ``doc`` that may be masked."""
        out = []
        kept = self.kept_words(doc)
        for i, w in enumerate(doc.words):
            text = w.text(doc)
            if self.skip_punct and not _has_alnum(text):
                continue
            if self.stopwords and text.casefold() in self.stopwords:
                continue
            if i in kept:
                continue
            if any(s < w.end and w.start < e for s, e in protected):
                continue
            out.append(i)
        return out

    @property
    def keeps_words(self) -> bool:
        """Whether any word-class rule (names, numbers, function words, whole words) is on."""
        return self.names or self.numbers or self.function_words or self.whole_words

    def kept_words(self, doc: Doc, anchors_only: bool = False) -> set[int]:
        """Indexes of the words the word-class rules keep; ``anchors_only``: only names and numbers (the words
        no new word may stand next to)."""
        if not self.keeps_words:
            return set()
        words, text = doc.words, doc.text
        kept: set[int] = set()
        for i, w in enumerate(words):
            word = w.text(doc)
            if not _has_alnum(word):
                continue
            opens = opens_sentence(doc, i)
            rare = w.last - w.first > 1  # a word the model knows only in pieces: a name or a rare word
            if (self.numbers and numeric(word)) or (self.names and (opens or rare or name_like(word, opens))):
                kept.add(i)
            elif anchors_only:
                continue
            elif self.function_words and closed_class(word):
                kept.add(i)
            elif self.whole_words and not _stands_alone(text, words, i):
                kept.add(i)
        return kept

    def too_short(self, doc: Doc) -> str | None:
        """Why ``doc`` is left as it is (fewer than ``min_words`` words), or None. In scripts written without
        spaces (Chinese, Japanese, Korean, Thai, ...) each letter counts as a word."""
        if not self.min_words:
            return None
        words = 0
        for w in doc.words:  # stop counting once the text is long enough
            words += _word_count(w.text(doc))
            if words >= self.min_words:
                return None
        if words < self.min_words:
            return f"too short to change safely: {words} word{'s' if words != 1 else ''} (min_words={self.min_words})"
        return None

    def choose(self, doc: Doc, info: TokenizerInfo, rng: np.random.Generator,
               protected: Iterable[tuple[int, int]] = ()) -> list[Slot]:
        """The slots to mask in ``doc``, drawn with ``rng``; none for a text too short to change."""
        if self.too_short(doc):
            return []
        prot = self.protected_spans(doc.text, protected)
        if self.unit == "insert":
            return self._insert_slots(doc, info, rng, prot)
        words = self.eligible_words(doc, prot)
        if self.unit == "token":
            allowed = {k for i in words for k in range(doc.words[i].first, doc.words[i].last)}
            pieces = [k for k in doc.clean_pieces() if k in allowed]
            if self.skip_punct:
                pieces = [k for k in pieces if _has_alnum(doc.text[slice(*doc.spans[k])])]
            picked = sorted(rng.choice(len(pieces), size=self.count(len(pieces)), replace=False).tolist())
            return [self._piece_slot(doc, info, pieces[j]) for j in picked]
        if self.unit == "word":
            picked = sorted(rng.choice(len(words), size=self.count(len(words)), replace=False).tolist())
            return [self._word_slot(doc, info, words[j]) for j in picked]
        return [self._word_slot(doc, info, i) for i in self._spans(words, rng)]

    def _spans(self, words: list[int], rng: np.random.Generator) -> list[int]:
        """Runs of up to ``span_length`` adjacent eligible words until the target count is reached."""
        target = self.count(len(words))
        chosen: set[int] = set()
        while len(chosen) < target:
            free = [j for j, w in enumerate(words) if w not in chosen]
            j = free[int(rng.integers(len(free)))]
            length = int(rng.integers(1, self.span_length + 1))
            run = [words[j]]
            while (len(run) < length and j + 1 < len(words) and words[j + 1] == words[j] + 1
                   and words[j + 1] not in chosen):
                j += 1
                run.append(words[j])
            chosen.update(run[: target - len(chosen)])
        return sorted(chosen)

    @staticmethod
    def _word_slot(doc: Doc, info: TokenizerInfo, i: int) -> Slot:
        w = doc.words[i]
        kind = START if info.is_start[doc.ids[w.first]] else CONTINUATION
        old = w.text(doc)
        return Slot(w.start, w.end, w.first, w.last, kind, _has_alnum(old), old)

    @staticmethod
    def _piece_slot(doc: Doc, info: TokenizerInfo, k: int) -> Slot:
        s, e = doc.spans[k]
        kind = START if info.is_start[doc.ids[k]] else CONTINUATION
        old = doc.text[s:e]
        return Slot(s, e, k, k + 1, kind, _has_alnum(old), old)

    def candidates(self, doc: Doc, info: TokenizerInfo, protected: Iterable[tuple[int, int]] = ()) -> list[Slot]:
        """Every slot ``choose`` may draw from in ``doc`` (insertion gaps or eligible words), in text order, with no
        draw: the same list on every attempt. Token and span units have none (a ValueError)."""
        if self.too_short(doc):
            return []
        prot = self.protected_spans(doc.text, protected)
        if self.unit == "insert":
            return self._gaps(doc, info, prot)
        if self.unit == "word":
            return [self._word_slot(doc, info, i) for i in self.eligible_words(doc, prot)]
        raise ValueError(f"unit={self.unit} has no fixed list of candidate slots (insert and word have)")

    def _gaps(self, doc: Doc, info: TokenizerInfo, prot: Sequence[tuple[int, int]]) -> list[Slot]:
        words = doc.words
        gaps: list[Slot] = []
        if words and self.edges:
            first = words[0]
            kind = START if info.is_start[doc.ids[first.first]] else CONTINUATION
            gaps.append(Slot(first.start, first.start, first.first, first.first, kind, True, "", "", " "))
        anchors = self.kept_words(doc, anchors_only=True) if (self.names or self.numbers) else set()
        for i in range(1, len(words)):
            a, b = words[i - 1], words[i]
            gap = doc.text[a.end : b.start]
            if _near_alnum(doc, i, 1) in anchors or _near_alnum(doc, i - 1, -1) in anchors:
                continue
            if gap and gap.isspace() and (self.before_prepositions or not preposition(b.text(doc))):
                if self.edges or not ends_sentence(doc, i - 1):
                    gaps.append(Slot(b.start, b.start, b.first, b.first, START, True, "", "", " "))
        if words and self.edges:
            last = words[-1]
            gaps.append(Slot(last.end, last.end, len(doc.ids), len(doc.ids), START, True, "", " ", ""))
        return [g for g in gaps if not any(s < g.start < e for s, e in prot)]

    def _insert_slots(self, doc: Doc, info: TokenizerInfo, rng: np.random.Generator,
                      prot: Sequence[tuple[int, int]]) -> list[Slot]:
        gaps = self._gaps(doc, info, prot)
        size = min(self.count(len(doc.words)), len(gaps))
        picked = sorted(rng.choice(len(gaps), size=size, replace=False).tolist())
        return [gaps[j] for j in picked]
