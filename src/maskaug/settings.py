"""A job's settings, and the one step that routes any caller's keyword arguments to where they belong.

``route`` splits keywords the way a 🤗 pipeline sanitises its parameters: **job settings** (the fields of
``JobConfig``: ``seed``, ``model``, ``label_column``, ...), **constraint options** (``ConstraintSpec``'s fields:
``max_edit_rate``, ``teacher``, ...), **training options** (how ``maskaug evaluate``'s learner trains on the rows an
arm adds: ``aug_weight``, ``guard``, ``label_lr``, ``teacher=classifier``) and **method parameters** (everything
else, each value checked: ``rate=0.2``). ``augment_file``, ``augment``, the CLI's ``--param`` and ``--config``, Ray's
``augment_dataset`` and evaluate's method specs all route here.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from maskaug.constraints import CONSTRAINT_OPTIONS, ConstraintSpec, build

MAX_N = 1000  # outputs per row: candidates of a chunk are held at once
MAX_ATTEMPTS = 1000

# The measured defaults (docs/results.md): for rows with a sentence label, insert flipped the fewest labels of the
# MLM methods (v1, v2 and v3 alike; judged blind, insert.v3 kept the label in 97% of outputs, the only v3 at >= 95%,
# with 69% of outputs acceptable); elsewhere (no label, token/tag, QA) substitute, the method the NER protocol
# measured and the v3 a blind reader accepted most often (74%). A name without a version takes the newest: insert.v6
# (v5 and three rules on what a new word may be and where; judged on fresh rows, 72.0% acceptable over three rounds,
# v5 58.6% in two of them) and substitute.v4 (v3 plus two rules; 63% against v3's 56%).
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
# The job settings an ``Augmenter`` takes (besides its constraints and scorer, which are built objects).
AUGMENTER = ("model", "n", "seed", "max_attempts", "token_budget", "device", "dtype", "backend", "chunk_size",
             "progress", "choose")
# How maskaug evaluate's learner trains on an arm's rows: a generated row's loss weight, the dev guard, the
# per-split fine-tuning's label learning rate; ``teacher=classifier`` (the split's no-aug learner labels the rows).
TRAINING = ("aug_weight", "guard", "label_lr")
CLASSIFIER_TEACHER = "classifier"


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
        """The settings an ``Augmenter`` takes from this config (its constraints and scorer are built by the job
        from the input), for a local run and for each Ray actor."""
        return {k: getattr(self, k) for k in AUGMENTER}

    def check(self) -> None:
        """Every value in range, or a ValueError naming the flag."""
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


def whole(flag: str, v: Any, low: int, high: int | None = None) -> None:
    """A ValueError naming ``flag`` unless ``v`` is a whole number in ``[low, high]``."""
    if not isinstance(v, int) or isinstance(v, bool) or v < low or (high is not None and v > high):
        span = f"between {low} and {high}" if high is not None else f">= {low}"
        raise ValueError(f"{flag} must be a whole number {span}, not {v!r}")


JOB_SETTINGS = tuple(f.name for f in fields(JobConfig) if f.name != "params") + ("scorer",)
KINDS = {"job": "a job setting", "method": "a method parameter", "constraints": "a constraint option",
         "training": "a training option of maskaug evaluate's method specs"}


@dataclass(frozen=True)
class Routed:
    """A caller's keywords, split: job settings, method parameters (values checked), constraint options and
    training options.

    Args:
        job: ``JobConfig`` settings.
        method: Method parameters, their values checked.
        constraints: Constraint options (``ConstraintSpec`` fields).
        training: How ``maskaug evaluate``'s learner trains on an arm's rows (``aug_weight``, ``guard``,
            ``label_lr``).
    """

    job: dict[str, Any]
    method: dict[str, Any]
    constraints: dict[str, Any]
    training: dict[str, Any]

    def only(self, *kinds: str, where: str | None = None) -> None:
        """A ValueError naming the first keyword not of ``kinds`` (and ``where``, what does not take it)."""
        for kind in KINDS:
            if kind not in kinds and getattr(self, kind):
                key = next(iter(getattr(self, kind)))
                if where is None:
                    raise ValueError(f"{key} is {KINDS[kind]}, not {' or '.join(KINDS[k] for k in kinds)}")
                raise ValueError(f"{where} takes no {key}: it is {KINDS[kind]}")

    def constraint_spec(self, given: ConstraintSpec | None = None) -> ConstraintSpec | None:
        """The constraint options as a checked ``ConstraintSpec`` (``given``: one passed whole, as
        ``constraints=``; giving both is an error); None when there are neither."""
        if not self.constraints:
            return given
        if given is not None:
            raise ValueError("give constraints=ConstraintSpec(...) or its options as keywords, not both")
        return ConstraintSpec.from_options(self.constraints)

    def augmenter(self, where: str, rows_options: tuple[str, ...] = ()) -> tuple[dict, dict, dict]:
        """``(settings, method parameters, other options)`` for an ``Augmenter`` built outside a file job (the
        Python API, Ray): its settings (``AUGMENTER``, ``constraints`` as a list, ``scorer``) with the constraint
        options built into its constraints; ``rows_options``: the other job settings ``where`` takes."""
        self.only("job", "method", "constraints", where=where)
        settings = {k: v for k, v in self.job.items() if k in (*AUGMENTER, "constraints", "scorer")}
        other = {k: v for k, v in self.job.items() if k in rows_options}
        stray = next((k for k in self.job if k not in settings and k not in other), None)
        if stray is not None:
            raise ValueError(f"{where} takes no {stray}: it is a setting of a file job (maskaug.augment_file)")
        given = settings.pop("constraints", ())
        whole_spec = isinstance(given, ConstraintSpec)
        spec = self.constraint_spec(given if whole_spec else None)
        if spec is not None and (spec.teacher == "train" or spec.teacher_file):
            raise ValueError(f"{where}: a teacher trained on labelled rows needs a file job (maskaug.augment_file, "
                             f"--teacher); or pass constraints=[maskaug.constraints.Teacher(texts, labels)]")
        settings["constraints"] = [*(() if whole_spec else given), *(build(spec) if spec is not None else ())]
        return settings, dict(self.method), other


def route(options: dict[str, Any]) -> Routed:
    """``options`` split into job settings, method parameters, constraint options and training options (see the
    module's docstring). A method parameter's value is checked and normalised (``registry.check_value``); whether
    the method takes it is checked when the method is built.

    Args:
        options: A caller's keywords (``seed=1``, ``rate=0.2``, ``max_edit_rate=0.3``, ...).

    Returns:
        The keywords, split by kind.
    """
    from maskaug.methods.registry import check_value

    parts: dict[str, dict[str, Any]] = {kind: {} for kind in KINDS}
    for key, value in options.items():
        if key == "teacher" and value == CLASSIFIER_TEACHER or key in TRAINING:
            parts["training"][key] = value
        elif key in CONSTRAINT_OPTIONS:
            parts["constraints"][key] = value
        elif key in JOB_SETTINGS:
            parts["job"][key] = value
        else:
            parts["method"][key] = check_value(key, value)
    return Routed(**parts)
