"""Scale out on Ray Data: the same augmentation on a pool of Ray actors, each holding one model.

Every row's randomness comes from ``(seed, row id, copy, attempt)`` (see :mod:`maskaug.augmenter`),
so a row gets the same outputs on one machine or on a cluster, whatever the partitioning, batch size
or number of workers. Row ids come from ``id_column``; without one, a row's id is a hash of its text
fields (so two rows with the same text get the same outputs).

    >>> import ray.data                                                         # doctest: +SKIP
    >>> ds = ray.data.read_json("train.jsonl")                                  # doctest: +SKIP
    >>> out = augment_dataset(ds, "substitute", n=4, concurrency=8, num_gpus=1)  # doctest: +SKIP
    >>> out.write_parquet("augmented/")                                         # doctest: +SKIP

``maskaug augment INPUT --ray [ADDRESS] --workers K`` uses the same actors and writes the rows a local
run writes, in the same order (it also resumes a local run's partial output). Texts, edits and every
other field are equal; a model score (a mean of log-probabilities rounded to 4 decimals) can differ
by about 1e-5 when an actor runs with another number of threads than the local process.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from collections.abc import Sequence
from typing import Any

ROW = "_maskaug_row"
RECORDS = "_maskaug_records"


def require_ray():
    try:
        import ray
        import ray.data  # noqa: F401
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError("scaling out needs Ray Data: pip install 'maskaug[distributed]'") from e
    return ray


def content_id(row: dict[str, Any], fields: Sequence[str]) -> str:
    """A row id from its text fields, for datasets without an id column."""
    blob = json.dumps([row.get(f) for f in fields], ensure_ascii=False)
    return "sha256:" + hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


class AugmentBatches:
    """A Ray Data callable class: builds one :class:`~maskaug.augmenter.Augmenter` per actor.

    ``per_row=False``: each batch becomes the flat output records (input columns + ``aug_*``).
    ``per_row=True``: one row per input row, ``{ROW: id, RECORDS: json list of its records}`` without the
    input's other columns, for a driver that joins them back itself (the CLI).
    """

    def __init__(self, method: Any, n: int, fields: Sequence[str], label_column: str | None,
                 id_column: str | None, keep_original: bool, per_row: bool, augmenter_kwargs: dict[str, Any]):
        from maskaug.augmenter import Augmenter

        self.aug = Augmenter(method, n=n, **augmenter_kwargs)
        self.fields, self.label_column, self.id_column = list(fields), label_column, id_column
        self.keep_original, self.per_row = keep_original, per_row

    def __call__(self, batch):
        import pyarrow as pa

        from maskaug.api import check_texts
        from maskaug.augmenter import to_records

        rows = batch.to_pylist()
        ids = [r[self.id_column] if self.id_column else content_id(r, self.fields) for r in rows]
        check_texts(rows, ids, self.fields)
        labels = [r.get(self.label_column) for r in rows] if self.label_column else None
        stream = self.aug.iter_rows(({f: r[f] for f in self.fields} for r in rows), ids, labels=labels)
        name, seed = self.aug.method.name, self.aug.seed
        if self.per_row:
            out = {ROW: [], RECORDS: []}
            for rid, outs in stream:
                recs = to_records({}, rid, outs, name, seed, self.keep_original)
                out[ROW].append(rid)
                out[RECORDS].append(json.dumps(recs, ensure_ascii=False))
            return pa.table(out)
        records = []
        for (rid, outs), row in zip(stream, rows):
            records.extend(to_records(row, rid, outs, name, seed, self.keep_original))
        return pa.Table.from_pylist(records)


def augment_dataset(ds, method: Any = "substitute", n: int = 1, text_column: str | Sequence[str] = "text",
                    label_column: str | None = None, id_column: str | None = None, keep_original: bool = False,
                    concurrency: int = 1, num_gpus: float = 0, num_cpus: float | None = None,
                    batch_size: int = 512, per_row: bool = False, **augmenter_kwargs: Any):
    """Augment a ``ray.data.Dataset`` lazily with ``concurrency`` actors; returns the output Dataset.

    ``augmenter_kwargs`` go to :class:`~maskaug.augmenter.Augmenter` in each actor (``model``, ``seed``,
    ``constraints``, ``dtype``, method parameters…). ``num_gpus``/``num_cpus`` are each actor's share;
    with ``num_gpus`` set, an actor's model lands on its GPU. Output rows keep input order.
    """
    ray = require_ray()
    fields = [text_column] if isinstance(text_column, str) else list(text_column)
    schema = ds.schema()
    names = list(schema.names) if schema is not None else []
    missing = [c for c in [*fields, label_column, id_column] if c and c not in names]
    if missing:
        raise ValueError(f"the dataset has no column {missing[0]!r} (it has {', '.join(names) or 'none'})")
    total = ray.cluster_resources().get("CPU", 0) if ray.is_initialized() else 0
    if total and not num_gpus and concurrency * (num_cpus or 1) >= total:
        warnings.warn(f"{concurrency} augmentation actors x {num_cpus or 1} CPU take all {total:g} CPUs of the Ray "
                      f"cluster; a pipeline that reads or writes files then waits for a free CPU forever. Pass "
                      f"num_cpus={total / (concurrency + 1):.2g} or fewer workers.", stacklevel=2)
    ds.context.execution_options.preserve_order = True  # a dataset keeps the context it was made with
    return ds.map_batches(
        AugmentBatches, batch_size=batch_size, batch_format="pyarrow",
        compute=ray.data.ActorPoolStrategy(size=concurrency),
        num_gpus=num_gpus or None, num_cpus=num_cpus,
        fn_constructor_kwargs={"method": method, "n": n, "fields": fields, "label_column": label_column,
                               "id_column": id_column, "keep_original": keep_original, "per_row": per_row,
                               "augmenter_kwargs": augmenter_kwargs})
