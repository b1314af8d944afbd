"""Single texts and sentence pairs: one or more string columns, each masked on its own; a pair is judged as a
pair by the teacher.

A column with one BIO tag per whitespace word of a text column (SNIPS and ATIS keep slots so: ``text`` plus
``slots``) is read as that text's word tags: the tagged words are kept as they are (no edit inside, no word put
between two of them), and the output's tags are re-aligned to its words, a new word tagged ``O``.

A column of character spans of a single text column (spaCy, Prodigy and doccano write entities so:
``[{"start": 0, "end": 5, "label": "ORG"}]`` or ``[[0, 5, "ORG"]]``) is kept the same way: each span is protected,
and its offsets are moved by the edits before it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from maskaug.io.checks import text_problem
from maskaug.records.base import Options, RecordType, Span, View, register
from maskaug.records.qa import shift_offsets
from maskaug.splice import Edit

BIO = re.compile(r"O|[BI]-\S.*")
WORD = re.compile(r"\S+")


def word_spans(text: str) -> list[Span]:
    """The character span of each whitespace-separated word of ``text``."""
    return [m.span() for m in WORD.finditer(text)]


def tag_columns(row: dict[str, Any], fields: Sequence[str]) -> list[tuple[str, str]]:
    """(column, text field) for each column of ``row`` that holds one BIO tag per whitespace word of a text field
    (all ``O`` too: a row with no entity still needs its tags realigned after an insertion)."""
    out = []
    for column, value in row.items():
        if column in fields or not isinstance(value, list) or not value:
            continue
        if not all(isinstance(t, str) and BIO.fullmatch(t) for t in value):
            continue
        for f in fields:
            if isinstance(row.get(f), str) and len(word_spans(row[f])) == len(value):
                out.append((column, f))
                break
    return out


def entity_spans(spans: Sequence[Span], tags: Sequence[str]) -> list[Span]:
    """One span per run of tagged words (a ``B-`` or an ``I-`` after an ``O`` opens a run), from its first word's start
    to its last word's end, so nothing is put between two words of one entity."""
    runs: list[Span] = []
    for (start, end), tag, before in zip(spans, tags, ["O", *tags]):
        if tag == "O":
            continue
        if tag.startswith("I-") and before != "O" and runs:
            runs[-1] = (runs[-1][0], end)
        else:
            runs.append((start, end))
    return runs


def _span(item: Any) -> tuple[int, int] | None:
    """(start, end) of one character-span item: a dict with integer ``start`` and ``end``, or [start, end, label]."""
    if isinstance(item, dict):
        start, end = item.get("start"), item.get("end")
    elif isinstance(item, (list, tuple)) and len(item) == 3 and isinstance(item[2], str):
        start, end = item[0], item[1]
    else:
        return None
    ok = all(isinstance(v, int) and not isinstance(v, bool) for v in (start, end))
    return (start, end) if ok else None


def span_columns(row: dict[str, Any], fields: Sequence[str]) -> list[str]:
    """The columns of ``row`` that hold character spans of its one text field (``_span`` items, at least one); not
    maskaug's own ``aug_*`` columns (``aug_edits`` of an augmented file read again)."""
    if len(fields) != 1:
        return []
    return [c for c, v in row.items() if c not in fields and not c.startswith("aug_") and isinstance(v, list) and v
            and all(_span(item) is not None for item in v)]


def span_problem(row: dict[str, Any], column: str, field: str) -> str | None:
    """Why a span column does not fit its text (a span outside it, or ending before it starts), or None."""
    n = len(row[field]) if isinstance(row.get(field), str) else 0
    for k, item in enumerate(row[column]):
        start, end = _span(item)
        if not 0 <= start <= end <= n:
            return f"span {k} ({start}, {end}) of {column!r} does not lie within {field!r} ({n} characters)"
    return None


def moved_spans(items: Sequence[Any], edits: Sequence[Edit]) -> list[Any]:
    """The span ``items`` with their offsets moved by ``edits``, none of which is inside a span."""
    out = []
    spans = [_span(item) for item in items]
    for item, (start, end), new in zip(items, spans, shift_offsets([s for s, _ in spans], edits)):
        if isinstance(item, dict):
            out.append({**item, "start": new, "end": new + end - start})
        else:
            out.append(type(item)([new, new + end - start, *item[2:]]))
    return out


def realign_tags(text: str, tags: Sequence[str], edits: Sequence[Edit], new_text: str) -> list[str]:
    """``tags`` (one per word of ``text``) for the words of ``new_text``, which ``edits`` made from ``text`` leaving the
    tagged words alone: each tagged word keeps its tag at its shifted place, every other word is ``O``."""
    spans = word_spans(text)
    starts = {s: i for i, (s, _) in enumerate(word_spans(new_text))}
    out = ["O"] * len(starts)
    tagged = [(j, s) for j, ((s, _), t) in enumerate(zip(spans, tags)) if t != "O"]
    for (j, _), moved in zip(tagged, shift_offsets([s for _, s in tagged], edits)):
        if moved not in starts:
            raise ValueError(f"tagged word {j} ({text[spans[j][0]:spans[j][1]]!r}) was edited")
        out[starts[moved]] = tags[j]
    return out


@register
class TextRecord(RecordType):
    """One or more text columns, each masked on its own; a pair judged as a pair."""

    name = "text"
    priority = 90  # the fallback

    def __init__(self, fields: Sequence[str] = ("text",)):
        if not fields:
            raise ValueError("a text record needs at least one text column")
        if len(set(fields)) != len(fields):
            raise ValueError(f"text columns must differ, got {list(fields)}")
        self._fields = list(fields)

    @classmethod
    def detect(cls, row, options: Options):
        return cls(options.text_columns or ("text",))

    @property
    def fields(self) -> list[str]:
        return list(self._fields)

    def describe(self) -> str:
        kind = "text" if len(self._fields) == 1 else "text pair" if len(self._fields) == 2 else "texts"
        return f"{kind} ({', '.join(self._fields)})"

    def check(self, row: dict[str, Any]):
        for f in self._fields:
            problem = text_problem(row.get(f))
            if problem:
                return f, problem
        for column in span_columns(row, self._fields):
            problem = span_problem(row, column, self._fields[0])
            if problem:
                return column, problem
        return None

    def view(self, row: dict[str, Any]) -> View:
        tagged = tag_columns(row, self._fields)
        spans = span_columns(row, self._fields)
        protected: dict[str, list[Span]] = {}
        for column, f in tagged:
            protected.setdefault(f, []).extend(entity_spans(word_spans(row[f]), row[column]))
        for column in spans:
            protected.setdefault(self._fields[0], []).extend(_span(item) for item in row[column])
        return View({f: row[f] for f in self._fields}, {f: sorted(p) for f, p in protected.items()},
                    (tagged, spans))

    def rebuild(self, row, view, texts, edits: Sequence[Edit]):
        out = {**row, **texts}
        tagged, spans = view.state or ((), ())
        for column, f in tagged:
            mine = [e for e in edits if e.field == f]
            if mine:
                out[column] = realign_tags(row[f], row[column], mine, texts[f])
        for column in spans:
            out[column] = moved_spans(row[column], [e for e in edits if e.field == self._fields[0]])
        return out, [e.as_dict() for e in edits]
