"""A page to look at outputs, not JSON: a seeded sample of input rows, each with its outputs, every edit marked
(inserted text highlighted, deleted text struck through) and what the run recorded about each output (method,
score, teacher label and confidence, choice score, any other ``aug_*`` column) and about each short row (the
reason in ``OUT.shortfall.jsonl``). One self-contained HTML file: inline CSS, no script, no external asset.

Edits carry offsets into the source field (``aug_edits``), so each source is rebuilt from its output and its
edits; the page needs nothing but the output file. Given the input (``source``), the page also shows rows that
got no output and checks every rebuilt source against the input row it names."""

from __future__ import annotations

import html
import json
import os
import random
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from maskaug.io.errors import InputError, OutputError
from maskaug.io.readers import Rows
from maskaug.io.writers import write_atomically
from maskaug.marks import Segment, joined_tokens, marks, source_value

GENERATOR = '<meta name="generator" content="maskaug review">'
SHOWN = {"aug_source_row", "aug_method", "aug_seed", "aug_copy", "aug_is_original", "aug_edits", "aug_score",
         "aug_teacher_label", "aug_teacher_confidence"}


# -- reading an output -----------------------------------------------------------------------------------------------
@dataclass
class Output:
    """One output row of the sample: its row number in the file, the row and its marked fields."""

    number: int
    record: dict[str, Any]
    fields: dict[str, list[Segment]]


@dataclass
class Group:
    """One input row of the sample: its source fields, its outputs and, when it fell short, why."""

    key: Any
    sources: dict[str, str | list[str]] = field(default_factory=dict)
    columns: dict[str, Any] = field(default_factory=dict)  # the row's other scalar columns (id, label, ...)
    outputs: list[Output] = field(default_factory=list)
    original: dict[str, Any] | None = None  # the kept original (--keep-original)
    first: int | None = None  # the first output row that names it
    short: dict[str, Any] | None = None

    @property
    def label(self) -> str:
        """``input row 3`` (1-based, as the summary and the shortfall file count rows)."""
        return f"input row {self.key + 1}" if isinstance(self.key, int) else f"source {self.key!r}"


@dataclass
class Review:
    """What the page shows: the file's counts and a sample of its input rows."""

    path: Path
    sample: int
    seed: int
    rows: int = 0
    originals: int = 0
    unedited: int = 0  # outputs that record no edit
    methods: dict[str, list[float]] = field(default_factory=dict)  # method -> [outputs, score sum, scored]
    teacher: list[float] = field(default_factory=lambda: [0, 0.0])  # outputs with a confidence, their sum
    keys: list[Any] = field(default_factory=list)  # every input row named, in order of first appearance
    fields: list[str] = field(default_factory=list)  # every edited field, in order of first appearance
    short: list[dict[str, Any]] = field(default_factory=list)
    rejected: int = 0
    source: Path | None = None
    groups: list[Group] = field(default_factory=list)

    @property
    def outputs(self) -> int:
        """Output rows (kept originals not counted)."""
        return self.rows - self.originals

    def summary(self) -> str:
        """The page in one line, for the terminal."""
        methods = ", ".join(f"{m} {int(c[0])}" for m, c in self.methods.items()) or "no method"
        return (f"{len(self.groups)} of {len(self.keys)} input rows, {self.outputs} outputs ({methods}), "
                f"{len(self.short)} short")


def _key(value: Any) -> Any:
    return value if isinstance(value, (int, str)) and not isinstance(value, bool) else json.dumps(value)


def _rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    for number, rec in enumerate(Rows(path), start=1):
        if "aug_source_row" not in rec:
            raise InputError(path, "no aug_source_row: not an output of maskaug augment (review reads what augment "
                                   "writes: .jsonl, .json, .parquet or a datasets folder)", row=number)
        yield number, rec


def _marked(path: Path, number: int, rec: dict[str, Any]) -> dict[str, list[Segment]]:
    try:
        return marks(rec)
    except ValueError as exc:
        raise InputError(path, str(exc), row=number, field="aug_edits") from None


def _side(path: Path, suffix: str) -> Path:
    return path.with_name(f"{path.name}.{suffix}")


def read_review(output: str | os.PathLike, sample: int = 50, seed: int = 0,
                source: str | os.PathLike | None = None) -> Review:
    """Read an ``augment`` output (and ``OUT.shortfall.jsonl`` / ``OUT.rejected.jsonl`` beside it): its counts in
    one pass, then a seeded sample of ``sample`` input rows with their outputs in a second. A row that is not an
    output, or edits that do not fit its text, is an ``InputError`` naming the file and the row."""
    if sample < 1:
        raise ValueError(f"--sample must be at least 1, got {sample}")
    path = Path(output)
    rv = Review(path, sample, seed, source=Path(source) if source is not None else None)
    seen: set[Any] = set()
    for number, rec in _rows(path):
        rv.rows += 1
        key = _key(rec["aug_source_row"])
        if key not in seen:
            seen.add(key)
            rv.keys.append(key)
        if rec.get("aug_is_original"):
            rv.originals += 1
            continue
        fields = _marked(path, number, rec)
        rv.unedited += not fields
        rv.fields += [f for f in fields if f not in rv.fields]
        counts = rv.methods.setdefault(str(rec.get("aug_method")), [0, 0.0, 0])
        counts[0] += 1
        if isinstance(rec.get("aug_score"), (int, float)):
            counts[1:] = [counts[1] + rec["aug_score"], counts[2] + 1]
        if isinstance(rec.get("aug_teacher_confidence"), (int, float)):
            rv.teacher = [rv.teacher[0] + 1, rv.teacher[1] + rec["aug_teacher_confidence"]]
    shortfall = _side(path, "shortfall.jsonl")
    if shortfall.is_file():
        rv.short = list(Rows(shortfall))
        rv.keys += [k for k in dict.fromkeys(_key(s.get("aug_source_row")) for s in rv.short) if k not in seen]
    rejected = _side(path, "rejected.jsonl")
    if rejected.is_file():
        rv.rejected = sum(1 for _ in Rows(rejected))
    if all(isinstance(k, int) for k in rv.keys):
        rv.keys.sort()  # input order, rows that got no output among them
    chosen = sorted(random.Random(seed).sample(range(len(rv.keys)), min(sample, len(rv.keys))))
    groups = {rv.keys[i]: Group(rv.keys[i]) for i in chosen}
    for number, rec in _rows(path):
        group = groups.get(_key(rec["aug_source_row"]))
        if group is not None:
            _add(path, group, number, rec)
    for s in rv.short:
        if _key(s.get("aug_source_row")) in groups:
            groups[_key(s.get("aug_source_row"))].short = s
    if rv.source is not None:
        _check_sources(rv, groups)
    for group in groups.values():
        if not group.sources and group.original is not None:
            group.sources = _fields_of(group.original, rv.fields)
    rv.groups = list(groups.values())
    return rv


def _add(path: Path, group: Group, number: int, rec: dict[str, Any]) -> None:
    """One output row (or kept original) into its group, its rebuilt sources checked against the group's."""
    if not group.columns:
        group.columns = {k: v for k, v in rec.items() if not k.startswith("aug_") and _scalar(v)}
    if group.first is None:
        group.first = number
    if rec.get("aug_is_original"):
        group.original = rec
        return
    fields = _marked(path, number, rec)
    for name, segments in fields.items():
        value = source_value(segments, isinstance(rec[name], list))
        if group.sources.setdefault(name, value) != value:
            raise InputError(path, f"its edits rebuild a different source {name!r} than row {group.first}'s for the "
                                   f"same aug_source_row {group.key!r} (outputs of two inputs in one file?)",
                             row=number)
    group.outputs.append(Output(number, rec, fields))


def _scalar(v: Any) -> bool:
    return v is None or (isinstance(v, (str, int, float, bool)) and len(str(v)) <= 80)


def _fields_of(row: Mapping[str, Any], fields: Sequence[str]) -> dict[str, Any]:
    """The text (or token) fields of a row that got no output: the fields edited elsewhere in the file, or text."""
    return {f: row[f] for f in (fields or ["text"]) if isinstance(row.get(f), (str, list))}


def _check_sources(rv: Review, groups: dict[Any, Group]) -> None:
    """Each sampled group's rebuilt sources equal the input row its key names; groups without outputs take the
    input row's fields."""
    wanted = {k for k in groups if isinstance(k, int)}
    found = {}
    for i, row in enumerate(Rows(rv.source)):
        if i in wanted:
            found[i] = row
    for key, group in groups.items():
        if key not in found:
            if group.first is not None:
                raise InputError(rv.path, f"aug_source_row {key!r} names no row of {rv.source}", row=group.first)
            continue
        row = found[key]
        for name, value in group.sources.items():
            if row.get(name) != value:
                raise InputError(rv.path, f"its edits rebuild a source {name!r} that differs from {rv.source} row "
                                          f"{key + 1}: is {rv.source} the input of this output?", row=group.first)
        if not group.sources:
            group.sources = _fields_of(row, rv.fields)
        if not group.columns:
            group.columns = {k: v for k, v in row.items() if k not in group.sources and _scalar(v)}


# -- the page ------------------------------------------------------------------------------------------------------
STYLE = (
    "*{box-sizing:border-box}body{font:16px/1.5 system-ui,-apple-system,'Segoe UI',sans-serif;color:#1f2328;"
    "max-width:72rem;margin:0 auto;padding:1.5rem 2rem;background:#fff}"
    "h1{font-size:1.5rem;margin:0 0 .25rem;overflow-wrap:anywhere}h2{font-size:1.05rem;margin:0}"
    "code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.9em;white-space:nowrap}"
    ".facts{color:#57606a;margin:.25rem 0}.wide{overflow-x:auto}"
    "table{border-collapse:collapse;margin:.75rem 0}th,td{border:1px solid #d0d7de;padding:.25rem .6rem;"
    "text-align:right}th:first-child,td:first-child{text-align:left}"
    ".legend{margin:.75rem 0}ins,del{text-decoration-thickness:2px;border-radius:3px;padding:0 1px}"
    "ins{background:#ccf2d6;color:#0b4f1f;text-decoration:none;box-shadow:inset 0 -2px #2da44e}"
    "del{background:#ffdcd7;color:#82071e;text-decoration:line-through}"
    "section{border:1px solid #d0d7de;border-radius:8px;margin:1rem 0;padding:.75rem 1rem}"
    ".cols,.meta{color:#57606a;font-size:.875rem}.short{background:#fff8c5;border-radius:4px;padding:.1rem .4rem;"
    "font-size:.875rem;display:inline-block;margin:.25rem 0}"
    ".text{white-space:pre-wrap;overflow-wrap:anywhere;margin:.15rem 0}"
    ".src{background:#f6f8fa;border-left:3px solid #8c959f;padding:.3rem .6rem;margin:.4rem 0}"
    ".name{font-family:ui-monospace,monospace;font-size:.75rem;color:#57606a;margin-right:.4rem}"
    "ol{margin:.5rem 0 0;padding-left:1.5rem}li{margin:.5rem 0;padding-top:.4rem;border-top:1px dashed #d8dee4}"
    ".method{font-family:ui-monospace,monospace;color:#0969da}.none{color:#57606a;font-style:italic}"
    "details{margin:.5rem 0}summary{cursor:pointer}"
    "@media (max-width:600px){body{padding:.75rem;font-size:15px}section{padding:.5rem .6rem}"
    "ol{padding-left:1.1rem}h1{font-size:1.2rem}}"
)


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _number(v: Any) -> str:
    return f"{v:.4g}" if isinstance(v, float) else _e(v)

def marked_html(segments: Sequence[Segment], tokens: bool = False) -> str:
    """Segments as HTML: ``<ins>`` for inserted text, ``<del>`` for deleted text, everything escaped; tokens
    (``tokens=True``, ``mark_tokens``'s segments) joined by spaces (``joined_tokens``)."""
    segments = joined_tokens(segments) if tokens else segments
    return "".join(_e(t) if k == "same" else f"<{k}>{_e(t)}</{k}>" for k, t in segments)


def _block(name: str | None, inner: str) -> str:
    label = f'<span class="name">{_e(name)}</span>' if name else ""
    return f'<div class="field">{label}<p class="text">{inner}</p></div>'


def _named(group: Group) -> bool:
    """Whether to name each block's field: a pair or QA record, or a field other than ``text``."""
    return list(group.sources) not in ([], ["text"])


def _value(value: str | list[str]) -> str:
    return _e(" ".join(value) if isinstance(value, list) else value)


def _meta(out: Output) -> str:
    rec = out.record
    parts = [f'<span class="method">{_e(rec.get("aug_method"))}</span>', f"copy {_e(rec.get('aug_copy'))}"]
    if rec.get("aug_score") is not None:
        parts.append(f"score {_number(rec['aug_score'])}")
    if "aug_teacher_label" in rec or "aug_teacher_confidence" in rec:
        conf = rec.get("aug_teacher_confidence")
        parts.append(f"teacher <b>{_e(rec.get('aug_teacher_label', '?'))}</b>"
                     + (f" ({_number(conf)})" if conf is not None else ""))
    for k, v in rec.items():
        if k.startswith("aug_") and k not in SHOWN:
            text = v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)
            shown = _number(v) if isinstance(v, float) else _e(text[:80] + ("…" if len(text) > 80 else ""))
            parts.append(f"{_e(k[4:].replace('_', ' '))} {shown}")
    parts.append(f"output row {out.number}")
    return '<div class="meta">' + " · ".join(parts) + "</div>"


def _output(out: Output, named: bool) -> str:
    blocks = [_block(name if named else None, marked_html(segs, isinstance(out.record[name], list)))
              for name, segs in out.fields.items()]
    if not blocks:
        blocks = ['<p class="none">no edits recorded</p>']
    return f"<li>{_meta(out)}{''.join(blocks)}</li>"


def _short(s: Mapping[str, Any]) -> str:
    return (f"{_e(s.get('produced', '?'))} of {_e(s.get('requested', '?'))} outputs: "
            f"{_e(s.get('reason') or 'no reason recorded')}")


def _group(group: Group, rv: Review) -> str:
    anchor = f' id="row-{group.key + 1}"' if isinstance(group.key, int) else ""
    head = f"<h2>{_e(group.label)}</h2>"
    named = _named(group)
    cols = " · ".join(f"{_e(k)} <b>{_e(v)}</b>" for k, v in group.columns.items()
                      if k not in group.sources and k not in rv.fields)
    if cols:
        head += f'<div class="cols">{cols}</div>'
    if group.short is not None:
        head += f'<div class="short">{_short(group.short)}</div>'
    if group.sources:
        src = "".join(_block(name if named else None, _value(value)) for name, value in group.sources.items())
    else:
        hint = "" if rv.source is not None else " (give the input: --source INPUT)"
        src = f'<p class="none">source text not in this file{_e(hint)}</p>'
    outs = "".join(_output(o, named) for o in group.outputs)
    outs = f"<ol>{outs}</ol>" if outs else '<p class="none">no output</p>'
    return f'<section{anchor}>{head}<div class="src">{src}</div>{outs}</section>'


def _header(rv: Review) -> str:
    name = rv.path.name
    lines = [f"<h1>Review of <code>{_e(name)}</code></h1>",
             f'<p class="facts">{_n(rv.rows, "row")}: {_n(rv.outputs, "output")} and '
             f'{_n(rv.originals, "kept original")}, from {_n(len(rv.keys), "input row")}. Shown: {len(rv.groups)}, '
             f"a seeded sample (<code>--sample {rv.sample} --seed {rv.seed}</code>).</p>"]
    if rv.methods:
        head = "<tr><th>method</th><th>outputs</th><th>mean score</th></tr>"
        body = "".join(f"<tr><td><code>{_e(m)}</code></td><td>{int(c[0])}</td>"
                       f"<td>{_number(c[1] / c[2]) if c[2] else '–'}</td></tr>" for m, c in rv.methods.items())
        lines.append(f'<div class="wide"><table>{head}{body}</table></div>')
    notes = []
    if rv.teacher[0]:
        notes.append(f"{_n(int(rv.teacher[0]), 'output')} with a teacher label, mean confidence "
                     f"{rv.teacher[1] / rv.teacher[0]:.3f}.")
    if rv.unedited:
        notes.append(f"{_n(rv.unedited, 'output')} with no edit recorded.")
    if rv.short:
        missing = sum(s.get("requested", 0) - s.get("produced", 0) for s in rv.short
                      if isinstance(s.get("requested"), int) and isinstance(s.get("produced"), int))
        notes.append(f"{_n(len(rv.short), 'input row')} got fewer outputs than asked ({missing} missing; reasons in "
                     f"<code>{_e(_side(rv.path, 'shortfall.jsonl').name)}</code>).")
    if rv.rejected:
        notes.append(f"{_n(rv.rejected, 'bad input row')} set aside in "
                     f"<code>{_e(_side(rv.path, 'rejected.jsonl').name)}</code>.")
    if notes:
        lines.append(f'<p class="facts">{" ".join(notes)}</p>')
    if rv.short:
        items = "".join(f"<li>{_e(Group(_key(s.get('aug_source_row'))).label)}: {_short(s)}</li>"
                        for s in rv.short[:200])
        more = f"<p>… and {len(rv.short) - 200} more</p>" if len(rv.short) > 200 else ""
        lines.append(f"<details><summary>Every short row</summary><ul>{items}</ul>{more}</details>")
    lines.append('<p class="legend">Each input row shows its source (grey bar), then its outputs with every edit '
                 "marked: <ins>inserted text</ins>, <del>deleted text</del>.</p>")
    return "<header>" + "".join(lines) + "</header>"


def render(rv: Review) -> str:
    """The review as one self-contained HTML page (inline CSS, no script), every text escaped."""
    body = "".join(_group(g, rv) for g in rv.groups) or '<p class="none">no rows to show</p>'
    return ('<!doctype html><html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"{GENERATOR}<title>maskaug review: {_e(rv.path.name)}</title><style>{STYLE}</style></head>"
            f"<body>{_header(rv)}<main>{body}</main></body></html>\n")


# -- writing it -----------------------------------------------------------------------------------------------------
def default_page(output: str | os.PathLike) -> Path:
    """``OUT.review.html`` beside ``OUT``."""
    return _side(Path(output), "review.html")


def check_page(page: str | os.PathLike, keep: Sequence[str | os.PathLike] = ()) -> None:
    """Refuse, in one line, a page path that is one of ``keep`` (the output, its side files, the input) or lies
    inside one, or an existing file that maskaug review did not write (a page it wrote is replaced)."""
    page = Path(page)
    target = page.resolve()
    for other in keep:
        o = Path(other).resolve()
        if target == o or o in target.parents:
            what = "is the output it reviews, a side file or the input" if target == o else f"lies inside {other}"
            raise OutputError(page, f"{what}; write the review page elsewhere")
    if page.is_dir():
        raise OutputError(page, "is a folder; name the review page's file (-o review.html)")
    if page.exists():
        try:
            with open(page, encoding="utf-8", errors="replace") as fh:
                ours = GENERATOR in fh.read(2000)
        except OSError:
            ours = False
        if not ours:
            raise OutputError(page, "exists and is not a page maskaug review wrote; it is not replaced: choose "
                                    "another path")


def write_review(output: str | os.PathLike, page: str | os.PathLike | None = None, sample: int = 50, seed: int = 0,
                 source: str | os.PathLike | None = None) -> Review:
    """Write the review page of ``output`` (default ``OUT.review.html``) and return what it shows."""
    page = Path(page) if page is not None else default_page(output)
    keep = [output, _side(Path(output), "shortfall.jsonl"), _side(Path(output), "rejected.jsonl")]
    check_page(page, keep + ([source] if source is not None else []))
    rv = read_review(output, sample=sample, seed=seed, source=source)
    text = render(rv)
    write_atomically(page, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    return rv
