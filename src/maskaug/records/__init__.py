"""Record types: the shapes of row maskaug augments (text, pairs, token/tag, extractive QA), as one concept.

``detect`` picks the type for a dataset from the user's options and its first row. Every module in this
package is imported here, and each registers its type, so a new record type is one new module.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

from maskaug.records.base import Options, RecordType, View, register, types

for _module in pkgutil.iter_modules(__path__):
    if _module.name != "base":
        importlib.import_module(f"{__name__}.{_module.name}")

from maskaug.records.qa import QARecord  # noqa: E402
from maskaug.records.tagged import TaggedRecord  # noqa: E402
from maskaug.records.text import TextRecord  # noqa: E402


def detect(row: dict[str, Any] | None, options: Options = Options()) -> RecordType:
    """The record type for rows like ``row`` (the first one), given what the user said."""
    if options.record is not None and options.record not in [t.name for t in types()]:
        raise ValueError(f"unknown record type {options.record!r}; known: {', '.join(t.name for t in types())}")
    for cls in types():
        found = cls.detect(row, options)
        if found is not None:
            return found
    raise ValueError("no record type fits these rows")  # pragma: no cover - the text type always fits


LABEL_NAMES = ("label", "labels")  # label columns found by name, in this order
NO_LABEL = "none"  # --label-column none: the rows have no label column, whatever their columns are called


def find_label_column(row: dict[str, Any] | None, record: RecordType | None, given: str | None = None,
                      class_labels: tuple[str, ...] | list[str] = ()) -> str | None:
    """The label column: the one ``given`` (``"none"``: no label column), else, for records whose label is the
    whole row's (text, pairs), the first of a column a 🤗 datasets ``ClassLabel`` names and the columns in
    ``LABEL_NAMES`` that ``row`` (the first row) has with one value (not a list: token tags are no label)."""
    if given is not None:
        return None if given.strip().casefold() == NO_LABEL else given
    if row is None or record is None or not record.sentence_label:
        return None
    for name in (*class_labels, *LABEL_NAMES):
        if name in row and isinstance(row[name], (str, int, float)):
            return name
    return None


__all__ = ["LABEL_NAMES", "NO_LABEL", "Options", "QARecord", "RecordType", "TaggedRecord", "TextRecord", "View",
           "detect", "find_label_column", "register", "types"]
