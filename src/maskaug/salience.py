"""Word roles from labelled rows: which words carry a row's label, so the masker can leave them alone.

In the spirit of STA (Guo et al. 2022, "Selective Text Augmentation with Word Roles"), each word's tie to each
label is scored from the labelled rows themselves with the log-odds ratio under an informative Dirichlet prior
(Monroe, Colaresi & Quinn 2008, "Fightin' Words"): for word w and label c against all other labels,

    delta = log((y_wc + a_w) / (n_c + a - y_wc - a_w)) - log((y_w¬c + a_w) / (n_¬c + a - y_w¬c - a_w))
    z     = delta / sqrt(1 / (y_wc + a_w) + 1 / (y_w¬c + a_w))

where y counts the rows holding w (each row counts a word once), n the words of those rows, and the prior
a_w = ``prior`` × the word's share of all words (a = ``prior``). Words are lowercased runs of letters, digits and
apostrophes. A row's *label words* are its words with z ≥ ``min_z`` for the row's own label, at most ``share`` of
the row's words (the highest first, at least one when any qualifies); ``Salience.spans`` gives their character
spans, which the job adds to the row's protected spans: every method then keeps them byte-exact.

Counting is one pass over the rows (streaming; memory grows with the vocabulary, not the rows) and the result
does not depend on row order: the same rows give the same roles.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from typing import Any

WORD = re.compile(r"[^\W_](?:[\w'’]*[^\W_])?")


class Salience:
    """Word-label association counted from ``(text, label)`` rows; see the module for the statistic."""

    def __init__(self, min_z: float = 1.5, share: float = 0.25, prior: float = 10.0):
        if not 0 < share <= 1:
            raise ValueError(f"share must be in (0, 1], not {share}")
        self.min_z, self.share, self.prior = min_z, share, prior
        self.rows: Counter[str] = Counter()  # label -> rows
        self.words: dict[str, Counter[str]] = {}  # label -> word -> rows holding it
        self.tokens: Counter[str] = Counter()  # label -> words counted
        self.total: Counter[str] = Counter()  # word -> rows holding it, over all labels

    def __repr__(self) -> str:
        return (f"Salience(labels={len(self.rows)}, words={len(self.total)}, min_z={self.min_z:g}, "
                f"share={self.share:g})")

    def add(self, text: str | tuple[str, ...], label: Any) -> None:
        """Count one labelled row (a pair counts its two texts as one)."""
        key = str(label)
        seen = set(self._words(text))
        self.rows[key] += 1
        self.words.setdefault(key, Counter()).update(seen)
        self.tokens[key] += len(seen)
        self.total.update(seen)

    @classmethod
    def fit(cls, rows: Iterable[tuple[str | tuple[str, ...], Any]], **kw: Any) -> Salience:
        """Score every word of the rows added so far (log-odds with an informative prior)."""
        sal = cls(**kw)
        for text, label in rows:
            sal.add(text, label)
        return sal

    @staticmethod
    def _words(text: str | tuple[str, ...]) -> list[str]:
        texts = [text] if isinstance(text, str) else list(text)
        return [m.group().lower() for t in texts for m in WORD.finditer(t)]

    def z(self, word: str, label: Any) -> float:
        """How strongly ``word`` marks ``label`` against the other labels (0 for a word never seen)."""
        key, w = str(label), word.lower()
        total_words = sum(self.tokens.values())
        if w not in self.total or key not in self.rows or len(self.rows) < 2 or not total_words:
            return 0.0
        a_w = self.prior * self.total[w] / total_words
        a = self.prior
        y_c = self.words[key][w]
        y_o = self.total[w] - y_c
        n_c = self.tokens[key]
        n_o = total_words - n_c
        delta = (math.log((y_c + a_w) / (n_c + a - y_c - a_w)) - math.log((y_o + a_w) / (n_o + a - y_o - a_w)))
        return delta / math.sqrt(1 / (y_c + a_w) + 1 / (y_o + a_w))

    def label_words(self, text: str, label: Any) -> list[tuple[int, int]]:
        """Character spans of ``text``'s label words for ``label`` (see the module)."""
        found = [(m.start(), m.end(), self.z(m.group(), label)) for m in WORD.finditer(text)]
        if not found:
            return []
        keep = max(1, int(self.share * len(found)))
        strong = sorted((f for f in found if f[2] >= self.min_z), key=lambda f: (-f[2], f[0]))[:keep]
        return sorted((s, e) for s, e, _ in strong)
