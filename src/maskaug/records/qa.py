"""Extractive QA records (SQuAD-style): ``context``, ``question`` and ``answers`` with ``text`` and
``answer_start`` (🤗 ``squad``'s dict of lists, or a list of ``{"text", "answer_start"}`` objects).

The context is augmented with every answer span protected (kept byte-exact); each edit before an answer
moves its ``answer_start`` by the edit's change in length, and the answer text is found at its new offset in
every output (checked). ``--text-column question`` (or both) augments the question as well; the answers do
not depend on it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from maskaug.io.checks import text_problem
from maskaug.records.base import Options, RecordType, View, register
from maskaug.splice import Edit

FIELDS = ("context", "question")


def shift_offsets(offsets: Sequence[int], edits: Sequence[Edit]) -> list[int]:
    """Where each offset of the original text lies after non-overlapping ``edits``: an edit that ends at or
    before an offset (an insertion at it included) moves it by the edit's change in length."""
    return [o + sum(len(e.new) - (e.end - e.start) for e in edits if e.end <= o) for o in offsets]


def _answers(value: Any) -> tuple[list[str], list[Any]] | None:
    if isinstance(value, dict) and "text" in value and "answer_start" in value:
        texts, starts = value["text"], value["answer_start"]
        if isinstance(texts, list) and isinstance(starts, list):
            return texts, starts
        return None
    if isinstance(value, list) and all(isinstance(a, dict) and "text" in a and "answer_start" in a for a in value):
        return [a["text"] for a in value], [a["answer_start"] for a in value]
    return None


def _with_starts(value: Any, starts: list[int]) -> Any:
    if isinstance(value, dict):
        return {**value, "answer_start": starts}
    return [{**a, "answer_start": s} for a, s in zip(value, starts)]


@register
class QARecord(RecordType):
    """SQuAD-style rows: context (and question) augmented, answers protected and re-offset."""

    name = "qa"
    priority = 20
    sentence_label = False

    def __init__(self, fields: Sequence[str] = ("context",), answers_column: str = "answers"):
        bad = [f for f in fields if f not in FIELDS]
        if bad or not fields:
            raise ValueError(f"QA records augment context and/or question, not {bad or 'nothing'}")
        self._fields = list(fields)
        self.answers_column = answers_column

    @classmethod
    def detect(cls, row, options: Options):
        if options.record not in (None, cls.name) or options.tokens_column or options.tags_column:
            return None
        chosen = tuple(options.text_columns) or ("context",)
        if options.record == cls.name:
            return cls(chosen)
        looks = (row is not None and isinstance(row.get("context"), str) and "question" in row
                 and _answers(row.get("answers")) is not None)
        if looks and set(chosen) <= set(FIELDS):
            return cls(chosen)
        return None

    @property
    def fields(self) -> list[str]:
        return list(self._fields)

    def columns(self) -> list[str]:
        return ["context", "question", self.answers_column]

    def describe(self) -> str:
        return f"extractive QA ({', '.join(self._fields)} augmented; answers protected)"

    def check(self, row):
        for f in FIELDS:
            problem = text_problem(row.get(f))
            if problem:
                return f, problem
        parsed = _answers(row.get(self.answers_column))
        if parsed is None:
            return self.answers_column, "expected {'text': [...], 'answer_start': [...]} or a list of such answers"
        texts, starts = parsed
        if len(texts) != len(starts):
            return self.answers_column, f"{len(texts)} answer texts but {len(starts)} answer_start values"
        context = row["context"]
        for i, (t, s) in enumerate(zip(texts, starts)):
            if not isinstance(t, str) or not t:
                return self.answers_column, f"answer {i} is not a non-empty string"
            if not isinstance(s, int) or isinstance(s, bool) or s < 0:
                return self.answers_column, f"answer {i}: answer_start {s!r} is not an offset"
            if context[s: s + len(t)] != t:
                return self.answers_column, f"answer {i} ({t!r}) is not at answer_start {s} of the context"
        return None

    def view(self, row) -> View:
        texts, starts = _answers(row[self.answers_column])
        spans = [(s, s + len(t)) for t, s in zip(texts, starts)]
        return View({f: row[f] for f in self._fields}, {"context": spans}, (texts, starts))

    def rebuild(self, row, view, texts, edits):
        answers, starts = view.state
        mine = [e for e in edits if e.field == "context"]
        moved = shift_offsets(starts, mine)
        context = texts.get("context", row["context"])
        for t, s in zip(answers, moved):
            if context[s: s + len(t)] != t:
                raise RuntimeError(f"answer {t!r} is not at its shifted offset {s}")
        out = {**row, **texts, self.answers_column: _with_starts(row[self.answers_column], moved)}
        return out, [e.as_dict() for e in edits]
