"""What every method takes and returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from maskaug.document import Doc
from maskaug.model.engine import FillEngine
from maskaug.model.vocab import TokenizerInfo
from maskaug.splice import Edit


@dataclass
class Job:
    """One attempt at one copy of one row: its text fields, parsed, and its own RNG."""

    texts: dict[str, str]
    docs: dict[str, Doc]
    rng: np.random.Generator
    protected: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    prefix: tuple[int, ...] = ()  # label conditioning ids (prepend/expand models)
    type_id: int | None = None  # label as token type (C-BERT models)


@dataclass
class Draft:
    texts: dict[str, str]
    edits: list[Edit]
    score: float | None  # mean log-probability of the fills; None when nothing was filled


class Method(Protocol):
    name: str
    needs_model: bool

    def generate(self, jobs: list[Job], info: TokenizerInfo, engine: FillEngine | None) -> list[Draft]:
        ...
