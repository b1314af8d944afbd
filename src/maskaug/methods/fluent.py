"""Rules that keep an edited sentence a sentence, shared by the methods that insert or replace words.

- **No twin neighbours** (``repeats=False``): a fill never equals, case-insensitively, the word right before
  or right after it ("not not", "computer computer").
- **No echoes** (``echoes=False``): a fill never repeats, case-insensitively, a word the text already has or
  another fill of the same output ("alive and well and well").
- **No stacking** (``stacking=False``): a new word is refused when WordNet relates it to the word right before or
  after it: one sense shared, or one within two hypernym / similar-to steps of the other ("currency money", "movie
  film", "psychological mental").
- **Modifiers only** (``modifiers_only=True``, insertions): a word added to a finished sentence can only modify
  something, so a new word that WordNet knows only as a noun or a verb is refused ("the population city", "the
  statue art of liberty", "going"). Words WordNet does not know pass.
- **The closing check** (``closing_drop``): a new word right before the punctuation that closes a clause
  (``.``, ``?``, ``,``, ``)``) is kept only if the masked LM still expects that punctuation there. The
  punctuation is masked twice, in the source and in the edited text; when its log-probability falls by more
  than ``closing_drop`` nats the new word left the clause unfinished ("performances were .", "Who was
  Galileo the ?") and the edit is dropped. No word list: the model's own scores decide, in one extra batched
  pass over the slots that sit before closing punctuation.
- **The context check** (``context_drop``): the words within ``context`` words of a new word (letters or digits,
  not themselves edited) are masked one at a time, all of a word's pieces at once, in the source and in the edited
  text. When together they lose more than ``context_drop`` nats, the new word does not fit among them ("How wide
  long is", "no small large amount", "The acting man alone") and the edit is dropped. A local pseudo-log-likelihood
  of the output against the source: the model's own scores decide, no word list.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from maskaug.model.vocab import CONTINUATION, START, TokenizerInfo
from maskaug.text import normalize

if TYPE_CHECKING:
    from maskaug.model.engine import FillEngine


def neighbour_forms(before: str | None, after: str | None) -> tuple[str, ...]:
    """The normalised words next to a slot (an edge, None, has none): a fill equal to one is a twin."""
    return tuple(normalize(w) for w in (before, after) if w is not None)


def twin(form: str | None, before: str | None, after: str | None) -> bool:
    """Whether a fill's normalised ``form`` equals the word before or after it."""
    return form is not None and form in neighbour_forms(before, after)


def _senses(word: str):
    from maskaug.methods.eda import wordnet

    return set(wordnet().synsets(word))


def _near(senses: set, steps: int = 2) -> set:
    """``senses`` and every sense within ``steps`` hypernym or similar-to links above them."""
    out, frontier = set(senses), set(senses)
    for _ in range(steps):
        frontier = {h for s in frontier for h in s.hypernyms() + s.instance_hypernyms() + s.similar_tos()}
        out |= frontier
    return out


@lru_cache(maxsize=65536)
def related(a: str, b: str) -> bool:
    """Whether WordNet relates two words: the same word, a shared sense, or a sense of one within two hypernym or
    similar-to steps of a sense of the other. Words WordNet does not know are unrelated."""
    a, b = normalize(a), normalize(b)
    if not a or not b:
        return False
    if a == b:
        return True
    sa, sb = _senses(a), _senses(b)
    if not sa or not sb:
        return False
    return bool(sa & sb) or bool(_near(sa) & sb) or bool(_near(sb) & sa)


@lru_cache(maxsize=65536)
def modifier(form: str) -> bool:
    """Whether a word can modify: WordNet has an adjective or adverb sense of it, or does not know it."""
    kinds = {s.pos() for s in _senses(form)} if form else set()
    return not kinds or bool(kinds & {"a", "s", "r"})


def stacked(form: str, before: str | None, after: str | None) -> bool:
    """Whether a new word ``form`` is WordNet-related to the word before or after it (``related``)."""
    words = ("".join(c for c in w if c.isalnum() or c in "-'") for w in (before, after) if w is not None)
    return any(related(form, w) for w in words)


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


def _requests(info: TokenizerInfo, queries: Sequence[ClosingQuery], side: str) -> list:
    from maskaug.model.engine import FillRequest

    out = []
    for q in queries:
        kind = START if info.is_start[q.target] else CONTINUATION
        ids, at = (q.source, q.source_at) if side == "source" else (q.edited, q.edited_at)
        out.append(FillRequest(ids, [at], [kind], [False], q.prefix, q.label_id))
    return out


def _after(cand, target: int) -> float:
    """The edited text's log-probability of the punctuation; when it is not among the candidates, at most the
    last candidate's."""
    ids, lps = cand
    hit = _logprob(ids, lps, target)
    if hit is not None:
        return hit
    return float(lps[-1]) if len(lps) else -np.inf


def closing_drops(engine: FillEngine, info: TokenizerInfo, queries: Sequence[ClosingQuery]) -> list[float]:
    """Per query, how many nats the closing punctuation's log-probability fell from source to edited text (0 when
    the model did not expect it in the source either: among its top candidates)."""
    if not queries:
        return []
    # the source's half of a check is the same on every attempt and copy of a row: answered from memory
    results = engine.predict(_requests(info, queries, "source") + _requests(info, queries, "edited"),
                             remember=[True] * len(queries) + [False] * len(queries))
    drops = []
    for q, source, edited in zip(queries, results[: len(queries)], results[len(queries):]):
        before = _logprob(*source[0], q.target)
        drops.append(0.0 if before is None else before - _after(edited[0], q.target))
    return drops


def closing_failures(engine: FillEngine, info: TokenizerInfo, queries: Sequence[ClosingQuery],
                     limits: Sequence[float]) -> list[bool]:
    """Per query, whether the punctuation fell by more than its limit (``closing_drops(...)[i] > limits[i]``),
    asking the model less: a log-probability is at most 0, so an edited text that keeps the punctuation at
    ``-limit`` or above passes whatever the source said, and only the other queries read the source."""
    if not queries:
        return []
    edited = [_after(r[0], q.target) for q, r in zip(queries, engine.predict(_requests(info, queries, "edited")))]
    unsure = [i for i, (after, limit) in enumerate(zip(edited, limits)) if after < -limit]
    failed = [False] * len(queries)
    sources = engine.predict(_requests(info, [queries[i] for i in unsure], "source"), remember=True)
    for i, source in zip(unsure, sources):
        before = _logprob(*source[0], queries[i].target)
        failed[i] = (0.0 if before is None else before - edited[i]) > limits[i]
    return failed


@dataclass
class ContextQuery:
    """One word near an edit: the source's and the edited text's piece ids with that word's pieces masked at
    ``*_at``; ``targets`` are its pieces."""

    source: list[int]
    source_at: list[int]
    edited: list[int]
    edited_at: list[int]
    targets: list[int]
    prefix: tuple[int, ...] = ()
    label_id: int | None = None


def _pieces_logprob(cands, targets: Sequence[int]) -> float:
    """The summed log-probability of a word's pieces, each at most its last candidate's when not ranked."""
    return sum(_after(c, t) for c, t in zip(cands, targets))


def context_drops(engine: FillEngine, info: TokenizerInfo, queries: Sequence[ContextQuery]) -> list[float]:
    """Per query, how many nats the word lost from source to edited text (0 when it gained). A piece the model does
    not rank among its candidates counts at most the last candidate's log-probability, on both sides."""
    if not queries:
        return []
    from maskaug.model.engine import FillRequest, request_key

    def request(ids, at, q):
        kinds = [START if info.is_start[t] else CONTINUATION for t in q.targets]
        return FillRequest(ids, list(at), kinds, [False] * len(at), q.prefix, q.label_id)

    # the source's half is the same on every attempt and copy of a row: answered from memory
    source = engine.predict([request(q.source, q.source_at, q) for q in queries], remember=True)
    # a word next to two fills of one output is the same question for both: asked once
    requests = [request(q.edited, q.edited_at, q) for q in queries]
    first: dict[tuple, int] = {}
    asked = [first.setdefault(request_key(r), i) for i, r in enumerate(requests)]
    unique = sorted(set(asked))
    answers = dict(zip(unique, engine.predict([requests[i] for i in unique])))
    edited = [answers[i] for i in asked]
    return [max(0.0, _pieces_logprob(s, q.targets) - _pieces_logprob(e, q.targets))
            for q, s, e in zip(queries, source, edited)]
