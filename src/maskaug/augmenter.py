"""Exactly ``n`` new, distinct outputs per input row, with provenance, deterministic per seed.

Randomness for copy ``c`` of row ``r`` at attempt ``a`` comes from ``(seed, hash(r), c, a)``, so the
output does not depend on batch size, order, chunking or worker count. An output equal to the input
or to an earlier accepted copy of the same row is retried (up to ``max_attempts``); what is still
missing after that is reported as a shortfall, never hidden.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from tqdm.auto import tqdm

from maskaug.document import Doc
from maskaug.methods import Job, build
from maskaug.model.engine import FillEngine
from maskaug.model.loading import MaskedLM, load_mlm
from maskaug.splice import Edit


def row_rng(seed: int, row_id: Any, copy: int, attempt: int) -> np.random.Generator:
    h = int.from_bytes(hashlib.sha256(str(row_id).encode("utf-8")).digest()[:8], "little")
    return np.random.default_rng([seed, h, copy, attempt])


@dataclass
class Augmentation:
    row_id: Any
    copy: int
    attempt: int
    texts: dict[str, str]
    edits: list[Edit]
    score: float | None
    method: str
    seed: int
    extra: dict[str, Any] = field(default_factory=dict)  # e.g. a teacher's label or probabilities


@dataclass
class Report:
    rows: int = 0
    requested: int = 0
    produced: int = 0
    shortfall: dict[Any, int] = field(default_factory=dict)  # row id -> missing outputs
    seconds: float = 0.0
    forward_passes: int = 0
    rejected: dict[str, int] = field(default_factory=dict)  # constraint name -> candidates rejected
    ray_workers: int = 0  # set when Ray actors did the work (their own passes and rejections are not counted)

    def count(self, row_id: Any, requested: int, produced: int) -> None:
        """One finished row: its requested and produced outputs (a shortfall is recorded)."""
        self.rows += 1
        self.requested += requested
        self.produced += produced
        if produced < requested:
            self.shortfall[row_id] = requested - produced

    def summary(self) -> str:
        rate = self.rows / self.seconds if self.seconds else 0.0
        where = (f"on {self.ray_workers} Ray workers" if self.ray_workers
                 else f"{self.forward_passes} forward passes")
        line = (f"{self.rows} rows -> {self.produced}/{self.requested} outputs in {self.seconds:.1f} s "
                f"({rate:.1f} rows/s, {where})")
        if self.rejected:
            line += "; rejected by constraints: " + ", ".join(f"{k} {v}" for k, v in self.rejected.items())
        if self.shortfall:
            line += (f"; shortfall: {len(self.shortfall)} rows short by {sum(self.shortfall.values())} "
                     f"outputs (no new distinct text found)")
        return line


class Augmenter:
    """Run one method over rows of text fields.

    >>> aug = Augmenter("substitute", n=2, seed=0)            # doctest: +SKIP
    >>> aug.augment(["A quiet, moving film."])                # doctest: +SKIP
    """

    def __init__(self, method: Any = "substitute", model: str | MaskedLM | None = None, n: int = 1,
                 seed: int = 0, max_attempts: int = 10, token_budget: int = 8192, device: str | None = None,
                 dtype: str | None = None, chunk_size: int = 512, progress: bool = False,
                 constraints: Sequence[Any] = (), **params: Any):
        if n < 1:
            raise ValueError("n must be >= 1")
        self.method = build(method, **params) if isinstance(method, str) else method
        self.mlm = model if isinstance(model, MaskedLM) else load_mlm(model, device=device, dtype=dtype)
        need = getattr(self.method, "requires", None)
        have = self.mlm.conditioning.kind if self.mlm.conditioning else None
        if need and need != have:
            raise ValueError(f"method {self.method.name} needs a model fine-tuned with `maskaug finetune "
                             f"--conditioning {need}`; {self.mlm.name} has conditioning {have or 'none'}")
        self.engine = FillEngine(self.mlm, token_budget=token_budget) if self.method.needs_model else None
        self.n, self.seed, self.max_attempts = n, seed, max_attempts
        self.chunk_size, self.progress = chunk_size, progress
        self.constraints = list(constraints)
        self.report = Report()

    @property
    def info(self):
        return self.mlm.info

    def iter_rows(self, rows: Iterable[dict[str, str]], row_ids: Iterable[Any] | None = None,
                  total: int | None = None,
                  protected: Iterable[dict[str, list[tuple[int, int]]]] | None = None,
                  labels: Iterable[Any] | None = None,
                  ) -> Iterator[tuple[Any, list[Augmentation]]]:
        """Yield ``(row_id, outputs)`` per row, in input order, working in chunks.

        ``labels`` (one per row) are required by label-conditioned models: each row is filled
        conditioned on its own label.
        """
        cond = self.mlm.conditioning if self.mlm.conditioning and self.mlm.conditioning.uses_row_label else None
        if getattr(self.method, "requires", None) == "melm" and protected is None:
            raise ValueError(f"{self.method.name} fills the entity tokens of token/tag (NER) records; give records "
                             f"with tokens and tags (maskaug.ner.augment_tagged, or --tokens-column/--tags-column)")
        if cond is not None and labels is None:
            raise ValueError(f"{self.mlm.name} is label-conditioned ({cond.kind}); pass each row's label "
                             f"(--label-column {cond.label_column})")
        if labels is None and any(c.name == "teacher" for c in self.constraints):
            raise ValueError("the teacher constraint compares with each row's label; pass labels (--label-column)")
        label_iter = iter(labels) if labels is not None else None
        t0 = time.perf_counter()
        passes0 = self.engine.forward_passes if self.engine else 0
        ids_iter = iter(row_ids) if row_ids is not None else None
        prot_iter = iter(protected) if protected is not None else None
        bar = tqdm(total=total, unit="row", disable=not self.progress, desc=self.method.name)
        chunk: list[tuple[Any, dict[str, str], dict]] = []
        index = 0
        try:
            for row in rows:
                rid = next(ids_iter) if ids_iter is not None else index
                prot = next(prot_iter) if prot_iter is not None else {}
                label = next(label_iter) if label_iter is not None else None
                condition = cond.condition(label, self.mlm.tokenizer) if cond else ((), None)
                chunk.append((rid, row, prot, condition, label))
                index += 1
                if len(chunk) >= self.chunk_size:
                    yield from self._chunk(chunk)
                    bar.update(len(chunk))
                    chunk = []
            if chunk:
                yield from self._chunk(chunk)
                bar.update(len(chunk))
        finally:
            bar.close()
            self.report.seconds += time.perf_counter() - t0
            if self.engine:
                self.report.forward_passes += self.engine.forward_passes - passes0

    def _chunk(self, chunk) -> Iterator[tuple[Any, list[Augmentation]]]:
        info = self.info
        flat = [(i, f, t) for i, (_, row, *_rest) in enumerate(chunk) for f, t in row.items()]
        parsed = Doc.parse_many([t for _, _, t in flat], info)
        docs: list[dict[str, Doc]] = [{} for _ in chunk]
        for (i, f, _), doc in zip(flat, parsed):
            docs[i][f] = doc
        accepted: list[dict[int, Augmentation]] = [{} for _ in chunk]
        seen: list[set[tuple]] = [{tuple(sorted(row.items()))} for _, row, *_rest in chunk]
        pending = [(i, c) for i in range(len(chunk)) for c in range(self.n)]
        for attempt in range(self.max_attempts):
            if not pending:
                break
            jobs = [Job(dict(chunk[i][1]), docs[i], row_rng(self.seed, chunk[i][0], c, attempt), chunk[i][2],
                        *chunk[i][3]) for i, c in pending]
            drafts = self.method.generate(jobs, info, self.engine)
            still, fresh = [], []
            for (i, c), draft in zip(pending, drafts):
                key = tuple(sorted(draft.texts.items()))
                if key in seen[i]:
                    still.append((i, c))
                    continue
                seen[i].add(key)
                fresh.append((i, c, draft))
            extras = [{} for _ in fresh]
            keep = self._constrain(chunk, fresh, extras)
            for (i, c, draft), ok, extra in zip(fresh, keep, extras):
                if not ok:
                    still.append((i, c))
                    continue
                accepted[i][c] = Augmentation(chunk[i][0], c, attempt, draft.texts, draft.edits, draft.score,
                                              self.method.name, self.seed, extra)
            pending = sorted(still)
        for i, (rid, *_rest) in enumerate(chunk):
            outs = [accepted[i][c] for c in sorted(accepted[i])]
            self.report.count(rid, self.n, len(outs))
            yield rid, outs

    def _constrain(self, chunk, fresh, extras) -> np.ndarray:
        """Which fresh candidates every constraint keeps (each text field checked on its own)."""
        from maskaug.constraints import Candidates

        keep = np.ones(len(fresh), dtype=bool)
        if not self.constraints or not fresh:
            return keep
        fields = list(chunk[fresh[0][0]][1])
        for con in self.constraints:
            idx = np.flatnonzero(keep)
            if not len(idx):
                break
            for f in fields:
                batch = Candidates([chunk[fresh[j][0]][1][f] for j in idx], [fresh[j][2].texts[f] for j in idx],
                                   [chunk[fresh[j][0]][4] for j in idx], [extras[j] for j in idx])
                before = con.rejected
                ok = con(batch, self.mlm)
                self.report.rejected[con.name] = self.report.rejected.get(con.name, 0) + con.rejected - before
                keep[idx[~ok]] = False
                idx = idx[ok]
        return keep

    def augment(self, texts: Sequence[str], field: str = "text") -> list[list[str]]:
        """Plain lists: for each input text, its new texts (``n`` of them unless short)."""
        return [[a.texts[field] for a in outs] for _, outs in self.iter_rows({field: t} for t in texts)]


def to_records(row: dict[str, Any], row_id: Any, outputs: list[Augmentation], method: str, seed: int,
               keep_original: bool = False) -> list[dict[str, Any]]:
    """Output rows: the input's columns (text fields replaced) plus ``aug_*`` provenance columns."""
    out = [{**row, **provenance(row_id, method, seed)}] if keep_original else []
    for a in outputs:
        out.append({**row, **a.texts, **provenance(row_id, a.method, a.seed, a.copy,
                                                   [e.as_dict() for e in a.edits], a.score, a.extra)})
    return out


def provenance(row_id: Any, method: str, seed: int, copy: int = -1, edits: list[dict] | None = None,
               score: float | None = None, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """The ``aug_*`` columns of one output row; ``copy=-1`` marks the kept original."""
    return {"aug_source_row": row_id, "aug_method": method, "aug_seed": seed, "aug_copy": copy,
            "aug_is_original": copy < 0, "aug_edits": list(edits or []), "aug_score": score,
            **{f"aug_{k}": v for k, v in (extra or {}).items()}}
