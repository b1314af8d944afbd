"""Unicode helpers shared by every layer: comparing word forms, telling visible text from invisible."""

from __future__ import annotations

import unicodedata


def normalize(s: str) -> str:
    """Case- and width-insensitive form used to compare a fill with the original word."""
    return unicodedata.normalize("NFKC", s).casefold().strip()


def has_alnum(s: str) -> bool:
    """Whether ``s`` has a letter or digit."""
    return any(ch.isalnum() for ch in s)


def is_visible(s: str) -> bool:
    """Whether ``s`` has a character that shows: not whitespace, not a format or control character (zero-width
    spaces, joiners, LRM/RLM and other direction marks, BOMs, soft hyphens)."""
    return any(not ch.isspace() and unicodedata.category(ch) not in ("Cf", "Cc", "Zs", "Zl", "Zp") for ch in s)
