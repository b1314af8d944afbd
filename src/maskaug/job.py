"""The one augmentation job: check → read and validate → resume state → run → write, with the summary.

``maskaug augment`` is ``AugmentJob(JobConfig(...)).run()``; so are :func:`maskaug.augment_file` and, for rows
held in memory, :func:`maskaug.augment`. The stages, in order:

1. **check** the settings (every option's value, the method and its parameters, the device, the record type
   against the method and the model's conditioning, the output path) — nothing is created yet;
2. **validate** the input in one streaming pass (each bad row named by file, row and field as it is met, or
   counted with ``skip_bad_rows``), then load the model (under Ray only the actors load one);
3. **resume**: take the output's lock and its partial output (:mod:`maskaug.checkpoint`), keyed by the job's
   fingerprint (:mod:`maskaug.fingerprint`), skipping the rows an interrupted run finished;
4. **run** the rows through the :class:`~maskaug.pipeline.Pipeline` (or Ray actors), a chunk at a time,
   each finished row appended to the partial file;
5. **write** the output from the partial file (streaming, atomic rename), the rejected and shortfall side
   files, and remove the working files.

A failure after stage 3 began removes what the job created, unless finished rows make it resumable.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from maskaug.io.errors import InputError, OutputError
from maskaug.io.formats import COLUMNAR, detect_format

MAX_N = 1000  # outputs per row: candidates of a chunk are held at once
MAX_ATTEMPTS = 1000
PREVIEW = 3


@dataclass
class ConstraintSpec:
    """The constraint options (``--teacher``, ``--min-similarity``, ...)."""

    min_edit_rate: float | None = None
    max_edit_rate: float | None = None
    min_similarity: float | None = None
    max_fluency_drop: float | None = None
    teacher: str | None = None  # "train" (logistic regression on the input's labels) or a classifier folder
    teacher_mode: str = "filter"

    def names(self) -> list[str]:
        out = []
        if self.min_edit_rate is not None or self.max_edit_rate is not None:
            out.append("edit_rate")
        if self.min_similarity is not None:
            out.append("similarity")
        if self.max_fluency_drop is not None:
            out.append("fluency")
        if self.teacher:
            out.append("teacher")
        return out

    def check(self) -> None:
        for flag, v in (("--min-edit-rate", self.min_edit_rate), ("--max-edit-rate", self.max_edit_rate)):
            if v is not None and not (isinstance(v, (int, float)) and 0 <= v and math.isfinite(v)):
                raise ValueError(f"{flag} must be a number >= 0, not {v!r}")
        if self.min_similarity is not None and not -1 <= self.min_similarity <= 1:
            raise ValueError(f"--min-similarity is a cosine in [-1, 1], not {self.min_similarity}")
        if self.max_fluency_drop is not None and not (self.max_fluency_drop >= 0):
            raise ValueError(f"--max-fluency-drop must be >= 0, not {self.max_fluency_drop}")
        if self.teacher_mode not in ("filter", "hard", "soft"):
            raise ValueError(f"--teacher-mode must be filter, hard or soft, not {self.teacher_mode!r}")
        if self.teacher and self.teacher != "train" and not Path(self.teacher).is_dir():
            raise ValueError(f"--teacher {self.teacher}: no such classifier folder")


@dataclass
class RaySpec:
    """Where and how wide to scale out (``--ray``)."""

    address: str = "local"
    workers: int = 2
    gpus_per_worker: float = 0
    cpus_per_worker: float = 1


# The measured defaults (docs/results.md, "Step-matched training"): for rows with a sentence label, insert.v1
# flipped the fewest labels of the MLM methods (level with EDA or below) on SST-2, TREC and SNIPS and was ahead of
# substitute's accuracy on TREC and SST-2; elsewhere (no label, token/tag, QA) substitute.v1, the method the
# NER protocol measured.
LABELLED_DEFAULT, DEFAULT = "insert", "substitute"


def default_method(record: Any, label_column: str | None) -> str:
    """The method a job runs when none is named: ``insert`` for sentence-labelled rows (a label column, and a
    record type whose label is the whole record's; ``record=None``: not known yet, taken as such), else
    ``substitute``."""
    labelled = bool(label_column) and (record is None or record.sentence_label)
    return LABELLED_DEFAULT if labelled else DEFAULT


@dataclass
class JobConfig:
    """Everything one augmentation job depends on (what the CLI parses its flags into)."""

    input: str | Path | None = None
    output: str | Path | None = None
    method: str | None = None  # None: the measured default, see default_method()
    params: dict[str, Any] = field(default_factory=dict)
    n: int = 1
    seed: int = 0
    model: str | None = None
    device: str | None = None
    dtype: str | None = None
    backend: str | None = None  # torch (default) or onnx
    token_budget: int = 8192
    max_attempts: int = 10
    text_columns: tuple[str, ...] = ()
    label_column: str | None = None
    tokens_column: str | None = None
    tags_column: str | None = None
    record: str | None = None
    keep_original: bool = False
    skip_bad_rows: bool = False
    restart: bool = False
    overwrite: bool = False
    constraints: ConstraintSpec = field(default_factory=ConstraintSpec)
    ray: RaySpec | None = None
    progress: bool = True
    chunk_size: int = 512
    limit: int | None = None  # only the first rows of the input
    input_format: str | None = None  # for standard input (``-``) or a file whose suffix says nothing
    output_format: str | None = None  # for standard output (``-o -``); default jsonl
    dry_run: int | None = None  # augment this many rows and show them; write nothing
    label_words: bool | None = None  # keep each row's label words (maskaug.salience); None: when labels are known
    choose: int = 1  # candidates drawn per output; the scorer keeps the best (maskaug.choosing)
    choose_by: str | None = None  # teacher, similarity, fluency or NAME=WEIGHT,... (needed when choose > 1)

    def check(self) -> None:
        """Every value in range, or a ValueError naming the flag."""

        def whole(flag: str, v: Any, low: int, high: int | None = None) -> None:
            if not isinstance(v, int) or isinstance(v, bool) or v < low or (high is not None and v > high):
                span = f"between {low} and {high}" if high is not None else f">= {low}"
                raise ValueError(f"{flag} must be a whole number {span}, not {v!r}")

        whole("--n", self.n, 1, MAX_N)
        whole("--seed", self.seed, 0, 2**63 - 1)
        whole("--max-attempts", self.max_attempts, 1, MAX_ATTEMPTS)
        whole("--token-budget", self.token_budget, 1)
        whole("--chunk-size", self.chunk_size, 1)
        whole("--choose", self.choose, 1, 64)
        if self.choose > 1 and not self.choose_by:
            raise ValueError("--choose K needs --choose-by teacher|similarity|fluency|NAME=WEIGHT,...")
        if self.limit is not None:
            whole("--limit", self.limit, 1)
        if self.dry_run is not None:
            whole("--dry-run", self.dry_run, 1, MAX_N)
        from maskaug.io.formats import FORMATS

        for flag, fmt in (("--input-format", self.input_format), ("--output-format", self.output_format)):
            if fmt is not None and fmt not in FORMATS:
                raise ValueError(f"{flag} must be one of {', '.join(FORMATS)}, not {fmt!r}")
        if self.output_format in ("parquet", "hf", "conll") and str(self.output) == "-":
            raise ValueError(f"--output-format {self.output_format} cannot be streamed to standard output; write "
                             f"jsonl, json, csv or tsv there, or -o FILE")
        if self.ray is not None:
            whole("--workers", self.ray.workers, 1)
            if self.ray.gpus_per_worker < 0 or self.ray.cpus_per_worker <= 0:
                raise ValueError("--gpus-per-worker must be >= 0 and --cpus-per-worker > 0")
        if self.dtype not in (None, "auto", "fp32", "float32", "bf16", "bfloat16", "fp16", "float16", "int8"):
            raise ValueError(f"--dtype must be auto, fp32, bf16, fp16 or int8, not {self.dtype!r}")
        if self.backend not in (None, "torch", "onnx"):
            raise ValueError(f"--backend must be torch or onnx, not {self.backend!r}")
        self.constraints.check()


@dataclass
class JobResult:
    """What a job did: its report, the rows it wrote and where, what it set aside and what fell short."""

    report: Any
    method: str
    output: Path | None = None
    written: int = 0
    resumed_rows: int = 0
    rejected: int = 0
    short: int = 0
    short_rows: list[int] = field(default_factory=list)  # 1-based row numbers of the first short rows
    records: list[dict[str, Any]] | None = None  # in memory (no output file)
    preview: list[tuple[str, str]] = field(default_factory=list)
    rejected_path: Path | None = None
    shortfall_path: Path | None = None
    describe: str = ""  # the method in one line
    dry_run: bool = False

    def summary(self) -> str:
        line = f"{self.describe or self.method}: {self.report.summary()}"
        if self.resumed_rows:
            line += f"; {self.resumed_rows} rows resumed"
        if self.short_rows:
            named = ", ".join(str(r) for r in self.short_rows[:5])
            more = f" and {self.short - 5} more" if self.short > 5 else ""
            where = f" (reasons in {self.shortfall_path.name})" if self.shortfall_path else ""
            line += f"; short: row{'s' if self.short > 1 else ''} {named}{more}{where}"
        if self.rejected:
            where = f" in {self.rejected_path.name}" if self.rejected_path else ""
            line += f"; {self.rejected} bad rows set aside{where}"
        if self.dry_run:
            line += "; dry run: nothing written"
        elif self.records is not None:
            line += f"; returned {len(self.records)} rows"
        elif self.output is not None:
            line += f"; wrote {self.written} rows to {self.output}"
        else:
            line += f"; wrote {self.written} rows to standard output"
        return line


class Interrupted(KeyboardInterrupt):
    """Ctrl-C: ``resumable`` says whether finished rows were kept for the same command to resume."""

    def __init__(self, resumable: bool, where: Path | None = None):
        super().__init__()
        self.resumable, self.where = resumable, where


class _Kinds:
    """The JSON kind of each column's values, for outputs whose columns have one type (Parquet, datasets)."""

    def __init__(self, path: Path):
        self.path, self.first = path, {}

    @staticmethod
    def kind(v: Any) -> str | None:
        if v is None or (isinstance(v, float) and math.isnan(v)):
            return None
        if isinstance(v, bool):
            return "true/false"
        if isinstance(v, (int, float)):
            return "number"
        return {str: "text", list: "list", dict: "object"}.get(type(v), type(v).__name__)

    def see(self, row_no: int, row: dict[str, Any]) -> None:
        for k, v in row.items():
            kind = self.kind(v)
            if kind is None:
                continue
            seen = self.first.setdefault(k, (kind, row_no))
            if seen[0] != kind:
                raise InputError(self.path, f"holds {kind} here but {seen[0]} on row {seen[1]}; a Parquet or datasets "
                                            f"column has one type: make them agree, or write .jsonl",
                                 row=row_no, field=k)


class AugmentJob:
    """One run of one method over one input (a file, or rows in memory)."""

    def __init__(self, config: JobConfig, rows: list[dict[str, Any]] | None = None,
                 ids: list[Any] | None = None, augmenter: Any = None):
        self.cfg = config
        self.rows, self.ids = rows, ids
        self.augmenter = augmenter
        self.log = (lambda msg: print(msg, file=sys.stderr)) if config.progress else (lambda msg: None)

    def __repr__(self) -> str:
        c = self.cfg
        return f"AugmentJob({c.method} x{c.n}, {c.input or 'rows in memory'} -> {c.output or 'memory'})"

    # -- 1. check ------------------------------------------------------------------------------------------------
    def _check(self):
        from maskaug.methods.registry import build, effective_params
        from maskaug.records import Options, detect

        cfg = self.cfg
        cfg.check()
        if self.augmenter is None:
            from maskaug.model.names import check_model_name

            check_model_name(cfg.model)  # a wrong --model fails before PyTorch is even imported
        first = self._first_row()
        options = Options(cfg.record, tuple(cfg.text_columns), cfg.tokens_column, cfg.tags_column)
        record = detect(first, options)
        if self.augmenter is not None:
            method = self.augmenter.method
            name, params = method.name, {}
        else:
            name, params = effective_params(cfg.method or default_method(record, cfg.label_column), **cfg.params)
            method = build(name, **cfg.params)
        self.method, self.method_name, self.params = method, name, params
        if self.augmenter is None:
            from maskaug.model.loading import pick_device, pick_runtime

            self.device = pick_device(cfg.device, cfg.backend)
            self.runtime, self.dtype = pick_runtime(cfg.backend, self.device, cfg.dtype)
        else:
            self.device, self.dtype = self.augmenter.mlm.device, self.augmenter.mlm.dtype
            self.runtime = self.augmenter.mlm.runtime
        caps = method.capabilities
        names = cfg.constraints.names() + [c.name for c in (self.augmenter.constraints if self.augmenter else ())]
        why = record.accepts(caps, names)
        if why:
            raise ValueError(f"{name}: {why}")
        cond = self._conditioning()
        have = cond.kind if cond is not None else None
        if caps.requires and caps.requires != have:
            raise ValueError(f"method {name} needs a model fine-tuned with `maskaug finetune --conditioning "
                             f"{caps.requires}`; {cfg.model or 'the built-in model'} has conditioning {have or 'none'}")
        record.bind(caps, cond)
        self.record, self.conditioning = record, cond
        label = cfg.label_column or (cond.label_column if cond is not None and cond.uses_row_label else None)
        if (cfg.constraints.teacher or "teacher" in (cfg.choose_by or "")) and not label:
            label = "label"
        if label and not record.sentence_label and cfg.constraints.teacher:
            raise ValueError("the teacher judges sentence labels; these records have none")
        self.label_column = label
        self.known_labels = list(cond.labels) if cond is not None and cond.uses_row_label else None

    def _first_row(self) -> dict[str, Any] | None:
        if self.rows is not None:
            return self.rows[0] if self.rows else None
        from maskaug.io.jsonsafe import unsupported
        from maskaug.io.readers import Rows

        path = self.cfg.input
        if str(path) == "-":
            path = self._spool_stdin(self.cfg.input_format or "jsonl")
        self.source = Rows(path, self.cfg.input_format if str(self.cfg.input) != "-" else None)
        if self.source.arrow_schema is not None:
            for f in self.source.arrow_schema:
                why = unsupported(f.type)
                if why:
                    raise InputError(self.source.path, f"the column {why}; drop or convert it first", field=f.name)
        return next(iter(self.source), None)

    def _spool_stdin(self, fmt: str) -> Path:
        """Standard input copied to a temporary file (the job reads its input twice), removed at the end."""
        import shutil
        import tempfile

        if fmt in ("parquet", "hf"):
            raise ValueError(f"--input-format {fmt} cannot be read from standard input; give a file")
        self._spool = Path(tempfile.mkdtemp(prefix="maskaug-stdin-"))
        path = self._spool / f"stdin.{fmt}"
        with open(path, "wb") as fh:
            shutil.copyfileobj(sys.stdin.buffer, fh, 1 << 20)
        return path

    def _conditioning(self):
        """The model's conditioning record, read from its folder without loading the weights."""
        if self.augmenter is not None:
            return self.augmenter.mlm.conditioning
        from maskaug.conditioning import Conditioning

        model = self.cfg.model
        if model is None or not Path(model).expanduser().is_dir():
            return None
        return Conditioning.load(Path(model).expanduser())

    # -- 2. validate -----------------------------------------------------------------------------------------
    def _validate(self) -> tuple[int, int]:
        """One pass over the input: ``(rows, bad rows)``; raises on the first bad row unless skipping."""
        from maskaug.pipeline import row_problem

        cfg, record = self.cfg, self.record
        path = self.source.path if self.rows is None else Path("input")
        kinds = _Kinds(path) if self.rows is None and self.out_fmt in COLUMNAR else None
        teach = cfg.constraints.teacher == "train" or "teacher" in (cfg.choose_by or "")
        self.teacher_data: tuple[list, list] = ([], [])
        self.salience = None
        if self.label_words_on():
            from maskaug.salience import Salience

            self.salience = Salience()
        count = bad = 0
        for i, row in enumerate(self._input()):
            count += 1
            if i == 0:
                missing = [c for c in [*record.columns(), *([self.label_column] if self.label_column else [])]
                           if c not in row]
                if missing:
                    raise InputError(path, f"no such column; columns are {sorted(row)}", field=missing[0])
            problem = row_problem(record, row, self.label_column, self.known_labels)
            if problem is not None:
                if not cfg.skip_bad_rows:
                    raise InputError(path, problem[1] + " (use --skip-bad-rows to set such rows aside)", row=i + 1,
                                     field=problem[0])
                bad += 1
                continue
            if kinds is not None:
                kinds.see(i + 1, row)
            if teach or self.salience is not None:
                judged = record.judged(record.view(row).texts)
            if teach:
                self.teacher_data[0].append(judged)
                self.teacher_data[1].append(row[self.label_column])
            if self.salience is not None:
                self.salience.add(judged, row[self.label_column])
        return count, bad

    def label_words_on(self) -> bool:
        """Whether each row's label words are kept: asked for, or by default whenever rows have a sentence label
        (and the method may change any word)."""
        if self.cfg.label_words is not None:
            return bool(self.cfg.label_words) and self.label_column is not None
        return (self.label_column is not None and self.record.sentence_label
                and self.method.capabilities.edits == "any"
                and not (self.conditioning is not None and self.conditioning.uses_row_label))

    def _input(self) -> Iterator[dict[str, Any]]:
        if self.rows is not None:
            return iter(self.rows)
        from itertools import islice

        return islice(iter(self.source), self.cfg.limit)

    def _constraints(self) -> list:
        from maskaug.constraints import build

        c = self.cfg.constraints
        texts, labels = getattr(self, "teacher_data", (None, None))
        return build(min_edit_rate=c.min_edit_rate, max_edit_rate=c.max_edit_rate, min_similarity=c.min_similarity,
                     max_fluency_drop=c.max_fluency_drop, teacher=c.teacher, teacher_mode=c.teacher_mode,
                     texts=texts if c.teacher == "train" else None, labels=labels if c.teacher == "train" else None)

    def _scorer(self):
        """The choice stage's scorer (``--choose-by``), its teacher trained on the input's labelled rows."""
        if self.cfg.choose <= 1 or not self.cfg.choose_by:
            return None
        from maskaug.choosing import build

        teacher = None
        if "teacher" in self.cfg.choose_by:
            from maskaug.constraints import Teacher

            texts, labels = self.teacher_data
            teacher = Teacher(texts, labels)
        return build(self.cfg.choose_by, teacher=teacher)

    def _augmenter(self):
        from maskaug.augmenter import Augmenter

        if self.augmenter is not None:
            if self.cfg.constraints.names():
                self.augmenter.constraints = self._constraints()
            return self.augmenter
        cfg = self.cfg
        return Augmenter(self.method, model=cfg.model, n=cfg.n, seed=cfg.seed, max_attempts=cfg.max_attempts,
                         token_budget=cfg.token_budget, device=cfg.device, dtype=cfg.dtype,
                         backend=cfg.backend, chunk_size=cfg.chunk_size, progress=cfg.progress,
                         constraints=self._constraints(),
                         choose=cfg.choose, scorer=self._scorer())

    # -- 3. resume state -------------------------------------------------------------------------------------
    def fingerprint(self) -> str:
        from maskaug.fingerprint import fingerprint, model_fingerprint
        from maskaug.io.writers import file_digest

        cfg = self.cfg
        data = file_digest(self.source.path) if self.rows is None else _rows_digest(self.rows)
        model = self.augmenter.mlm.name if self.augmenter is not None else cfg.model
        return fingerprint({
            "input": data, "record": repr(self.record), "method": self.method_name, "params": self.params,
            "model": model_fingerprint(model), "n": cfg.n, "seed": cfg.seed, "max_attempts": cfg.max_attempts,
            "keep_original": cfg.keep_original, "skip_bad_rows": cfg.skip_bad_rows, "label_column": self.label_column,
            "constraints": asdict(cfg.constraints), "device": self.device.type, "limit": cfg.limit,
            "label_words": repr(self.salience) if self.salience is not None else None,
            "choose": [cfg.choose, cfg.choose_by],
            "dtype": str(self.dtype) if self.dtype else "fp32",
            **({"runtime": self.runtime} if self.runtime != "torch" else {})})

    # -- 4. run ----------------------------------------------------------------------------------------------
    def _runner(self, augmenter):
        from maskaug.pipeline import Pipeline

        if self.cfg.ray is not None:
            from maskaug.distributed import RayRunner

            return RayRunner(self.cfg, self.method_name, self.params, self.record, self.label_column,
                             self._constraints(), self.known_labels, self.salience, self._scorer())
        return Pipeline(augmenter, self.record, self.label_column, self.cfg.keep_original, self.known_labels,
                        self.salience)

    # -- the whole job ---------------------------------------------------------------------------------------
    def run(self) -> JobResult:
        try:
            self._check()
            if self.rows is None and self.cfg.dry_run:
                return self._dry_run()
            if self.rows is None and str(self.cfg.output) == "-":
                return self._run_stdout()
            if self.rows is None:
                return self._run_file()
            return self._run_memory()
        except KeyboardInterrupt as exc:
            if isinstance(exc, Interrupted):
                raise
            raise Interrupted(False) from None
        finally:
            spool = getattr(self, "_spool", None)
            if spool is not None:
                import shutil

                shutil.rmtree(spool, ignore_errors=True)

    def _output_path(self) -> Path:
        src = self.source.path
        if self.cfg.output:
            return Path(self.cfg.output)
        if str(self.cfg.input) == "-":
            raise ValueError("reading standard input (-) needs -o OUTPUT (or -o - for standard output)")
        from maskaug.io.formats import compression_of

        stem = src.with_suffix("") if compression_of(src) is None else src.with_suffix("").with_suffix("")
        return stem.with_name(stem.name + ".augmented.jsonl")

    def _dry_run(self) -> JobResult:
        """Augment the first ``dry_run`` rows in memory and return them; check the output path, write nothing."""
        from itertools import islice

        from maskaug.output import OutputTarget

        if self.cfg.output and str(self.cfg.output) != "-":
            OutputTarget(self._output_path(), [self.source.path], overwrite=self.cfg.overwrite).check()
        self.rows = list(islice(iter(self.source), self.cfg.dry_run))
        result = self._run_memory()
        result.dry_run = True
        return result

    def _run_stdout(self) -> JobResult:
        """Rows written to standard output as they finish (no lock, no partial output, no side files)."""
        import io

        from maskaug.io.writers import CsvStream, stream_records

        cfg = self.cfg
        fmt = cfg.output_format or "jsonl"
        self.out_fmt = fmt
        total, _ = self._validate()
        aug = self._augmenter() if cfg.ray is None else None
        runner = self._runner(aug)
        result = JobResult(runner.report if aug is None else aug.report, self.method_name,
                           describe=self._describe())
        out = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="", write_through=True)
        items = ((i, i, row) for i, row in enumerate(self._input()))
        results = runner.run(items, skip_bad=cfg.skip_bad_rows, total=total)

        def records():
            for res in results:
                self._tally(result, res)
                self._preview(result, res)
                yield from res.records

        try:
            if fmt in ("csv", "tsv"):
                stream = CsvStream(out, "\t" if fmt == "tsv" else ",")
                for rec in records():
                    stream.write(rec)
                    result.written += 1
            else:
                result.written = stream_records(out, fmt, records(), flush=True)
            out.flush()
        finally:
            try:
                out.detach()
            except (ValueError, OSError):
                pass
        return result

    def _describe(self) -> str:
        text = getattr(self.method, "describe", lambda: self.method_name)()
        extra = []
        if getattr(self, "salience", None) is not None:
            extra.append("label words kept")
        if self.cfg.choose > 1:
            extra.append(f"best of {self.cfg.choose} by {self.cfg.choose_by}")
        if extra:
            text = text[:-1] + ", " + ", ".join(extra) + ")" if text.endswith(")") else f"{text} ({', '.join(extra)})"
        return text

    def _preview(self, result: JobResult, res) -> None:
        if len(result.preview) < PREVIEW and res.records and res.produced:
            out = [r for r in res.records if not r.get("aug_is_original")][0]
            result.preview.extend(self.record.preview(res.row, out))

    def _run_memory(self) -> JobResult:
        from maskaug.pipeline import RowError

        self.out_fmt = None
        self._validate()
        aug = self._augmenter()
        runner = self._runner(aug)
        ids = self.ids if self.ids is not None else list(range(len(self.rows)))
        records: list[dict[str, Any]] = []
        result = JobResult(aug.report, aug.method.name, describe=self._describe())
        try:
            for res in runner.run(((i, rid, row) for i, (rid, row) in enumerate(zip(ids, self.rows))),
                                  skip_bad=self.cfg.skip_bad_rows, total=len(self.rows)):
                self._tally(result, res)
                records.extend(res.records)
        except RowError as exc:  # pragma: no cover - validated above
            raise InputError("input", exc.problem, row=exc.index + 1, field=exc.field) from None
        result.records = records
        return result

    def _run_file(self) -> JobResult:
        from maskaug.output import OutputTarget

        cfg = self.cfg
        src = self.source.path
        output = self._output_path()
        # a folder, or a path without a suffix, is a 🤗 datasets save_to_disk folder
        self.out_fmt = "hf" if output.is_dir() or not output.suffix else detect_format(output)
        if self.out_fmt == "conll":
            raise OutputError(output, "CoNLL is read, not written (it has no place for provenance); write .jsonl or "
                                      ".parquet")
        target = OutputTarget(output, [src], overwrite=cfg.overwrite)
        target.check()
        total, bad = self._validate()
        if cfg.ray is None:
            aug = self._augmenter()
        else:
            aug = None
        key = self.fingerprint()
        from maskaug.checkpoint import Partial

        target.acquire()
        try:
            partial = Partial(target.side, key, restart=cfg.restart, describe=repr(self))
        except BaseException:
            target.release(keep_partial=True)  # another job's partial output stays for --restart to discard
            raise
        try:
            if partial.done:
                self.log(f"resuming: {partial.done} rows ({partial.kept} records) already done in "
                         f"{target.side.name}/{partial.path.name}")
            runner = self._runner(aug)
            report = runner.report if aug is None else aug.report
            result = JobResult(report, self.method_name, output, resumed_rows=partial.done,
                               describe=self._describe())
            start = partial.done
            items = ((i, i, row) for i, row in enumerate(self._input()) if i >= start)
            for res in runner.run(items, skip_bad=cfg.skip_bad_rows, total=total - start):
                partial.add(res.entry())
                self._preview(result, res)
            self._write(target, partial, result)
        except BaseException as exc:
            # finished rows of this job are kept for the same command to resume, unless rerunning cannot help
            keep = partial.done > 0 and not isinstance(exc, (OutputError, InputError))
            partial.close()
            target.release(keep_partial=keep)
            if isinstance(exc, KeyboardInterrupt):
                raise Interrupted(keep, target.side) from None
            if isinstance(exc, OSError):
                from maskaug.io.errors import os_error_line

                tail = "; finished rows are kept: rerun the same command to resume" if keep else ""
                raise OutputError(output, f"cannot write: {os_error_line(exc)}{tail}") from None
            raise
        target.release(keep_partial=False)
        return result

    def _tally(self, result: JobResult, res) -> None:
        if res.rejected is not None:
            result.rejected += 1
        elif res.produced < res.requested:
            result.short += 1
            if len(result.short_rows) < 5:
                result.short_rows.append(res.index + 1)

    # -- 5. write ----------------------------------------------------------------------------------------------
    def _write(self, target, partial, result: JobResult) -> None:
        from maskaug import __version__
        from maskaug.io.writers import write_records

        arrow_types = {f.name: f.type for f in self.source.arrow_schema} if self.source.arrow_schema else {}
        meta = {"maskaug": __version__, "method": self.method_name}
        tmp = target.tmp_dir()
        result.written = write_records(target.path, self.out_fmt, partial.records, tmp, arrow_types, meta)
        for entry in partial.entries():
            if "rejected" in entry:
                result.rejected += 1
            elif entry["produced"] < entry["requested"]:
                result.short += 1
                if len(result.short_rows) < 5:
                    result.short_rows.append(entry["row"] + 1)

        def rejected() -> Iterable[dict[str, Any]]:
            for e in partial.entries():
                if "rejected" in e:
                    yield {"row": e["row"] + 1, **e["rejected"]}

        def short() -> Iterable[dict[str, Any]]:
            for e in partial.entries():
                if "rejected" not in e and e["produced"] < e["requested"]:
                    yield {"row": e["row"] + 1, "aug_source_row": e["id"], "requested": e["requested"],
                           "produced": e["produced"], "reason": e.get("reason", "")}

        for count, path, rows, attr in ((result.rejected, target.rejected, rejected, "rejected_path"),
                                        (result.short, target.shortfall, short, "shortfall_path")):
            if count:
                write_records(path, "jsonl", rows, tmp)
                setattr(result, attr, path)
            else:
                path.unlink(missing_ok=True)  # a stale one from an earlier run (only there with --overwrite)
        partial.close()


def _rows_digest(rows: list[dict[str, Any]]) -> str:
    import hashlib

    from maskaug.io.jsonsafe import dumps

    h = hashlib.sha256()
    for r in rows:
        h.update(dumps(r).encode("utf-8") + b"\n")
    return h.hexdigest()


def run(config: JobConfig) -> JobResult:
    """Run one job and return its result."""
    return AugmentJob(config).run()
