"""Write fills back into the original string by character offsets; untouched text stays byte-identical."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Edit:
    """Replace ``text[start:end]`` (``old``) with ``new``; ``start == end`` inserts."""

    field: str
    start: int
    end: int
    old: str
    new: str

    def as_dict(self) -> dict:
        """The edit as a JSON-able dict (``aug_edits`` provenance)."""
        return {"field": self.field, "start": self.start, "end": self.end, "old": self.old, "new": self.new}


def match_case(new: str, old: str) -> str:
    """Give an all-lowercase fill the capitalisation pattern of the word it replaces."""
    if not new or new != new.lower() or not old:
        return new
    if len(old) > 1 and old.isupper():
        return new.upper()
    if old[0].isupper():
        return new[0].upper() + new[1:]
    return new


def splice(text: str, edits: Iterable[Edit]) -> str:
    """Apply non-overlapping edits (offsets refer to ``text``); raises on overlap."""
    out = []
    pos = 0
    for e in sorted(edits, key=lambda e: (e.start, e.end)):
        if e.start < pos or e.end < e.start or e.end > len(text):
            raise ValueError(f"overlapping or out-of-range edit {e}")
        if text[e.start : e.end] != e.old:
            raise ValueError(f"edit {e} does not match the text at its offsets")
        out.append(text[pos : e.start])
        out.append(e.new)
        pos = e.end
    out.append(text[pos:])
    return "".join(out)
