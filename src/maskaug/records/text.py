"""Single texts and sentence pairs: one or more string columns, each masked on its own; a pair is judged as a
pair by the teacher."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from maskaug.io.checks import text_problem
from maskaug.records.base import Options, RecordType, View, register
from maskaug.splice import Edit


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
        return None

    def view(self, row: dict[str, Any]) -> View:
        return View({f: row[f] for f in self._fields})

    def rebuild(self, row, view, texts, edits: Sequence[Edit]):
        return {**row, **texts}, [e.as_dict() for e in edits]
