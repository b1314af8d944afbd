"""The one augmentation job: check → read and validate → resume state → run → write, with the summary.

``maskaug augment`` is ``AugmentJob(JobConfig(...)).run()``; so are ``maskaug.augment_file`` and, for rows
held in memory, ``maskaug.augment``. The stages, in order:

1. **check** the settings (every option's value, the method and its parameters, the device, the record type
   against the method and the model's conditioning, the output path) — nothing is created yet;
2. **validate** the input in one streaming pass (each bad row named by file, row and field as it is met, or
   counted with ``skip_bad_rows``), then load the model (under Ray only the actors load one);
3. **resume**: take the output's lock and its partial output (``maskaug.checkpoint``), keyed by the job's
   fingerprint (``maskaug.fingerprint``), skipping the rows an interrupted run finished;
4. **run** the rows through the ``Pipeline`` (or Ray actors), a chunk at a time,
   each finished row appended to the partial file;
5. **write** the output from the partial file (streaming, atomic rename), the rejected and shortfall side
   files, and remove the working files.

A failure after stage 3 began removes what the job created, unless finished rows make it resumable.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from maskaug.io.errors import InputError, OutputError
from maskaug.io.formats import COLUMNAR, detect_format

MAX_N = 1000  # outputs per row: candidates of a chunk are held at once
MAX_ATTEMPTS = 1000
PREVIEW = 3


@dataclass
class ConstraintSpec:
    """The constraint options (``--teacher``, ``--min-similarity``, ...).

    Args:
        min_edit_rate: Word edit distance over source words, at least.
        max_edit_rate: Word edit distance over source words, at most.
        min_similarity: Cosine of MiniLM sentence embeddings to the source, at least.
        max_fluency_drop: Largest drop in per-token pseudo-log-likelihood against the source.
        teacher: ``"train"`` (a logistic regression on the input's labels), a classifier folder, or a file of
            labelled rows (a logistic regression on them: pseudo-labels for unlabelled input).
        teacher_mode: ``filter`` (keep outputs the teacher labels like the source), ``hard`` or ``soft`` (keep
            all, attach its label or probabilities).
        min_confidence: The teacher rejects candidates whose top class probability is lower.
    """

    min_edit_rate: float | None = None
    max_edit_rate: float | None = None
    min_similarity: float | None = None
    max_fluency_drop: float | None = None
    teacher: str | None = None  # "train" (logistic regression on the input's labels), a classifier folder, or a
    # file of labelled rows (a logistic regression on them: pseudo-labels for unlabelled input)
    teacher_mode: str = "filter"
    min_confidence: float | None = None  # the teacher rejects candidates whose top probability is lower

    def names(self) -> list[str]:
        """The names of the constraints these options turn on."""
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
        """Every value in range, or a ValueError naming the flag."""
        for flag, v in (("--min-edit-rate", self.min_edit_rate), ("--max-edit-rate", self.max_edit_rate)):
            if v is not None and not (isinstance(v, (int, float)) and 0 <= v and math.isfinite(v)):
                raise ValueError(f"{flag} must be a number >= 0, not {v!r}")
        if self.min_similarity is not None and not -1 <= self.min_similarity <= 1:
            raise ValueError(f"--min-similarity is a cosine in [-1, 1], not {self.min_similarity}")
        if self.max_fluency_drop is not None and not (self.max_fluency_drop >= 0):
            raise ValueError(f"--max-fluency-drop must be >= 0, not {self.max_fluency_drop}")
        if self.teacher_mode not in ("filter", "hard", "soft"):
            raise ValueError(f"--teacher-mode must be filter, hard or soft, not {self.teacher_mode!r}")
        if self.teacher and self.teacher != "train" and not Path(self.teacher).exists():
            raise ValueError(f"--teacher {self.teacher}: no such classifier folder or file of labelled rows")
        if self.min_confidence is not None:
            if not self.teacher:
                raise ValueError("--min-confidence is the teacher's: add --teacher")
            if isinstance(self.min_confidence, bool) or not 0 < self.min_confidence <= 1:
                raise ValueError(f"--min-confidence is a probability in (0, 1], not {self.min_confidence!r}")

    @property
    def teacher_file(self) -> bool:
        """Whether the teacher is trained on a file of labelled rows (not the input's, not a classifier)."""
        return bool(self.teacher) and self.teacher != "train" and Path(self.teacher).is_file()

    @property
    def teacher_reads_input_labels(self) -> bool:
        """Whether the teacher needs the input rows' labels: trained on them, or filtering by them."""
        return self.teacher == "train" or (bool(self.teacher) and self.teacher_mode == "filter")


@dataclass
class RaySpec:
    """Where and how wide to scale out (``--ray``).

    Args:
        address: ``local`` (start a Ray here), ``auto`` (join a running one) or ``ray://HOST:10001``.
        workers: Ray actors, one model each.
        gpus_per_worker: GPUs per actor.
        cpus_per_worker: CPUs per actor.
    """

    address: str = "local"
    workers: int = 2
    gpus_per_worker: float = 0
    cpus_per_worker: float = 1


# The measured defaults (docs/results.md, "Step-matched training" and "Fluent defaults"): for rows with a sentence
# label, insert flipped the fewest labels of the MLM methods (below EDA on TREC and SST-2, v1 and v2 alike) and was
# ahead of substitute's accuracy on TREC and SST-2; elsewhere (no label, token/tag, QA) substitute, the method the
# NER protocol measured.
LABELLED_DEFAULT, DEFAULT = "insert", "substitute"


def default_method(record: Any, label_column: str | None) -> str:
    """The method a job runs when none is named: ``insert`` for sentence-labelled rows, else ``substitute``.

    Args:
        record: The rows' record type; its label must be the whole record's (``None``: not known yet, taken as
            such).
        label_column: The label field, if any.

    Returns:
        The method's name.
    """
    labelled = bool(label_column) and (record is None or record.sentence_label)
    return LABELLED_DEFAULT if labelled else DEFAULT


# Settings that change how or where a job runs, never which rows it writes (so a run resumes across them): fp32
# output does not depend on batching (token_budget, chunk_size), nor on Ray (a --ray run resumes a local one).
RUN_ONLY = ("input", "output", "progress", "restart", "overwrite", "ray", "chunk_size", "token_budget",
            "output_format", "dry_run")


@dataclass
class JobConfig:
    """Everything one augmentation job depends on (what the CLI parses its flags into).

    Args:
        input: The file to read, or ``-`` for standard input.
        output: The file to write, or ``-`` for standard output (default: ``input``'s name + ``.augmented.jsonl``).
        method: A registered method (default: ``insert`` for sentence-labelled rows, else ``substitute``).
        params: The method's parameters (``{"rate": 0.2}``).
        n: Outputs per input row.
        seed: The randomness of every output: the same seed gives the same outputs.
        model: A model name or local folder (default: the built-in model).
        device: ``cpu``, ``cuda``, ``cuda:1`` or ``mps`` (default: the best available).
        dtype: ``auto``, ``fp32``, ``bf16`` or ``fp16``; ``int8`` with the ONNX backend.
        backend: ``torch`` (default) or ``onnx``.
        token_budget: Padded tokens per forward pass.
        max_attempts: Tries per output before the row is reported short.
        text_columns: The text field(s); two for sentence pairs (default ``text``; QA: context and/or question).
        label_column: The label field (default: ``label`` or ``labels`` when the first row has one; ``none``: no
            label).
        tokens_column: Token/tag records: the list-of-tokens field (default ``tokens``).
        tags_column: Token/tag records: the BIO tags field (default ``tags``).
        record: The rows' shape: ``text``, ``tagged`` or ``qa`` (default: detected).
        keep_original: Also write each input row.
        skip_bad_rows: Set bad rows aside in ``OUTPUT.rejected.jsonl`` instead of failing.
        restart: Discard the partial output of an interrupted run instead of resuming it.
        overwrite: Replace an existing output file (a folder maskaug did not write is never replaced).
        constraints: The constraint options (``ConstraintSpec``).
        ray: Run on Ray actors (``RaySpec``); ``None``: in this process.
        progress: Show progress and the summary on standard error.
        chunk_size: Rows generated together.
        limit: Augment only the first rows of the input.
        input_format: The input's format when its name does not say (standard input: default jsonl).
        output_format: The format written to standard output (default jsonl).
        dry_run: Augment this many rows and show them; write nothing.
        label_words: Keep each row's label words (``maskaug.salience``); ``None``: when labels are known.
        choose: Candidates drawn per output; the scorer keeps the best (``maskaug.choosing``).
        choose_by: ``teacher``, ``similarity``, ``fluency`` or ``NAME=WEIGHT,...`` (needed when ``choose`` > 1).
    """

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

    def augmenter_settings(self) -> dict[str, Any]:
        """The settings an ``Augmenter`` takes from this config (its constraints and scorer
        are built by the job from the input): the one place a job's options become an augmenter's, for a local run
        and for each Ray actor."""
        return {"model": self.model, "n": self.n, "seed": self.seed, "max_attempts": self.max_attempts,
                "token_budget": self.token_budget, "device": self.device, "dtype": self.dtype,
                "backend": self.backend, "chunk_size": self.chunk_size, "progress": self.progress,
                "choose": self.choose}

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
        from maskaug.model.names import check_runtime

        check_runtime(self.backend, self.dtype)
        self.constraints.check()


@dataclass
class JobResult:
    """What a job did: its report, the rows it wrote and where, what it set aside and what fell short.

    Args:
        report: The run's counts (``maskaug.augmenter.Report``).
        method: The method's versioned name.
        output: The file written, if any.
        written: Rows written.
        resumed_rows: Input rows an earlier, interrupted run had finished.
        rejected: Bad rows set aside.
        short: Rows that got fewer outputs than asked.
        short_rows: 1-based row numbers of the first short rows.
        records: The output rows, when they were kept in memory (no output file).
        preview: A few ``(source, output)`` pairs to show.
        rejected_path: Where bad rows were set aside.
        shortfall_path: Where each short row's reason was written.
        describe: The method in one line.
        dry_run: Whether nothing was written.
        columns: Which columns were read as text and label.
    """

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
    columns: str = ""  # which columns were read as text and label

    def summary(self) -> str:
        """The job in one line: what was made, resumed, short, set aside and written where."""
        line = f"{self.describe or self.method}: {self.report.summary()}"
        if self.columns:
            line += f"; {self.columns}"
        if self.resumed_rows:
            line += f"; {self.resumed_rows} rows resumed"
        if self.short_rows:
            named = ", ".join(str(r) for r in self.short_rows[:5])
            more = f" and {self.short - 5} more" if self.short > 5 else ""
            where = f" (reasons in {self.shortfall_path.name})" if self.shortfall_path else ""
            line += f"; short: row{'s' if self.short > 1 else ''} {named}{more}{where}"
        if self.rejected:
            where = f" in {self.rejected_path.name}" if self.rejected_path else ""
            line += f"; {self.rejected} bad row{'' if self.rejected == 1 else 's'} set aside{where}"
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
    """One run of one method over one input file (or standard input). Rows held in memory enter at the pipeline
    level instead (``maskaug.pipeline.augment_records``).

    Args:
        config: What the job reads, runs and writes.
    """

    def __init__(self, config: JobConfig):
        self.cfg = config
        self.rows: list[dict[str, Any]] | None = None  # a dry run's rows, read from the input
        self.log = (lambda msg: print(msg, file=sys.stderr)) if config.progress else (lambda msg: None)

    def __repr__(self) -> str:
        c = self.cfg
        return f"AugmentJob({c.method} x{c.n}, {c.input} -> {c.output or 'default output'})"

    # -- 1. check ------------------------------------------------------------------------------------------------
    def _check(self):
        from maskaug.methods.registry import build, effective_params
        from maskaug.model.loading import pick_device, pick_runtime
        from maskaug.model.names import check_model_name
        from maskaug.pipeline import bind
        from maskaug.records import Options, detect, find_label_column

        cfg = self.cfg
        cfg.check()
        check_model_name(cfg.model)  # a wrong --model fails before PyTorch is even imported
        first = self._first_row()
        options = Options(cfg.record, tuple(cfg.text_columns), cfg.tokens_column, cfg.tags_column)
        record = detect(first, options)
        label_column = find_label_column(first, record, cfg.label_column, self.source.class_labels)
        self.label_found = cfg.label_column is None and label_column is not None  # found by its name
        name, params = effective_params(cfg.method or default_method(record, label_column), **cfg.params)
        self.method, self.method_name, self.params = build(name, **cfg.params), name, params
        self.device = pick_device(cfg.device, cfg.backend)
        self.runtime, self.dtype = pick_runtime(cfg.backend, self.device, cfg.dtype)
        teacher = cfg.constraints.teacher_reads_input_labels or "teacher" in (cfg.choose_by or "")
        self.binding = bind(first, options, self.method, self._conditioning(), label_column,
                            cfg.constraints.names(), teacher=teacher, model_name=cfg.model)
        self.record, self.conditioning = self.binding.record, self.binding.conditioning
        self.label_column, self.known_labels = self.binding.label_column, self.binding.known_labels

    def _first_row(self) -> dict[str, Any] | None:
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
        from maskaug.conditioning import Conditioning

        model = self.cfg.model
        if model is None or not Path(model).expanduser().is_dir():
            return None
        return Conditioning.load(Path(model).expanduser())

    # -- 2. validate -----------------------------------------------------------------------------------------
    def _validate(self) -> tuple[int, int]:
        """One pass over the input: ``(rows, bad rows)``; raises on the first bad row unless skipping. Learns the
        label words and the teacher's rows on the way (``maskaug.pipeline.scan``)."""
        from maskaug.pipeline import scan, wants_label_words

        cfg = self.cfg
        path = self.source.path
        kinds = _Kinds(path) if self.out_fmt in COLUMNAR else None
        teach = cfg.constraints.teacher == "train" or "teacher" in (cfg.choose_by or "")
        self.teacher_data: tuple[list, list] = ([], [])
        self.salience = None
        if wants_label_words(cfg.label_words, self.binding, self.method):
            from maskaug.salience import Salience

            self.salience = Salience()
        return scan(self._input(), self.binding, path, cfg.skip_bad_rows, self.salience,
                    self.teacher_data if teach else None, kinds.see if kinds is not None else None)

    def _input(self) -> Iterator[dict[str, Any]]:
        from itertools import islice

        return islice(iter(self.source), self.cfg.limit if self.rows is None else len(self.rows))

    def _constraints(self) -> list:
        from maskaug.constraints import build

        c = self.cfg.constraints
        texts, labels = getattr(self, "teacher_data", (None, None))
        teacher = c.teacher
        if c.teacher_file:  # a logistic regression on another file's labelled rows
            texts, labels = self._teacher_rows(Path(c.teacher))
            teacher = "train"
        return build(min_edit_rate=c.min_edit_rate, max_edit_rate=c.max_edit_rate, min_similarity=c.min_similarity,
                     max_fluency_drop=c.max_fluency_drop, teacher=teacher, teacher_mode=c.teacher_mode,
                     texts=texts if teacher == "train" else None, labels=labels if teacher == "train" else None,
                     min_confidence=c.min_confidence)

    def _teacher_rows(self, path: Path) -> tuple[list, list]:
        """The texts (a tuple per pair) and labels of ``--teacher FILE``, read with the job's text columns and
        label column (default ``label``); a bad row is an error naming the file, row and field."""
        from maskaug.io import InputError, read_rows, validate

        fields = list(self.binding.record.fields) or ["text"]
        label = self.label_column or "label"
        rows = read_rows(path)
        if not rows:
            raise InputError(path, "no rows")
        validate(path, rows, fields, label)
        texts = [r[fields[0]] if len(fields) == 1 else tuple(r[f] for f in fields) for r in rows]
        return texts, [str(r[label]) for r in rows]

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

        return Augmenter(self.method, constraints=self._constraints(), scorer=self._scorer(),
                         **self.cfg.augmenter_settings())

    # -- 3. resume state -------------------------------------------------------------------------------------
    def fingerprint(self) -> str:
        """What decides the rows this job writes: every setting (but those that only change how or where it runs,
        ``RUN_ONLY``), the input's bytes, the resolved method with its effective parameters, the record type,
        the model's content, the device, dtype and runtime it resolved to, and the label words learnt."""
        from maskaug.fingerprint import fingerprint, model_fingerprint
        from maskaug.io.writers import file_digest

        cfg = self.cfg
        settings = {f.name: getattr(cfg, f.name) for f in fields(cfg) if f.name not in RUN_ONLY}
        return fingerprint({
            "settings": settings, "input": file_digest(self.source.path), "record": repr(self.record),
            "method": self.method_name, "params": self.params, "model": model_fingerprint(cfg.model),
            "label_column": self.label_column, "device": self.device.type,
            "dtype": str(self.dtype) if self.dtype else "fp32", "runtime": self.runtime,
            "label_words": repr(self.salience) if self.salience is not None else None})

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
        """Check, validate, resume, run and write; the ``JobResult``. Ctrl-C raises ``Interrupted``."""
        try:
            self._check()
            if self.cfg.dry_run:
                return self._dry_run()
            if str(self.cfg.output) == "-":
                return self._run_stdout()
            return self._run_file()
        except KeyboardInterrupt as exc:
            if isinstance(exc, Interrupted):
                raise
            raise Interrupted(False) from None
        except InputError as exc:
            spool = getattr(self, "_spool", None)
            path = "standard input" if spool is not None and Path(exc.path).parent == spool else exc.path
            reason = exc.reason
            if getattr(self, "label_found", False) and exc.field == self.label_column:  # not asked for: say how
                reason += f"; the label column {exc.field} was found by its name, --label-column none ignores it"
            if (path, reason) == (exc.path, exc.reason):
                raise
            raise InputError(path, reason, exc.row, exc.field) from None
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
        self.rows = list(islice(self._input(), self.cfg.dry_run))
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
                           describe=self._describe(), columns=self._columns())
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

    def _columns(self) -> str:
        """Which columns the job read: ``read text, label label (found by its name)``."""
        record = self.binding.record
        text = record.describe()
        if self.label_column is None:
            return f"read {text}, no label column"
        how = " (found by its name; --label-column none to ignore it)" if self.label_found else ""
        return f"read {text}, label column {self.label_column}{how}"

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
        """A dry run's rows (read from the input), augmented in memory and returned."""
        self.out_fmt = None
        self._validate()
        aug = self._augmenter()
        runner = self._runner(aug)
        records: list[dict[str, Any]] = []
        result = JobResult(aug.report, aug.method.name, describe=self._describe(), columns=self._columns())
        for res in runner.run(((i, i, row) for i, row in enumerate(self.rows)), skip_bad=self.cfg.skip_bad_rows,
                              total=len(self.rows)):
            self._tally(result, res)
            records.extend(res.records)
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
                               describe=self._describe(), columns=self._columns())
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


def route(options: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Keyword options split into ``JobConfig`` settings and method parameters (``rate=0.2``), the way a
    transformers pipeline sanitises its parameters: ``augment_file(**kwargs)`` routes here, and a job's settings
    become an augmenter's in ``JobConfig.augmenter_settings``. Method parameters are checked against the
    method when the job builds it."""
    settings = {f.name for f in fields(JobConfig)} - {"input", "output", "method", "params", "n"}
    return ({k: v for k, v in options.items() if k in settings},
            {k: v for k, v in options.items() if k not in settings})


def run(config: JobConfig) -> JobResult:
    """Run one job and return its result."""
    return AugmentJob(config).run()
