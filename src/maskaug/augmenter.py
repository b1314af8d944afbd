"""Exactly ``n`` new, distinct outputs per input row, with provenance, deterministic per seed.

Randomness for copy ``c`` of row ``r`` at attempt ``a`` comes from ``(seed, hash(r), c, a)``, so the
output does not depend on batch size, order, chunking or worker count. An output equal to the input
or to an earlier accepted copy of the same row is retried (up to ``max_attempts``); what is still
missing after that is reported as a shortfall, never hidden.
"""

from __future__ import annotations

import copy
import hashlib
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from tqdm.auto import tqdm

from maskaug.conditioning import check_fits
from maskaug.document import Doc
from maskaug.memory import release
from maskaug.methods import Job, build
from maskaug.model.engine import FillEngine
from maskaug.model.loading import MaskedLM, load_mlm
from maskaug.splice import Edit


def row_rng(seed: int, row_id: Any, copy: int, attempt: int, draw: int = 0) -> np.random.Generator:
    """The random generator of copy ``copy`` of row ``row_id`` at ``attempt`` (and candidate ``draw`` of the
    choice stage): the same whatever the batching."""
    h = int.from_bytes(hashlib.sha256(str(row_id).encode("utf-8")).digest()[:8], "little")
    return np.random.default_rng([seed, h, copy, attempt] + ([draw] if draw else []))


@dataclass
class Augmentation:
    """One output of one row: its texts, edits, model score and provenance (copy, attempt, method, seed).

    Args:
        row_id: The row it was made from.
        copy: Which of the row's ``n`` outputs it is (0-based).
        attempt: The try that produced it.
        texts: Each augmented field's new text.
        edits: The changes, each splicing back into the source.
        score: The model's score of the fills (mean log-probability), if any.
        method: The method's versioned name.
        seed: The seed that made it.
        extra: Anything a stage added, e.g. a teacher's label or probabilities.
    """

    row_id: Any
    copy: int
    attempt: int
    texts: dict[str, str]
    edits: list[Edit]
    score: float | None
    method: str
    seed: int
    extra: dict[str, Any] = field(default_factory=dict)  # e.g. a teacher's label or probabilities


SHORTFALL_IDS = 20  # row ids a report keeps for its summary (every short row goes to the shortfall file)


@dataclass
class Report:
    """Counts of one run: rows, outputs, shortfall, constraint rejections, time and forward passes.

    Args:
        rows: Rows finished.
        requested: Outputs asked for.
        produced: Outputs made.
        short_rows: Rows that got fewer than asked.
        missing: Outputs short over all rows.
        shortfall: Row id -> missing outputs, for the first short rows.
        seconds: Time spent.
        forward_passes: Forward passes of the model.
        rejected: Constraint name -> candidates it rejected.
        causes: Why rows fell short -> how many rows.
        ray_workers: The Ray actors that did the work, if any (their own passes are not counted).
    """

    rows: int = 0
    requested: int = 0
    produced: int = 0
    short_rows: int = 0
    missing: int = 0  # outputs short over all rows
    shortfall: dict[Any, int] = field(default_factory=dict)  # row id -> missing outputs, for the first rows
    seconds: float = 0.0
    forward_passes: int = 0
    rejected: dict[str, int] = field(default_factory=dict)  # constraint name -> candidates rejected
    causes: dict[str, int] = field(default_factory=dict)  # why rows fell short (shortfall_cause) -> rows
    ray_workers: int = 0  # set when Ray actors did the work (their own passes are not counted)

    def count(self, row_id: Any, requested: int, produced: int, reason: str | None = None) -> None:
        """One finished row: its requested and produced outputs (a shortfall is recorded, under the cause its
        ``reason`` names)."""
        self.rows += 1
        self.requested += requested
        self.produced += produced
        if produced < requested:
            cause = shortfall_cause(reason)
            self.causes[cause] = self.causes.get(cause, 0) + 1
            self.short_rows += 1
            self.missing += requested - produced
            if len(self.shortfall) < SHORTFALL_IDS:
                self.shortfall[row_id] = requested - produced

    def summary(self) -> str:
        """The run in one line: rows, outputs of those asked for, time, passes, rejections, shortfall."""
        rate = self.rows / self.seconds if self.seconds else 0.0
        where = (f"on {self.ray_workers} Ray workers" if self.ray_workers
                 else f"{self.forward_passes} forward pass{'' if self.forward_passes == 1 else 'es'}")
        line = (f"{plural(self.rows, 'row')} -> {self.produced}/{self.requested} outputs in {self.seconds:.1f} s "
                f"({rate:.1f} rows/s, {where})")
        if self.rejected:
            line += "; rejected by constraints: " + ", ".join(f"{k} {v}" for k, v in self.rejected.items())
        if self.short_rows:
            causes = ", ".join(f"{k}: {plural(v, 'row')}" for k, v in sorted(self.causes.items(),
                                                                            key=lambda kv: (-kv[1], kv[0])))
            line += (f"; shortfall: {plural(self.short_rows, 'row')} short by {plural(self.missing, 'output')}"
                     + (f" ({causes})" if causes else ""))
        return line


def plural(count: int, noun: str) -> str:
    """``1 row``, ``2 rows``."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def shortfall_cause(reason: str | None) -> str:
    """The cause a shortfall reason (``Tries.reason``) names, for counting: the row was left alone on purpose,
    a constraint rejected most of its candidates, or the model found no new distinct text."""
    import re

    if not reason:
        return "no new distinct text"
    if reason.startswith("left as it is: "):
        return reason[len("left as it is: "):]
    rejected = {k: int(v) for v, k in re.findall(r"(\d+) rejected by (\w+)", reason)}
    other = sum(int(v) for v in re.findall(r"(\d+) (?:candidates identical to the input|repeats of a kept output)",
                                            reason))
    if rejected and max(rejected.values()) >= other:
        return f"rejected by {max(rejected, key=lambda k: (rejected[k], k))}"
    return "no new distinct text"


@dataclass
class Tries:
    """Why a row's candidates were not kept, for the reason of a shortfall."""

    unchanged: int = 0  # identical to the input (nothing masked, or every fill equal to the original)
    repeats: int = 0  # identical to an output already kept
    rejected: dict[str, int] = field(default_factory=dict)
    left: str | None = None  # left as it is on purpose (too short)

    def reason(self, attempts: int) -> str:
        """Why a row got fewer outputs than asked, after ``attempts`` tries per output."""
        if self.left:
            return f"left as it is: {self.left}"
        parts = []
        if self.unchanged:
            parts.append(f"{self.unchanged} candidates identical to the input")
        if self.repeats:
            parts.append(f"{self.repeats} repeats of a kept output")
        parts += [f"{v} rejected by {k}" for k, v in self.rejected.items()]
        return f"no new distinct text in {attempts} attempts per output ({', '.join(parts) or 'no candidates'})"


class Augmenter:
    """Generate candidates with a method, constrain them, keep exactly ``n`` distinct ones per row.

    Args:
        method: A registered method or spec (``"substitute"``, ``"insert.v3"``, ``"substitute:rate=0.3"``), or a
            method object.
        model: A model name or local folder, or a loaded ``MaskedLM`` (default: the built-in model).
        n: Distinct outputs per row.
        seed: The randomness of every output: the same seed gives the same outputs.
        max_attempts: Tries per output before the row is reported short.
        token_budget: Padded tokens per forward pass.
        device: ``cpu``, ``cuda``, ``cuda:1`` or ``mps`` (default: the best available).
        dtype: ``auto``, ``fp32``, ``bf16`` or ``fp16``; ``int8`` with the ONNX backend (default: fp32 on CPU,
            bf16/fp16 on GPU).
        chunk_size: Rows generated together before their outputs are yielded.
        progress: Show a progress bar.
        constraints: Constraints each candidate must pass (``maskaug.constraints``); a rejected one is retried.
        choose: Candidates drawn per output; ``scorer`` keeps the best.
        scorer: What picks among ``choose`` candidates (``maskaug.choosing``); needed when ``choose`` > 1.
        backend: ``torch`` (default) or ``onnx`` (ONNX Runtime on the CPU).
        **params: The method's parameters (``rate=0.2``, ``top_k=10``, ...; ``maskaug methods --verbose``).

    Examples:
        >>> aug = Augmenter("substitute", n=2, seed=0)            # doctest: +SKIP
        >>> aug.augment(["A quiet, moving film."])                # doctest: +SKIP
    """

    def __init__(self, method: Any = "substitute", model: str | MaskedLM | None = None, n: int = 1,
                 seed: int = 0, max_attempts: int = 10, token_budget: int = 8192, device: str | None = None,
                 dtype: str | None = None, chunk_size: int = 512, progress: bool = False,
                 constraints: Sequence[Any] = (), choose: int = 1, scorer: Any = None, backend: str | None = None,
                 **params: Any):
        if n < 1:
            raise ValueError("n must be >= 1")
        if choose < 1 or (choose > 1 and scorer is None):
            raise ValueError("choose=K draws K candidates per output and needs a scorer to pick one")
        if max_attempts < 1:
            raise ValueError(f"max_attempts must be >= 1, not {max_attempts}")
        self.method = build(method, **params) if isinstance(method, str) else method
        self.mlm = model if isinstance(model, MaskedLM) else load_mlm(model, device=device, dtype=dtype,
                                                                                     backend=backend)
        check_fits(self.method, self.mlm.conditioning, self.mlm.name)
        self.engine = FillEngine(self.mlm, token_budget=token_budget) if self.method.capabilities.needs_model else None
        self.n, self.seed, self.max_attempts = n, seed, max_attempts
        self.chunk_size, self.progress = chunk_size, progress
        self.constraints = list(constraints)
        self.choose, self.scorer = choose, scorer
        self.report = Report()
        self.tries: dict[Any, Tries] = {}  # the rows of the last chunk that fell short, and why

    def __repr__(self) -> str:
        method = "\n  ".join(repr(self.method).splitlines())
        cons = ", ".join(repr(c) for c in self.constraints) or "none"
        choice = f",\n  choose best of {self.choose} by {self.scorer!r}" if self.choose > 1 else ""
        return (f"Augmenter(\n  method={method},\n  model={self.mlm!r},\n  n={self.n}, seed={self.seed}, "
                f"max_attempts={self.max_attempts},\n  constraints=[{cons}]{choice})")

    @property
    def info(self):
        """The model's tokenizer conventions (mask id, word starts, pieces that may fill a slot)."""
        return self.mlm.info

    def iter_rows(self, rows: Iterable[dict[str, str]], row_ids: Iterable[Any] | None = None,
                  total: int | None = None,
                  protected: Iterable[dict[str, list[tuple[int, int]]]] | None = None,
                  labels: Iterable[Any] | None = None, judge: Callable[[dict[str, str]], Any] | None = None,
                  ) -> Iterator[tuple[Any, list[Augmentation]]]:
        """Yield ``(row_id, outputs)`` per row, in input order, working in chunks.

        ``labels`` (one per row) are required by label-conditioned models: each row is filled
        conditioned on its own label. ``judge`` maps a row's texts to what record-level constraints (the
        teacher) read: by default the text, or the tuple of a row's texts (a pair judged as a pair).
        """
        if self.method.capabilities.edits == "entities" and protected is None:
            raise ValueError(f"{self.method.name} fills the entity tokens of token/tag (NER) records; give records "
                             f"with tokens and tags (maskaug.records.TaggedRecord, or --tokens-column/--tags-column)")
        ids = iter(row_ids) if row_ids is not None else None
        prot = iter(protected) if protected is not None else None
        labs = iter(labels) if labels is not None else None
        items = ((next(ids) if ids is not None else i, row, next(prot) if prot is not None else {},
                  next(labs) if labs is not None else None) for i, row in enumerate(rows))
        return self.iter_items(items, total=total, labelled=labels is not None, judge=judge)

    def iter_items(self, items: Iterable[tuple[Any, dict[str, str], dict, Any]], total: int | None = None,
                   labelled: bool = False, judge: Callable[[dict[str, str]], Any] | None = None,
                   ) -> Iterator[tuple[Any, list[Augmentation]]]:
        """Like ``iter_rows``, over ``(row_id, texts, protected spans, label)`` items; ``labelled`` says
        the items carry real labels."""
        cond = self.mlm.conditioning if self.mlm.conditioning and self.mlm.conditioning.uses_row_label else None
        if cond is not None and not labelled:
            raise ValueError(f"{self.mlm.name} is label-conditioned ({cond.kind}); pass each row's label "
                             f"(--label-column {cond.label_column})")
        if not labelled and any(c.name == "teacher" and c.reads_labels for c in self.constraints):
            raise ValueError("the teacher constraint compares with each row's label; pass labels (--label-column)")
        return self._run(items, total, cond, judge or _judge)

    def _run(self, items, total, cond, judge) -> Iterator[tuple[Any, list[Augmentation]]]:
        self._judge = judge
        t0 = time.perf_counter()
        passes0 = self.engine.forward_passes if self.engine else 0
        bar = tqdm(total=total, unit="row", disable=not self.progress, desc=self.method.name)
        chunk: list[tuple[Any, dict[str, str], dict]] = []
        try:
            for rid, row, prot, label in items:
                condition = cond.condition(label, self.mlm.tokenizer) if cond else ((), None)
                chunk.append((rid, row, prot, condition, label))
                if len(chunk) >= self.chunk_size:
                    yield from self._chunk(chunk)
                    bar.update(len(chunk))
                    chunk = []
                    if self.engine is not None:
                        release()  # the batch's freed activations back to the system: flat memory
            if chunk:
                yield from self._chunk(chunk)
                bar.update(len(chunk))
        finally:
            bar.close()
            self.report.seconds += time.perf_counter() - t0
            if self.engine:
                self.report.forward_passes += self.engine.forward_passes - passes0

    def _docs(self, chunk) -> list[dict[str, Doc]]:
        """Each row's texts of ``chunk`` parsed into pieces and words (one batched tokenizer call)."""
        flat = [(i, f, t) for i, (_, row, *_rest) in enumerate(chunk) for f, t in row.items()]
        parsed = Doc.parse_many([t for _, _, t in flat], self.info)
        docs: list[dict[str, Doc]] = [{} for _ in chunk]
        for (i, f, _), doc in zip(flat, parsed):
            docs[i][f] = doc
        return docs

    def _chunk(self, chunk) -> Iterator[tuple[Any, list[Augmentation]]]:
        info = self.info
        docs = self._docs(chunk)
        accepted: list[dict[int, Augmentation]] = [{} for _ in chunk]
        seen: list[set[tuple]] = [{tuple(sorted(row.items()))} for _, row, *_rest in chunk]
        tries = [Tries() for _ in chunk]
        pending = [(i, c) for i in range(len(chunk)) for c in range(self.n)]
        for attempt in range(self.max_attempts):
            if not pending:
                break
            k = self.choose
            jobs = [Job(dict(chunk[i][1]), docs[i], row_rng(self.seed, chunk[i][0], c, attempt, d), chunk[i][2],
                        *chunk[i][3]) for i, c in pending for d in range(k)]
            drafts = self.method.generate(jobs, info, self.engine)
            still, fresh = [], []
            for p, (i, c) in enumerate(pending):
                found = False
                for draft in drafts[p * k:(p + 1) * k]:
                    if draft.left:  # no attempt can change it
                        tries[i].left = draft.left
                        found = None
                        break
                    key = tuple(sorted(draft.texts.items()))
                    if key in seen[i]:
                        if draft.texts == chunk[i][1]:
                            tries[i].unchanged += 1
                        else:
                            tries[i].repeats += 1
                        continue
                    seen[i].add(key)
                    fresh.append((i, c, draft))
                    found = True
                if found is False:
                    still.append((i, c))
            extras = [{} for _ in fresh]
            keep = self._constrain(chunk, fresh, extras, tries)
            if k > 1:  # the choice stage: the scorer's best kept candidate of each output
                best = self._choose(chunk, fresh, keep)
                still += sorted({(i, c) for i, c, _d in fresh} - set(best))  # every candidate rejected
                chosen = {j: score for j, score in best.values()}
            for j, ((i, c, draft), ok, extra) in enumerate(zip(fresh, keep, extras)):
                if k > 1:
                    if j not in chosen:
                        continue
                    extra = {**extra, "choice_score": round(chosen[j], 4)}
                elif not ok:
                    still.append((i, c))
                    continue
                accepted[i][c] = Augmentation(chunk[i][0], c, attempt, draft.texts, draft.edits, draft.score,
                                              self.method.name, self.seed, extra)
            pending = sorted(still)
        self.tries = {}
        for i, (rid, *_rest) in enumerate(chunk):
            outs = [accepted[i][c] for c in sorted(accepted[i])]
            short = len(outs) < self.n
            self.report.count(rid, self.n, len(outs), tries[i].reason(self.max_attempts) if short else None)
            if short:
                self.tries[rid] = tries[i]
            yield rid, outs

    def _choose(self, chunk, fresh, keep) -> dict[tuple[int, int], tuple[int, float]]:
        """For each output with a kept candidate: (index in ``fresh`` of the scorer's best, its score)."""
        from maskaug.constraints import Candidates

        idx = np.flatnonzero(keep)
        if not len(idx):
            return {}
        batch = Candidates([self._judge(chunk[fresh[j][0]][1]) for j in idx],
                           [self._judge(fresh[j][2].texts) for j in idx], [chunk[fresh[j][0]][4] for j in idx])
        scores = np.asarray(self.scorer(batch, self.mlm), dtype=float)
        best: dict[tuple[int, int], tuple[int, float]] = {}
        for j, score in zip(idx, scores):
            i, c, _ = fresh[j]
            if (i, c) not in best or score > best[i, c][1]:
                best[i, c] = (int(j), float(score))
        return best

    def shortfall_reason(self, row_id: Any) -> str | None:
        """Why a row of the chunk just yielded got fewer than ``n`` outputs (None when it did not)."""
        t = self.tries.get(row_id)
        return t.reason(self.max_attempts) if t is not None else None

    def _constrain(self, chunk, fresh, extras, tries) -> np.ndarray:
        """Which fresh candidates every constraint keeps: per-field constraints check each text field on its
        own; record-level ones (the teacher) judge the row's texts together (a pair as a pair)."""
        from maskaug.constraints import Candidates

        keep = np.ones(len(fresh), dtype=bool)
        if not self.constraints or not fresh:
            return keep
        fields = list(chunk[fresh[0][0]][1])
        for con in self.constraints:
            idx = np.flatnonzero(keep)
            if not len(idx):
                break
            views = ([(f, lambda texts, f=f: texts[f]) for f in fields] if con.per_field
                     else [(None, self._judge)])
            for _, see in views:
                batch = Candidates([see(chunk[fresh[j][0]][1]) for j in idx], [see(fresh[j][2].texts) for j in idx],
                                   [chunk[fresh[j][0]][4] for j in idx], [extras[j] for j in idx])
                before = con.rejected
                ok = con(batch, self.mlm)
                self.report.rejected[con.name] = self.report.rejected.get(con.name, 0) + con.rejected - before
                for j in idx[~ok]:
                    r = tries[fresh[j][0]].rejected
                    r[con.name] = r.get(con.name, 0) + 1
                keep[idx[~ok]] = False
                idx = idx[ok]
        return keep

    def with_n(self, n: int | None) -> Augmenter:
        """This augmenter asking ``n`` outputs per row (a copy sharing the model and method), or itself."""
        if n is None or n == self.n:
            return self
        if not isinstance(n, int) or isinstance(n, bool) or n < 1:
            raise ValueError(f"n must be a whole number >= 1, not {n!r}")
        other = copy.copy(self)
        other.n = n
        return other

    def augment(self, texts: str | Sequence[str], n: int | None = None, field: str = "text"
                ) -> list[str] | list[list[str]]:
        """nlpaug-style: a string gives a list of its new strings; a list of strings gives one such list per
        string (``n`` each, unless a text yields fewer). ``n`` overrides the augmenter's for this call."""
        aug = self.with_n(n)
        if isinstance(texts, str):
            return aug.augment([texts], field=field)[0]
        texts = check_texts(texts)
        return [[a.texts[field] for a in outs] for _, outs in aug.iter_rows({field: t} for t in texts)]


def check_texts(texts: Any) -> list[str]:
    """``texts`` as a list of strings, or a TypeError that says what was given instead."""
    if isinstance(texts, (bytes, bytearray)):
        raise TypeError("texts must be str, not bytes; decode them first (data.decode('utf-8'))")
    kind = type(texts).__module__.split(".")[0]
    if kind in ("pandas", "datasets", "pyarrow"):
        raise TypeError(f"Augmenter.augment takes strings; for a {type(texts).__name__} use maskaug.augment(data, "
                        f"augmenter=aug, text_column=...)")
    if not isinstance(texts, Iterable):
        raise TypeError(f"texts must be a string or a list of strings, not {type(texts).__name__}")
    out = list(texts)
    bad = next(((i, t) for i, t in enumerate(out) if not isinstance(t, str)), None)
    if bad is not None:
        raise TypeError(f"text {bad[0]} is {type(bad[1]).__name__}, not str")
    return out


def _judge(texts: dict[str, str]) -> Any:
    values = list(texts.values())
    return values[0] if len(values) == 1 else tuple(values)
