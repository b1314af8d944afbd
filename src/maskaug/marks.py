"""Edits marked in an output: which text is unchanged, deleted or inserted. ``aug_edits`` carry offsets into the
source field, so an output and its edits give back the source; ``maskaug review`` shows both from these pieces."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

Segment = tuple[str, str]  # ("same" | "del" | "ins", text or one token)


def _int(e: Mapping[str, Any], key: str) -> int:
    v = e.get(key)
    if not isinstance(v, int) or isinstance(v, bool) or v < 0:
        raise ValueError(f"edit {_show(e)}: {key} is not an offset")
    return v


def _show(e: Mapping[str, Any]) -> str:
    return json.dumps(e, ensure_ascii=False)[:120]


def mark_text(output: str, edits: Sequence[Mapping[str, Any]]) -> list[Segment]:
    """An output text cut into unchanged, deleted and inserted pieces by its edits (``{start, end, old, new}``,
    offsets into the source text). The pieces other than ``del`` join to ``output``, those other than ``ins`` to
    the source. Raises ``ValueError`` when the edits do not fit the text."""
    spans = []
    for e in edits:
        start, end, old, new = _int(e, "start"), _int(e, "end"), e.get("old"), e.get("new")
        if not isinstance(old, str) or not isinstance(new, str) or end - start != len(old):
            raise ValueError(f"edit {_show(e)}: old and new must be text, old as long as end - start")
        spans.append((start, end, old, new))
    segments: list[Segment] = []
    pos = shift = last = 0  # in the output; output offset minus source offset; end of the last edit in the source
    for start, end, old, new in sorted(spans, key=lambda s: (s[0], s[1])):
        at = start + shift
        if start < last or output[at:at + len(new)] != new:
            raise ValueError(f"edit {start}:{end} {old!r} -> {new!r} does not fit the output text")
        if at > pos:
            segments.append(("same", output[pos:at]))
        segments += [(kind, t) for kind, t in (("del", old), ("ins", new)) if t]
        pos, shift, last = at + len(new), shift + len(new) - len(old), end
    if pos < len(output):
        segments.append(("same", output[pos:]))
    return segments


def mark_tokens(output: Sequence[str], edits: Sequence[Mapping[str, Any]]) -> list[Segment]:
    """An output token list as one segment per token, for token/tag records' edits (``{token, old, new}`` for one
    token, ``{tokens: [i, end], old: [...], new: [...]}`` for a run; indices into the source tokens)."""
    spans = []
    for e in edits:
        if "token" in e:
            i = _int(e, "token")
            end, old, new = i + 1, [e.get("old")], [e.get("new")]
        else:
            run = e.get("tokens")
            if not isinstance(run, list) or len(run) != 2:
                raise ValueError(f"edit {_show(e)}: a token edit names token or tokens [i, end]")
            i, end = _int({"i": run[0]}, "i"), _int({"end": run[1]}, "end")
            old, new = e.get("old"), e.get("new")
        if not all(isinstance(v, list) and all(isinstance(t, str) for t in v) for v in (old, new)) \
                or end - i != len(old):
            raise ValueError(f"edit {_show(e)}: old and new must be tokens, old as many as the edit covers")
        spans.append((i, end, old, new))
    segments: list[Segment] = []
    pos = shift = last = 0
    for i, end, old, new in sorted(spans, key=lambda s: (s[0], s[1])):
        at = i + shift
        if i < last or list(output[at:at + len(new)]) != new:
            raise ValueError(f"edit of tokens {i}:{end} {old} -> {new} does not fit the output tokens")
        segments += [("same", t) for t in output[pos:at]] + [("del", t) for t in old] + [("ins", t) for t in new]
        pos, shift, last = at + len(new), shift + len(new) - len(old), end
    return segments + [("same", t) for t in output[pos:]]


def output_of(segments: Sequence[Segment]) -> str:
    """The output text of ``mark_text``'s segments (the marks removed)."""
    return "".join(t for kind, t in segments if kind != "del")


def source_of(segments: Sequence[Segment]) -> str:
    """The source text of ``mark_text``'s segments (the edits undone)."""
    return "".join(t for kind, t in segments if kind != "ins")


def marks(record: Mapping[str, Any]) -> dict[str, list[Segment]]:
    """Each field an output row's ``aug_edits`` name, marked (``mark_text`` or ``mark_tokens``)."""
    edits = record.get("aug_edits") or []
    if not isinstance(edits, list) or not all(isinstance(e, Mapping) for e in edits):
        raise ValueError("aug_edits is not a list of edits (a CSV or TSV output keeps them as text: review a .jsonl, "
                         ".json or .parquet output)")
    by_field: dict[str, list[Mapping[str, Any]]] = {}
    for e in edits:
        by_field.setdefault(e.get("field"), []).append(e)
    out = {}
    for name, mine in by_field.items():
        value = record.get(name) if isinstance(name, str) else None
        if isinstance(value, str):
            out[name] = mark_text(value, mine)
        elif isinstance(value, list) and all(isinstance(t, str) for t in value):
            out[name] = mark_tokens(value, mine)
        else:
            raise ValueError(f"an edit names field {name!r}, which the row has no text or tokens in")
    return out


def source_value(segments: Sequence[Segment], tokens: bool = False) -> str | list[str]:
    """The source a field's segments undo to: text, or ``mark_tokens``'s tokens (``tokens=True``)."""
    return [t for kind, t in segments if kind != "ins"] if tokens else source_of(segments)


def joined_tokens(segments: Sequence[Segment]) -> list[Segment]:
    """``mark_tokens``'s segments as text segments of the tokens joined by spaces: each space goes with the text
    that has it (both, only the output, only the source), so the marks still remove to the output's tokens joined
    and undo to the source's. A replacement's space is shared: ``was <del>great</del><ins>fine</ins> in``."""
    out: list[Segment] = []
    need = {"ins": False, "del": False}  # whether the output / the source needs a space before its next token
    for j, (kind, token) in enumerate(segments):
        mine = ("ins", "del") if kind == "same" else (kind,)
        if kind == "del" and all(need.values()) and _replaced(segments, j):
            sep, need["ins"] = "same", False  # the space before the replacement, in both texts
        else:
            wanted = [s for s in mine if need[s]]
            sep = None if not wanted else "same" if len(wanted) == 2 else wanted[0]
        for k, t in ((sep, " "), (kind, token)):
            if k is not None and out and out[-1][0] == k:
                out[-1] = (k, out[-1][1] + t)
            elif k is not None:
                out.append((k, t))
        need.update(dict.fromkeys(mine, True))
    return out


def _replaced(segments: Sequence[Segment], j: int) -> bool:
    """Whether the change starting at ``segments[j]`` inserts tokens too (a replacement)."""
    while j < len(segments) and segments[j][0] != "same":
        if segments[j][0] == "ins":
            return True
        j += 1
    return False
