"""The run stage every entry point shares: rows → record views → augmenter → output rows with provenance.

``Pipeline`` takes ``(index, row id, row)`` items in input order and yields one ``RowResult`` per
row, in the same order: its output rows (the kept original first, when asked), how many outputs it got of
``n`` and, when short, why; or, for a bad row under ``skip_bad``, the field and the problem. The CLI job
(``maskaug.job``), the Python API (``maskaug.api``), the Ray driver (``maskaug.distributed``) and
``maskaug evaluate`` all produce their rows here.

Before any row, ``bind`` decides once what the rows are (their record type, label column and the labels a
label-conditioned model knows) and refuses a method, model or constraint that does not fit them; ``scan``
checks every row (file, row and field named) and feeds what is learnt from the whole input (label words, the
teacher's training rows). The file job and ``augment_records`` — the entry for rows held in memory (the
Python API, ``map_function``, ``maskaug evaluate``) — share both.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from maskaug.io.checks import label_problem
from maskaug.io.errors import InputError
from maskaug.records.base import Options, RecordType, View

if TYPE_CHECKING:  # the checks (bind, scan) run before PyTorch is imported; the augmenter imports it
    from maskaug.augmenter import Augmentation, Augmenter


@dataclass
class RowResult:
    """What the run stage made of one input row (or why it was set aside)."""

    index: int  # position in the input (0-based)
    row_id: Any
    row: dict[str, Any]
    records: list[dict[str, Any]]
    requested: int = 0
    produced: int = 0
    reason: str | None = None  # why fewer than requested
    rejected: tuple[str, str] | None = None  # (field, problem) of a row set aside
    outputs: list[Augmentation] | None = None

    def entry(self) -> dict[str, Any]:
        """This row as a line of the partial file (``maskaug.checkpoint``)."""
        if self.rejected is not None:
            return {"row": self.index, "rejected": {"field": self.rejected[0], "reason": self.rejected[1],
                                                   "record": self.row}}
        out = {"row": self.index, "id": self.row_id, "records": self.records, "requested": self.requested,
               "produced": self.produced}
        if self.reason:
            out["reason"] = self.reason
        return out


class RowError(ValueError):
    """A bad row when bad rows are not set aside: its 0-based index, the field and the problem."""

    def __init__(self, index: int, field: str, problem: str):
        self.index, self.field, self.problem = index, field, problem
        super().__init__(f"row {index + 1}, field {field!r}: {problem}")


def provenance(row_id: Any, method: str, seed: int, copy: int = -1, edits: list[dict] | None = None,
               score: float | None = None, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """The ``aug_*`` columns of one output row; ``copy=-1`` marks the kept original."""
    return {"aug_source_row": row_id, "aug_method": method, "aug_seed": seed, "aug_copy": copy,
            "aug_is_original": copy < 0, "aug_edits": list(edits or []), "aug_score": score,
            **{f"aug_{k}": v for k, v in (extra or {}).items()}}


def output_records(record: RecordType, row_id: Any, row: dict[str, Any], view: View, outs: list[Augmentation],
                   method: str, seed: int, keep_original: bool) -> list[dict[str, Any]]:
    """Output rows for one input row: the kept original (when asked), then one per augmentation."""
    recs = [{**row, **provenance(row_id, method, seed)}] if keep_original else []
    for a in outs:
        rebuilt, edits = record.rebuild(row, view, a.texts, a.edits)
        recs.append({**rebuilt, **provenance(row_id, a.method, a.seed, a.copy, edits, a.score, a.extra)})
    return recs


def label_view(record: RecordType, row: dict[str, Any], label_column: str | None, salience) -> View:
    """The record's view of ``row``, with the row's label words (``maskaug.salience``) added to the spans the
    masker leaves alone."""
    view = record.view(row)
    if salience is not None and label_column is not None:
        for f, text in view.texts.items():
            spans = salience.label_words(text, row[label_column])
            if spans:
                view.protected[f] = list(view.protected.get(f, [])) + spans
    return view


def row_problem(record: RecordType, row: dict[str, Any], label_column: str | None,
                labels: Iterable[str] | None = None) -> tuple[str, str] | None:
    """``(field, problem)`` for a row the job cannot take, or None."""
    problem = record.check(row)
    if problem is None and label_column is not None:
        p = label_problem(row.get(label_column))
        if p is None and labels is not None and str(row[label_column]) not in labels:
            p = f"label {row[label_column]!r} is not one the model was fine-tuned on ({', '.join(labels)})"
        problem = (label_column, p) if p else None
    return problem


class Pipeline:
    """One augmenter over rows of one record type."""

    def __init__(self, augmenter: Augmenter, record: RecordType, label_column: str | None = None,
                 keep_original: bool = False, known_labels: list[str] | None = None, salience=None):
        self.aug, self.record = augmenter, record
        self.label_column, self.keep_original = label_column, keep_original
        self.known_labels = known_labels
        self.salience = salience  # a maskaug.salience.Salience: each row's label words are kept

    def __repr__(self) -> str:
        return f"Pipeline({self.record!r}, label={self.label_column}, keep_original={self.keep_original})"

    @property
    def report(self):
        """The augmenter's ``Report`` (what the run made, how fast, what fell short)."""
        return self.aug.report

    def records(self, row_id: Any, row: dict[str, Any], view: View, outs: list[Augmentation]) -> list[dict]:
        """The output rows of one input row (the kept original first, when asked)."""
        return output_records(self.record, row_id, row, view, outs, self.aug.method.name, self.aug.seed,
                              self.keep_original)

    def run(self, items: Iterable[tuple[int, Any, dict[str, Any]]], skip_bad: bool = False,
            total: int | None = None) -> Iterator[RowResult]:
        """``RowResult`` per ``(index, row id, row)``, in input order."""
        queue: deque = deque()  # rows read but not yet finished: (index, row id, row, view or problem)
        done: list[RowResult] = []

        def good_rows() -> Iterator[tuple[Any, View, Any]]:
            for index, row_id, row in items:
                problem = row_problem(self.record, row, self.label_column, self.known_labels)
                if problem is not None:
                    if not skip_bad:
                        raise RowError(index, *problem)
                    result = RowResult(index, row_id, row, [], rejected=problem)
                    if queue:
                        queue.append((index, row_id, row, result))
                    else:  # nothing earlier is pending: it is finished now, in order
                        done.append(result)
                    continue
                view = label_view(self.record, row, self.label_column, self.salience)
                queue.append((index, row_id, row, view))
                yield row_id, view, label_of(row)

        label_of = (lambda row: row[self.label_column]) if self.label_column else (lambda row: None)
        stream = self.aug.iter_items(((rid, view.texts, view.protected, label) for rid, view, label in good_rows()),
                                     total=total, labelled=self.label_column is not None, judge=self.record.judged)
        yield from done
        done.clear()
        for rid, outs in stream:
            yield from done
            done.clear()
            while True:
                index, row_id, row, item = queue.popleft()
                if isinstance(item, RowResult):
                    yield item
                    continue
                break
            recs = self.records(row_id, row, item, outs)
            n = self.aug.n
            reason = self.aug.shortfall_reason(rid) if len(outs) < n else None
            yield RowResult(index, row_id, row, recs, n, len(outs), reason, outputs=outs)
        yield from done
        while queue:
            yield queue.popleft()[3]


@dataclass
class Binding:
    """What a run decides once, before any row: the record type, the label column, the labels a label-conditioned
    model was fine-tuned on, and that model's conditioning."""

    record: RecordType
    label_column: str | None = None
    known_labels: list[str] | None = None
    conditioning: Any = None


def bind(first_row: dict[str, Any] | None, options: Options, method: Any, conditioning: Any,
         label_column: str | None, constraint_names: Sequence[str] = (), teacher: bool = False,
         model_name: str | None = None) -> Binding:
    """The record type of rows like ``first_row`` bound to ``method`` and the model's ``conditioning``, or a
    one-line ValueError when they do not fit. ``teacher``: a teacher reads the rows' labels (the default label
    column is then ``label``)."""
    from maskaug.conditioning import check_fits
    from maskaug.records import detect

    record = detect(first_row, options)
    caps = method.capabilities
    why = record.accepts(caps, list(constraint_names))
    if why:
        raise ValueError(f"{method.name}: {why}")
    check_fits(method, conditioning, model_name)
    record.bind(caps, conditioning)
    row_label = conditioning is not None and conditioning.uses_row_label
    label = label_column or (conditioning.label_column if row_label else None)
    if teacher and not label:
        label = "label"
    if label and not record.sentence_label and "teacher" in constraint_names:
        raise ValueError("the teacher judges sentence labels; these records have none")
    return Binding(record, label, list(conditioning.labels) if row_label else None, conditioning)


def wants_label_words(label_words: bool | None, binding: Binding, method: Any) -> bool:
    """Whether each row's label words are kept: as asked, or by default whenever rows have a sentence label, the
    method may change any word and the model is not conditioned on the label already."""
    if label_words is not None:
        return bool(label_words) and binding.label_column is not None
    cond = binding.conditioning
    return (binding.label_column is not None and binding.record.sentence_label
            and method.capabilities.edits == "any" and not (cond is not None and cond.uses_row_label))


def scan(rows: Iterable[dict[str, Any]], binding: Binding, path: str | Path, skip_bad: bool, salience=None,
         teacher_data: tuple[list, list] | None = None,
         see: Callable[[int, dict[str, Any]], None] | None = None) -> tuple[int, int]:
    """One pass over ``rows``: ``(rows, bad rows)``. The first bad row raises an ``InputError`` naming the file,
    row and field, unless ``skip_bad``; each good row feeds ``salience`` (label words) and ``teacher_data``
    (texts, labels) and is shown to ``see(row number, row)``."""
    record, label = binding.record, binding.label_column
    count = bad = 0
    for i, row in enumerate(rows):
        count += 1
        if i == 0:
            missing = [c for c in [*record.columns(), *([label] if label else [])] if c not in row]
            if missing:
                raise InputError(path, f"no such column; columns are {sorted(row)}", field=missing[0])
        problem = row_problem(record, row, label, binding.known_labels)
        if problem is not None:
            if not skip_bad:
                raise InputError(path, problem[1] + " (use --skip-bad-rows to set such rows aside)", row=i + 1,
                                 field=problem[0])
            bad += 1
            continue
        if see is not None:
            see(i + 1, row)
        if teacher_data is not None or salience is not None:
            judged = record.judged(record.view(row).texts)
            if teacher_data is not None:
                teacher_data[0].append(judged)
                teacher_data[1].append(row[label])
            if salience is not None:
                salience.add(judged, row[label])
    return count, bad


def augment_records(augmenter: Augmenter, rows: list[dict[str, Any]], ids: Sequence[Any] | None = None,
                    text_columns: Sequence[str] = (), label_column: str | None = None, keep_original: bool = False,
                    label_words: bool | None = None, record: str | None = None, skip_bad_rows: bool = False,
                    tag_names: dict[str, Sequence[str]] | None = None) -> list[dict[str, Any]]:
    """Output rows for rows held in memory: the entry of the Python API, ``map_function`` and ``maskaug evaluate``
    (no file, no resume). ``ids`` seed each row's outputs (default: its index). Rows are bound and checked as the
    file job checks them (``bind``, ``scan``). ``tag_names``: the names of tag columns that hold ids (a 🤗 dataset's
    list of ``ClassLabel``), by column."""
    names = [c.name for c in augmenter.constraints]
    options = Options(record, tuple(text_columns), tag_names=tuple((c, tuple(n)) for c, n in (tag_names or {}).items()))
    binding = bind(rows[0] if rows else None, options, augmenter.method,
                   augmenter.mlm.conditioning, label_column, names, model_name=augmenter.mlm.name)
    salience = None
    if wants_label_words(label_words, binding, augmenter.method):
        from maskaug.salience import Salience

        salience = Salience()
    scan(rows, binding, "input", skip_bad_rows, salience)
    pipe = Pipeline(augmenter, binding.record, binding.label_column, keep_original, binding.known_labels, salience)
    ids = list(ids) if ids is not None else list(range(len(rows)))
    out: list[dict[str, Any]] = []
    for res in pipe.run(((i, rid, row) for i, (rid, row) in enumerate(zip(ids, rows))), skip_bad=skip_bad_rows,
                        total=len(rows)):
        out.extend(res.records)
    return out
