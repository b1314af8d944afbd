"""Token-and-tag (NER) records: written out as one text for the masked LM, and mapped back.

A record is a list of tokens with one BIO tag each. It becomes the text ``" ".join(tokens)`` (with
MELM's entity markers around each entity token when the model was fine-tuned with them), plus the
character spans the masker must leave alone:

* ``where="context"`` (every method but MELM): entity tokens are protected, so entities stay
  byte-exact and only the words around them change;
* ``where="entities"`` (MELM, Zhou et al. 2022): everything but entity tokens is protected, so only
  entities change, and the markers tell the model which entity type to write.

Fills are single vocabulary pieces without whitespace (see :mod:`maskaug.methods.mask_fill`) placed
inside one word, so every edit lies inside one token: the output has the same number of tokens, and
each keeps its tag. :func:`realign` checks that and maps edits back to tokens.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from maskaug.splice import Edit

OUTSIDE = "O"
WHERE = ("context", "entities")


def is_entity(tag: str) -> bool:
    return tag != OUTSIDE


@dataclass
class Linearized:
    """A record as text: where each original token sits, and what may not be masked."""

    text: str
    spans: list[tuple[int, int]]  # character span of each original token in ``text``
    protected: list[tuple[int, int]]


def linearize(tokens: Sequence[str], tags: Sequence[str], where: str = "context",
              markers: dict[str, str] | None = None) -> Linearized:
    """Join ``tokens`` with spaces; ``markers`` (tag -> marker token) go before and after each entity token."""
    if where not in WHERE:
        raise ValueError(f"where must be one of {WHERE}, not {where!r}")
    parts: list[str] = []
    spans: list[tuple[int, int]] = []
    protected: list[tuple[int, int]] = []
    pos = 0

    def put(s: str) -> tuple[int, int]:
        nonlocal pos
        if parts:
            parts.append(" ")
            pos += 1
        parts.append(s)
        pos += len(s)
        return pos - len(s), pos

    for token, tag in zip(tokens, tags):
        marker = markers.get(tag) if markers and is_entity(tag) else None
        if marker:
            protected.append(put(marker))
        span = put(token)
        spans.append(span)
        if is_entity(tag) == (where == "context"):
            protected.append(span)
        if marker:
            protected.append(put(marker))
    return Linearized("".join(parts), spans, protected)


def realign(lin: Linearized, tokens: Sequence[str], edits: Sequence[Edit]) -> tuple[list[str], list[dict[str, Any]]]:
    """The output's tokens (one per input token) and its edits as ``{token, old, new}``."""
    new = list(tokens)
    by_token: dict[int, list[Edit]] = {}
    for e in edits:
        i = next((i for i, (s, t) in enumerate(lin.spans) if s <= e.start and e.end <= t), None)
        if i is None or any(c.isspace() for c in e.new):
            raise RuntimeError(f"an edit {e.old!r} -> {e.new!r} at {e.start}:{e.end} does not stay inside one token")
        by_token.setdefault(i, []).append(e)
    changes = []
    for i, mine in sorted(by_token.items()):
        start = lin.spans[i][0]
        token = tokens[i]
        for e in sorted(mine, key=lambda e: e.start, reverse=True):
            token = token[: e.start - start] + e.new + token[e.end - start:]
        if token != tokens[i]:
            if not token:
                raise RuntimeError(f"token {i} ({tokens[i]!r}) became empty")
            new[i] = token
            changes.append({"field": "tokens", "token": i, "old": tokens[i], "new": token})
    return new, changes


def check_record(path: Any, row_no: int, row: dict[str, Any], tokens_column: str, tags_column: str,
                 tag_set: Sequence[str] | None = None) -> None:
    """One clear error for a malformed token/tag record (file, 1-based row, field)."""
    from maskaug.io import InputError

    tokens, tags = row.get(tokens_column), row.get(tags_column)
    for name, value in ((tokens_column, tokens), (tags_column, tags)):
        if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
            raise InputError(path, f"expected a list of strings, got {type(value).__name__}", row=row_no, field=name)
    if not tokens:
        raise InputError(path, "no tokens", row=row_no, field=tokens_column)
    if len(tokens) != len(tags):
        raise InputError(path, f"{len(tokens)} tokens but {len(tags)} tags", row=row_no, field=tags_column)
    for j, t in enumerate(tokens):
        if not t or any(c.isspace() for c in t):
            raise InputError(path, f"token {j} ({t!r}) is empty or contains whitespace", row=row_no,
                             field=tokens_column)
    if tag_set is not None:
        unknown = sorted({t for t in tags if is_entity(t)} - set(tag_set))
        if unknown:
            raise InputError(path, f"tags {unknown} are not ones the model was fine-tuned on ({', '.join(tag_set)})",
                             row=row_no, field=tags_column)


def where_for(method: Any) -> str:
    """MELM changes entities; every other method changes the words around them."""
    return "entities" if getattr(method, "requires", None) == "melm" else "context"


def augment_tagged(aug, records: Sequence[tuple[Sequence[str], Sequence[str]]], row_ids: Sequence[Any] | None = None):
    """Yield ``(row_id, [(new_tokens, token_edits, augmentation), ...])`` per ``(tokens, tags)`` record.

    ``aug`` is an :class:`~maskaug.augmenter.Augmenter`; its model's MELM markers (if it was fine-tuned
    with ``--conditioning melm``) are written around entity tokens. Tags of an output are the input's.
    """
    if getattr(getattr(aug.method, "masker", None), "unit", None) == "insert":
        raise ValueError("insertion adds tokens without tags; use a substituting method on token/tag records")
    cond = aug.mlm.conditioning
    markers = cond.label_tokens if cond is not None and cond.kind == "melm" else None
    where = where_for(aug.method)
    if where == "entities" and markers is None:
        raise ValueError(f"{aug.method.name} needs a model fine-tuned with `maskaug finetune --conditioning melm`")
    lins = [linearize(toks, tags, where, markers) for toks, tags in records]
    ids = list(row_ids) if row_ids is not None else list(range(len(lins)))
    stream = aug.iter_rows(({"text": lin.text} for lin in lins), ids, total=len(lins),
                           protected=({"text": lin.protected} for lin in lins))
    for (rid, outs), lin, (toks, _tags) in zip(stream, lins, records):
        yield rid, [(*realign(lin, toks, a.edits), a) for a in outs]


def to_tagged_records(row: dict[str, Any], row_id: Any, outputs: list, tokens_column: str, keep_original: bool,
                      method: str, seed: int) -> list[dict[str, Any]]:
    """Output rows: the input's columns with new tokens (tags unchanged) plus ``aug_*`` provenance."""
    from maskaug.augmenter import provenance

    out = [{**row, **provenance(row_id, method, seed)}] if keep_original else []
    for tokens, edits, a in outputs:
        out.append({**row, tokens_column: tokens, **provenance(row_id, a.method, a.seed, a.copy, edits, a.score,
                                                               a.extra)})
    return out


def marker_tokens(tags: Sequence[str]) -> dict[str, str]:
    from maskaug.conditioning import Conditioning

    return {t: Conditioning.token_for(t) for t in tags}


def finetune_melm(records: Sequence[tuple[Sequence[str], Sequence[str]]], output, rate: float = 0.7, **kwargs: Any):
    """MELM fine-tuning (Zhou et al. 2022): entity tokens between entity-type markers, and only their pieces
    drawn for prediction (``rate`` of them, BERT's 80/10/10). ``kwargs`` go to :func:`maskaug.finetune.finetune`."""
    from maskaug.finetune import finetune

    tags = sorted({t for _, ts in records for t in ts if is_entity(t)})
    if not tags:
        raise ValueError("MELM fine-tuning needs records with entity tags (anything but O)")
    markers = marker_tokens(tags)
    lins = [linearize(toks, ts, "entities", markers) for toks, ts in records]
    maskable = [[lin.spans[i] for i, t in enumerate(ts) if is_entity(t)] for lin, (_, ts) in zip(lins, records)]
    return finetune([lin.text for lin in lins], None, output, "melm", classes=tags, maskable=maskable, rate=rate,
                    **kwargs)
