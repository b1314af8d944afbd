"""What every method takes and returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

import numpy as np

from maskaug.document import Doc
from maskaug.model.vocab import TokenizerInfo
from maskaug.splice import Edit

if TYPE_CHECKING:  # the engine needs torch; methods are built and checked without it
    from maskaug.model.engine import FillEngine


@dataclass
class Job:
    """One attempt at one copy of one row: its text fields, parsed, and its own RNG."""

    texts: dict[str, str]
    docs: dict[str, Doc]
    rng: np.random.Generator
    protected: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    prefix: tuple[int, ...] = ()  # label conditioning ids (prepend/expand models)
    label_id: int | None = None  # the row's label as a model input (C-BERT models)


@dataclass
class Draft:
    """One candidate of one row: its texts, the edits that made them, the fills' mean log-probability."""

    texts: dict[str, str]
    edits: list[Edit]
    score: float | None  # mean log-probability of the fills; None when nothing was filled
    left: str | None = None  # why the row is left as it is (too short): no attempt can change it


EDITS = ("any", "context", "entities")


@dataclass(frozen=True)
class Capabilities:
    """What a method needs and what it changes, declared so a job can check it against the record type and the
    model once, before any work.

    ``requires``: the conditioning the model must have been fine-tuned with (``maskaug finetune --conditioning``).
    ``edits``: which words it may change: ``any``, only the ``context`` around entities, or only ``entities``
    (MELM). ``inserts``: it adds words, so token counts change. ``resizes``: one edit may replace a run of
    words with a run of another length (span infill), never inside a protected span.
    """

    needs_model: bool = True
    requires: str | None = None
    edits: str = "any"
    inserts: bool = False
    resizes: bool = False

    def __post_init__(self) -> None:
        if self.edits not in EDITS:
            raise ValueError(f"edits must be one of {EDITS}, not {self.edits!r}")


class Method(Protocol):
    """What every method provides: a name, declared capabilities and ``generate``."""

    name: str

    @property
    def capabilities(self) -> Capabilities:
        """What the method needs (model, conditioning) and may change, checked before any work."""
        ...

    def generate(self, jobs: list[Job], info: TokenizerInfo, engine: FillEngine | None) -> list[Draft]:
        """One candidate (a ``Draft``) per job, in order; ``engine`` fills masked positions in batched passes."""
        ...
