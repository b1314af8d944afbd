"""Rules that keep an edited sentence a sentence, shared by the methods that insert or replace words.

- **No twin neighbours** (``repeats=False``): a fill never equals, case-insensitively, the word right before
  or right after it ("not not", "computer computer").
- **The closing check** (``closing_drop``): a new word right before the punctuation that closes a clause
  (``.``, ``?``, ``,``, ``)``) is kept only if the masked LM still expects that punctuation there. The
  punctuation is masked twice, in the source and in the edited text; when its log-probability falls by more
  than ``closing_drop`` nats the new word left the clause unfinished ("performances were .", "Who was
  Galileo the ?") and the edit is dropped. No word list: the model's own scores decide, in one extra batched
  pass over the slots that sit before closing punctuation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from maskaug.model.vocab import CONTINUATION, START, TokenizerInfo
from maskaug.text import normalize

if TYPE_CHECKING:
    from maskaug.model.engine import FillEngine


def twin(form: str | None, before: str | None, after: str | None) -> bool:
    """Whether a fill's normalised ``form`` equals the word before or after it."""
    return form is not None and any(w is not None and form == normalize(w) for w in (before, after))


@dataclass
class ClosingQuery:
    """One closing check: the source's piece ids and the edited text's, each with the closing punctuation
    masked at ``*_at``; ``target`` is that punctuation's piece id."""

    source: list[int]
    source_at: int
    edited: list[int]
    edited_at: int
    target: int
    prefix: tuple[int, ...] = ()
    label_id: int | None = None


def masked_at(ids: Sequence[int], at: int, mask_id: int) -> list[int]:
    """A copy of ``ids`` with position ``at`` masked."""
    out = list(ids)
    out[at] = mask_id
    return out


def _logprob(ids: np.ndarray, lps: np.ndarray, target: int) -> float | None:
    hit = np.flatnonzero(ids == target)
    return float(lps[hit[0]]) if len(hit) else None


def closing_drops(engine: FillEngine, info: TokenizerInfo, queries: Sequence[ClosingQuery]) -> list[float]:
    """Per query, how many nats the closing punctuation's log-probability fell from source to edited text (0 when
    the model did not expect it in the source either: among its top candidates)."""
    if not queries:
        return []
    from maskaug.model.engine import FillRequest

    requests = []
    for q in queries:
        kind = START if info.is_start[q.target] else CONTINUATION
        requests.append(FillRequest(q.source, [q.source_at], [kind], [False], q.prefix, q.label_id))
        requests.append(FillRequest(q.edited, [q.edited_at], [kind], [False], q.prefix, q.label_id))
    results = engine.predict(requests)
    drops = []
    for i, q in enumerate(queries):
        (ids0, lps0), (ids1, lps1) = results[2 * i][0], results[2 * i + 1][0]
        before = _logprob(ids0, lps0, q.target)
        if before is None:
            drops.append(0.0)
            continue
        after = _logprob(ids1, lps1, q.target)
        if after is None:  # not among the candidates: at most the last one's score
            after = float(lps1[-1]) if len(lps1) else -np.inf
        drops.append(before - after)
    return drops
