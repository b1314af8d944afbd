"""Scale out on Ray Data: the same augmentation on a pool of Ray actors, each holding one model.

Every row's randomness comes from ``(seed, row id, copy, attempt)`` (see ``maskaug.augmenter``),
so a row gets the same outputs on one machine or on a cluster, whatever the partitioning, batch size
or number of workers. Row ids come from ``id_column``; without one, a row's id is a hash of its text
fields (so two rows with the same text get the same outputs).

``maskaug augment INPUT --ray [ADDRESS] --workers K`` runs the job of ``maskaug.job`` with
``RayRunner`` in place of the local pipeline: the driver reads the input a window at a time, sends
only each row's texts, protected spans and label to the actors (so every record type works), and rebuilds
the output rows itself, in input order, so it writes the rows a local run writes (and resumes a local run's
partial output). The driver loads no masked LM. Texts, edits and every other field are equal; a model score
(a mean of log-probabilities rounded to 4 decimals) can differ by about 1e-5 when an actor runs with another
number of threads than the local process.

Examples:
    >>> import ray.data                                                         # doctest: +SKIP
    >>> ds = ray.data.read_json("train.jsonl")                                  # doctest: +SKIP
    >>> out = augment_dataset(ds, "substitute", n=4, concurrency=8, num_gpus=1)  # doctest: +SKIP
    >>> out.write_parquet("augmented/")                                         # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import json
import time
import warnings
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from maskaug.augmenter import Augmentation, Report
from maskaug.pipeline import RowError, RowResult, label_view, output_records, row_problem
from maskaug.records.base import RecordType
from maskaug.records.text import TextRecord
from maskaug.splice import Edit

ROW = "_maskaug_row"
ID = "_maskaug_id"
TEXTS = "_maskaug_texts"
PROTECTED = "_maskaug_protected"
LABEL = "_maskaug_label"
OUTPUTS = "_maskaug_outputs"
REASON = "_maskaug_reason"
WINDOW = 20_000  # rows the driver holds at once (one actor pool per window)


def require_ray():
    """The ``ray`` module with Ray Data, or an ImportError saying how to install it."""
    try:
        import ray
        import ray.data  # noqa: F401
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError("scaling out needs Ray Data: pip install '.[distributed]' in a clone of maskaug") from e
    return ray


def content_id(row: dict[str, Any], fields: Sequence[str]) -> str:
    """A row id from its text fields, for datasets without an id column.

    Args:
        row: The row.
        fields: Its text fields.

    Returns:
        A hash of the fields' values: rows with the same texts get the same id.
    """
    blob = json.dumps([row.get(f) for f in fields], ensure_ascii=False)
    return "sha256:" + hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


def _augmentation_dict(a: Augmentation) -> dict[str, Any]:
    return {"copy": a.copy, "attempt": a.attempt, "texts": a.texts, "edits": [e.as_dict() for e in a.edits],
            "score": a.score, "extra": a.extra}


def _augmentation(row_id: Any, method: str, seed: int, d: dict[str, Any]) -> Augmentation:
    return Augmentation(row_id, d["copy"], d["attempt"], d["texts"], [Edit(**e) for e in d["edits"]], d["score"],
                        method, seed, d["extra"])


class AugmentBatches:
    """A Ray Data callable class: builds one ``Augmenter`` per actor.

    ``views=True`` (the CLI job's actors): each input row is ``{ROW, TEXTS, PROTECTED[, LABEL]}`` and each
    output row ``{ROW, OUTPUTS, REASON}``, the augmentations as JSON, for a driver that rebuilds rows itself.
    ``views=False`` (``augment_dataset``): each batch of the user's rows becomes the flat output records
    (input columns + ``aug_*``).

    Args:
        method: A registered method or spec.
        n: Outputs per row.
        record: How a row is read (``maskaug.records``).
        label_column: The label field, if any.
        id_column: The field whose value is a row's id (default: a hash of its text fields).
        keep_original: Also return each input row.
        views: The CLI job's row views (``True``) or the user's rows (``False``), as above.
        settings: Each actor's ``Augmenter`` settings (``model``, ``seed``, ``constraints``, ...).
        params: The method's parameters (``rate=0.2``, ...).
    """

    def __init__(self, method: Any, n: int, record: RecordType, label_column: str | None, id_column: str | None,
                 keep_original: bool, views: bool, settings: dict[str, Any], params: dict[str, Any]):
        from maskaug.augmenter import Augmenter

        self.aug = Augmenter(method, **{"n": n, **settings}, **params)
        self.record, self.label_column, self.id_column = record, label_column, id_column
        self.keep_original, self.views = keep_original, views

    def __call__(self, batch):
        import pyarrow as pa

        rows = batch.to_pylist()
        if self.views:
            items = [(json.loads(r[ID]), json.loads(r[TEXTS]), {k: [tuple(s) for s in v] for k, v in
                                                                json.loads(r[PROTECTED]).items()}, r.get(LABEL))
                     for r in rows]
            out: dict[str, list] = {ROW: [], OUTPUTS: [], REASON: []}
            stream = self.aug.iter_items(items, labelled=self.label_column is not None, judge=self.record.judged)
            for r, (rid, outs) in zip(rows, stream):  # in input order
                out[ROW].append(r[ROW])
                out[OUTPUTS].append(json.dumps([_augmentation_dict(a) for a in outs], ensure_ascii=False))
                out[REASON].append(self.aug.shortfall_reason(rid) or "")
            return pa.table(out)
        from maskaug.pipeline import Pipeline

        ids = [r[self.id_column] if self.id_column else content_id(r, self.record.fields) for r in rows]
        pipe = Pipeline(self.aug, self.record, self.label_column, self.keep_original)
        records: list[dict[str, Any]] = []
        try:
            for res in pipe.run((i, rid, r) for i, (rid, r) in enumerate(zip(ids, rows))):
                records.extend(res.records)
        except RowError as exc:
            raise ValueError(f"row {ids[exc.index]}, field {exc.field!r}: {exc.problem}") from None
        return pa.Table.from_pylist(records)


def _init_ray(address: str | None, quiet: bool):
    import logging

    ray = require_ray()
    if not ray.is_initialized():
        ray.init(address=None if address in (None, "local") else address, include_dashboard=False,
                 logging_level=logging.WARNING, log_to_driver=not quiet)
    ctx = ray.data.DataContext.get_current()
    ctx.enable_progress_bars = not quiet
    if quiet:
        logging.getLogger("ray.data").setLevel(logging.WARNING)
    return ray


def _pool(ray, ds, concurrency: int, num_gpus: float, num_cpus: float | None, batch_size: int, kwargs: dict):
    ds.context.execution_options.preserve_order = True  # a dataset keeps the context it was made with
    return ds.map_batches(AugmentBatches, batch_size=batch_size, batch_format="pyarrow",
                          compute=ray.data.ActorPoolStrategy(size=concurrency), num_gpus=num_gpus or None,
                          num_cpus=num_cpus, fn_constructor_kwargs=kwargs)


def _warn_all_cpus(ray, concurrency: int, num_gpus: float, num_cpus: float | None) -> None:
    total = ray.cluster_resources().get("CPU", 0) if ray.is_initialized() else 0
    if total and not num_gpus and concurrency * (num_cpus or 1) >= total:
        warnings.warn(f"{concurrency} augmentation actors x {num_cpus or 1} CPU take all {total:g} CPUs of the Ray "
                      f"cluster; a pipeline that reads or writes files then waits for a free CPU forever. Pass "
                      f"num_cpus={total / (concurrency + 1):.2g} or fewer workers.", stacklevel=3)


def augment_dataset(ds, method: Any = "substitute", n: int = 1, text_column: str | Sequence[str] = "text",
                    label_column: str | None = None, id_column: str | None = None, keep_original: bool = False,
                    concurrency: int = 1, num_gpus: float = 0, num_cpus: float | None = None,
                    batch_size: int = 512, **augmenter_kwargs: Any):
    """Augment a ``ray.data.Dataset`` lazily with ``concurrency`` actors; returns the output Dataset (the input
    columns plus ``aug_*`` provenance).

    Output rows keep input order; a row's outputs do not depend on the partitioning or the number of actors.

    Args:
        ds (ray.data.Dataset): The dataset to augment.
        method: A registered method or spec.
        n: Outputs per row.
        text_column: The text field, or two for sentence pairs.
        label_column: The label field, if any (its label words are kept).
        id_column: The field whose value seeds a row's randomness (default: a hash of its text fields).
        keep_original: Also return each input row.
        concurrency: Ray actors, one model each.
        num_gpus: Each actor's share of a GPU; with it set, an actor's model lands on its GPU.
        num_cpus: Each actor's CPUs.
        batch_size: Rows per batch sent to an actor.
        **augmenter_kwargs: Routed by ``maskaug.settings.route``: each actor's ``Augmenter`` settings (``model``,
            ``seed``, ``constraints``, ``dtype``, ...), constraint options (``max_edit_rate=0.3``) and method
            parameters (``rate=0.2``).
    """
    from maskaug.settings import route

    settings, params, _ = route(augmenter_kwargs).augmenter("augment_dataset()")
    ray = require_ray()
    fields = [text_column] if isinstance(text_column, str) else list(text_column)
    schema = ds.schema()
    names = list(schema.names) if schema is not None else []
    missing = [c for c in [*fields, label_column, id_column] if c and c not in names]
    if missing:
        raise ValueError(f"the dataset has no column {missing[0]!r} (it has {', '.join(names) or 'none'})")
    _warn_all_cpus(ray, concurrency, num_gpus, num_cpus)
    kwargs = {"method": method, "n": n, "record": TextRecord(fields), "label_column": label_column,
              "id_column": id_column, "keep_original": keep_original, "views": False, "settings": settings,
              "params": params}
    return _pool(ray, ds, concurrency, num_gpus, num_cpus, batch_size, kwargs)


class RayRunner:
    """The job's run stage on Ray actors: ``run`` yields the rows ``Pipeline`` would.

    ``maskaug.job.AugmentJob`` builds it for ``--ray``; the driver loads no masked LM.

    Args:
        cfg (JobConfig): The job's config (with its ``RaySpec``).
        method: The method's versioned name.
        params: The method's parameters.
        record: How a row is read (``maskaug.records``).
        label_column: The label field, if any.
        constraints: The constraints each actor's candidates must pass.
        known_labels: The labels rows may carry (a conditioned model's); a row with another is a bad row.
        salience (Salience | None): Each row's label words to keep (``maskaug.salience``), if any.
        scorer (Scorer | None): What picks among ``choose`` candidates (``maskaug.choosing``), if any.
    """

    def __init__(self, cfg, method: str, params: dict[str, Any], record: RecordType, label_column: str | None,
                 constraints: list, known_labels: list[str] | None = None, salience=None, scorer=None):
        self.cfg, self.method, self.params = cfg, method, params
        self.scorer = scorer
        self.record, self.label_column, self.known_labels = record, label_column, known_labels
        self.salience = salience
        self.constraints = constraints
        self.report = Report(ray_workers=cfg.ray.workers)

    def __repr__(self) -> str:
        return f"RayRunner({self.cfg.ray.address}, workers={self.cfg.ray.workers})"

    def run(self, items: Iterable[tuple[int, Any, dict[str, Any]]], skip_bad: bool = False,
            total: int | None = None) -> Iterator[RowResult]:
        """A ``RowResult`` per ``(index, row id, row)``, in input order, made on Ray actors."""
        cfg, spec = self.cfg, self.cfg.ray
        ray = _init_ray(spec.address, not cfg.progress)
        model = str(Path(cfg.model).resolve()) if cfg.model and Path(cfg.model).exists() else cfg.model
        kwargs = {"method": self.method, "n": cfg.n, "record": self.record, "label_column": self.label_column,
                  "id_column": ROW, "keep_original": cfg.keep_original, "views": True,
                  "settings": {**cfg.augmenter_settings(), "model": model, "progress": False,
                               "constraints": self.constraints, "scorer": self.scorer},
                  "params": self.params}
        t0 = time.perf_counter()
        window: list = []
        try:
            for item in items:
                window.append(item)
                if len(window) >= WINDOW:
                    yield from self._window(ray, window, skip_bad, kwargs)
                    window = []
            if window:
                yield from self._window(ray, window, skip_bad, kwargs)
        finally:
            self.report.seconds += time.perf_counter() - t0

    def _window(self, ray, window, skip_bad: bool, kwargs: dict) -> Iterator[RowResult]:
        spec = self.cfg.ray
        views, payload = {}, []
        for index, rid, row in window:
            problem = row_problem(self.record, row, self.label_column, self.known_labels)
            if problem is not None:
                if not skip_bad:
                    raise RowError(index, *problem)
                continue
            view = label_view(self.record, row, self.label_column, self.salience)
            views[index] = view
            item = {ROW: index, ID: json.dumps(rid), TEXTS: json.dumps(view.texts, ensure_ascii=False),
                    PROTECTED: json.dumps(view.protected)}
            if self.label_column:
                item[LABEL] = row[self.label_column]
            payload.append(item)
        got: dict[int, tuple[list, str]] = {}
        if payload:
            with warnings.catch_warnings():  # the all-CPUs warning is about file reads; these rows are in memory
                warnings.simplefilter("ignore", UserWarning)
                batch = max(1, min(512, -(-len(payload) // spec.workers)))
                out = _pool(ray, ray.data.from_items(payload), spec.workers, spec.gpus_per_worker,
                            spec.cpus_per_worker, batch, kwargs)
                for rec in out.iter_rows():
                    got[int(rec[ROW])] = (json.loads(rec[OUTPUTS]), rec[REASON])
        n, seed = self.cfg.n, self.cfg.seed
        for index, rid, row in window:
            if index not in views:
                yield RowResult(index, rid, row, [], rejected=row_problem(self.record, row, self.label_column,
                                                                          self.known_labels))
                continue
            if index not in got:
                raise RuntimeError(f"Ray returned no result for input row {index + 1}")
            found, reason = got.pop(index)
            outs = [_augmentation(rid, self.method, seed, d) for d in found]
            recs = output_records(self.record, rid, row, views[index], outs, self.method, seed, self.cfg.keep_original)
            self.report.count(rid, n, len(outs), reason if len(outs) < n else None)
            yield RowResult(index, rid, row, recs, n, len(outs), reason if len(outs) < n else None, outputs=outs)
