"""What a record type is: how rows of one shape become texts for the masked LM, and come back.

A record type detects its rows, checks each one (naming the field), exposes the text fields the LM sees
and the character spans it must leave alone, rebuilds the output row from an augmentation, and says which
methods and constraints fit it. Adding a record type is one module in this package: every module here is
imported by ``maskaug.records``, and each type registers itself with ``register``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from maskaug.methods.base import Capabilities
from maskaug.splice import Edit

Span = tuple[int, int]


@dataclass
class View:
    """What the masked LM sees of one row: its text fields, the spans not to mask, and what the record type
    needs to map an augmentation back (``state``)."""

    texts: dict[str, str]
    protected: dict[str, list[Span]] = field(default_factory=dict)
    state: Any = None


@dataclass(frozen=True)
class Options:
    """What the user said about the rows' shape (all optional: the record type is detected otherwise)."""

    record: str | None = None  # a record type's name, to skip detection
    text_columns: tuple[str, ...] = ()
    tokens_column: str | None = None
    tags_column: str | None = None
    tag_names: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (column, names) of a 🤗 dataset's ClassLabel tag ids


class RecordType(ABC):
    """One shape of row. Instances are small, picklable descriptions (they travel to Ray actors)."""

    name: ClassVar[str]
    priority: ClassVar[int] = 50  # detection order, lowest first
    sentence_label: ClassVar[bool] = True  # one label for the whole record: the teacher and similarity apply

    @classmethod
    @abstractmethod
    def detect(cls, row: dict[str, Any] | None, options: Options) -> RecordType | None:
        """This type for rows like ``row`` (the first one; None for an empty input), or None."""

    @property
    @abstractmethod
    def fields(self) -> list[str]:
        """The columns the masked LM reads."""

    def columns(self) -> list[str]:
        """Columns every row must have."""
        return list(self.fields)

    def describe(self) -> str:
        """The record type and its columns, for messages."""
        return f"{self.name} ({', '.join(self.columns())})"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(self.columns())})"

    def accepts(self, caps: Capabilities, constraints: Sequence[str] = ()) -> str | None:
        """Why a method with ``caps`` and these constraint names does not fit this record type, or None."""
        if caps.edits == "entities":
            return "fills the entity tokens of token/tag (NER) records; give records with tokens and tags"
        return None

    def bind(self, caps: Capabilities, conditioning: Any = None) -> None:  # noqa: B027 - most types need nothing
        """Learn what the method and the model need (MELM's entity markers, say); called once per job."""

    @abstractmethod
    def check(self, row: dict[str, Any]) -> tuple[str, str] | None:
        """``(field, problem)`` for a row this type cannot take, or None."""

    @abstractmethod
    def view(self, row: dict[str, Any]) -> View:
        """The texts the masked LM reads and the spans it must keep, for one row."""
        ...

    @abstractmethod
    def rebuild(self, row: dict[str, Any], view: View, texts: dict[str, str],
                edits: Sequence[Edit]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """The output row (the input's columns with this augmentation's changes) and its edits as provenance."""

    def judged(self, texts: dict[str, str]) -> str | tuple[str, ...]:
        """What a classifier-style constraint (the teacher) reads: one text, or a pair as a pair."""
        values = [texts[f] for f in self.fields]
        return values[0] if len(values) == 1 else tuple(values)

    def preview(self, row: dict[str, Any], out: dict[str, Any]) -> list[tuple[str, str]]:
        """``(before, after)`` per text field, for the few lines printed after a run."""
        return [(str(row[f]), str(out[f])) for f in self.fields]


_TYPES: dict[str, type[RecordType]] = {}


def register(cls: type[RecordType]) -> type[RecordType]:
    """Class decorator: make a record type known to ``maskaug.records.detect``."""
    if cls.name in _TYPES:
        raise ValueError(f"record type {cls.name!r} is already registered")
    _TYPES[cls.name] = cls
    return cls


def types() -> list[type[RecordType]]:
    """The registered record types in detection order."""
    return sorted(_TYPES.values(), key=lambda c: (c.priority, c.name))
