"""Text statistics shared by constraints and evaluation."""

from __future__ import annotations

from collections.abc import Sequence

from rapidfuzz.distance import Levenshtein


def edit_rate(source: str, output: str) -> float:
    """Word-level Levenshtein distance divided by the source's word count."""
    a, b = source.split(), output.split()
    return Levenshtein.distance(a, b) / max(len(a), 1)


def distinct_n(texts: Sequence[str], n: int) -> float:
    """Unique / total lower-cased word n-grams over ``texts``."""
    grams = [tuple(w[i:i + n]) for w in (t.lower().split() for t in texts) for i in range(len(w) - n + 1)]
    return len(set(grams)) / len(grams) if grams else 0.0
