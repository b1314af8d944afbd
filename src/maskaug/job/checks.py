"""The checks of a job, built once into a frozen ``Plan``: everything decided before any model loads.

``check_settings(config)`` checks every value and the model's name before the input is opened; ``plan(config, source)``
then reads the first row, detects the record type and the label column, builds the method, reads the model's
conditioning from its folder, binds them (``maskaug.pipeline.bind``), checks the output, and validates every row
in one pass (``maskaug.pipeline.scan``: a bad row named by file, row and field). None of this imports PyTorch:
the device and runtime, resolved last, are the first thing that does.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from maskaug.io.errors import InputError, OutputError
from maskaug.job.source import ColumnKinds, Source
from maskaug.settings import RUN_ONLY, JobConfig, default_method


@dataclass(frozen=True)
class Output:
    """Where a job's rows go: ``file`` (``path`` in format ``fmt``), ``stdout`` (``-o -``) or ``memory`` (a dry
    run's rows, returned)."""

    kind: str
    path: Path | None = None
    fmt: str | None = None


@dataclass(frozen=True)
class Plan:
    """What one job runs, decided once by the checks: the input, the bound method and record type, the output,
    what the validation pass learnt (row count, label words, the teacher's rows) and the resolved runtime. Frozen:
    the run loop reads it and never changes it."""

    config: JobConfig
    source: Source
    method: Any  # the built method
    method_name: str  # its resolved, versioned name
    params: dict[str, Any]  # every parameter it runs with
    binding: Any  # maskaug.pipeline.Binding: record type, label column, known labels, conditioning
    label_found: bool  # the label column was found by its name (not given)
    output: Output
    rows: int  # input rows (within --limit)
    salience: Any  # the label words learnt from the input (maskaug.salience.Salience), or None
    teacher_data: tuple[list, list]  # the input's (texts, labels), for a teacher trained on them
    device: Any
    runtime: str
    dtype: Any

    @property
    def record(self):
        """The record type of the rows."""
        return self.binding.record

    @property
    def label_column(self) -> str | None:
        """The label column (given, found by its name, or the conditioned model's)."""
        return self.binding.label_column

    def describe(self) -> str:
        """The method in one line, with the label words and the choice stage when they are on."""
        text = getattr(self.method, "describe", lambda: self.method_name)()
        extra = ["label words kept"] if self.salience is not None else []
        if self.config.choose > 1:
            extra.append(f"best of {self.config.choose} by {self.config.choose_by}")
        if extra:
            text = text[:-1] + ", " + ", ".join(extra) + ")" if text.endswith(")") else f"{text} ({', '.join(extra)})"
        return text

    def columns(self) -> str:
        """Which columns the job read: ``read text, label label (found by its name)``."""
        text = self.record.describe()
        if self.label_column is None:
            return f"read {text}, no label column"
        how = " (found by its name; --label-column none to ignore it)" if self.label_found else ""
        return f"read {text}, label column {self.label_column}{how}"

    def fingerprint(self) -> str:
        """What decides the rows this job writes: every setting (but those that only change how or where it runs,
        ``RUN_ONLY``), the input's bytes, the resolved method with its effective parameters, the record type,
        the model's content, the device, dtype and runtime it resolved to, and the label words learnt."""
        from maskaug.fingerprint import fingerprint, model_fingerprint
        from maskaug.io.writers import file_digest

        cfg = self.config
        settings = {f.name: getattr(cfg, f.name) for f in fields(cfg) if f.name not in RUN_ONLY}
        return fingerprint({
            "settings": settings, "input": file_digest(self.source.path), "record": repr(self.record),
            "method": self.method_name, "params": self.params, "model": model_fingerprint(cfg.model),
            "label_column": self.label_column, "device": self.device.type,
            "dtype": str(self.dtype) if self.dtype else "fp32", "runtime": self.runtime,
            "label_words": repr(self.salience) if self.salience is not None else None})


def check_settings(config: JobConfig) -> None:
    """Every value in range and a model that can load, or a one-line error, before the input is opened (a wrong
    ``--model`` fails before PyTorch is imported)."""
    from maskaug.model.names import check_model_name

    config.check()
    check_model_name(config.model)


def plan(config: JobConfig, source: Source) -> Plan:
    """The job's ``Plan``: the checks that need no model, in order (see the module's docstring), then the device
    and runtime."""
    method, name, params, binding, label_found = _bind(config, source)
    output = _output(config, source)
    rows, salience, teacher_data = _validate(config, source, binding, method, output, label_found)
    from maskaug.model.loading import pick_device, pick_runtime  # the first import of PyTorch

    device = pick_device(config.device, config.backend)
    runtime, dtype = pick_runtime(config.backend, device, config.dtype)
    return Plan(config, source, method, name, params, binding, label_found, output, rows, salience, teacher_data,
                device, runtime, dtype)


def _bind(config: JobConfig, source: Source) -> tuple[Any, str, dict[str, Any], Any, bool]:
    """The method built and bound to the first row's record type and the model's conditioning: ``(method, name,
    effective parameters, binding, label column found by its name)``."""
    from maskaug.methods.registry import build, effective_params
    from maskaug.pipeline import bind
    from maskaug.records import Options, detect, find_label_column

    first = source.first
    options = Options(config.record, tuple(config.text_columns), config.tokens_column, config.tags_column,
                      tuple((c, tuple(n)) for c, n in source.tag_names.items()))
    record = detect(first, options)
    label_column = find_label_column(first, record, config.label_column, source.class_labels)
    name, params = effective_params(config.method or default_method(record, label_column), **config.params)
    method = build(name, **params)
    spec = config.constraints
    teacher = spec.teacher_reads_input_labels or "teacher" in (config.choose_by or "")
    binding = bind(first, options, method, _conditioning(config.model), label_column, spec.names(),
                   teacher=teacher, model_name=config.model)
    return method, name, params, binding, config.label_column is None and label_column is not None


def _conditioning(model: str | None):
    """The model's conditioning record, read from its folder without loading the weights."""
    from maskaug.conditioning import Conditioning

    if model is None or not Path(model).expanduser().is_dir():
        return None
    return Conditioning.load(Path(model).expanduser())


def _output(config: JobConfig, source: Source) -> Output:
    """Where the rows go, checked (an existing output is refused unless ``overwrite``); nothing is created."""
    from maskaug.io.formats import detect_format
    from maskaug.output import OutputTarget

    if config.dry_run:
        if config.output and str(config.output) != "-":
            OutputTarget(output_path(config, source), [source.path], overwrite=config.overwrite).check()
        return Output("memory")
    if str(config.output) == "-":
        return Output("stdout", fmt=config.output_format or "jsonl")
    path = output_path(config, source)
    # a folder, or a path without a suffix, is a 🤗 datasets save_to_disk folder
    fmt = "hf" if path.is_dir() or not path.suffix else detect_format(path)
    if fmt == "conll":
        raise OutputError(path, "CoNLL is read, not written (it has no place for provenance); write .jsonl or "
                                ".parquet")
    OutputTarget(path, [source.path], overwrite=config.overwrite).check()
    return Output("file", path, fmt)


def output_path(config: JobConfig, source: Source) -> Path:
    """``-o``, or the input's name with ``.augmented.jsonl`` (standard input needs ``-o``)."""
    if config.output:
        return Path(config.output)
    if str(config.input) == "-":
        raise ValueError("reading standard input (-) needs -o OUTPUT (or -o - for standard output)")
    from maskaug.io.formats import compression_of

    src = source.path
    stem = src.with_suffix("") if compression_of(src) is None else src.with_suffix("").with_suffix("")
    return stem.with_name(stem.name + ".augmented.jsonl")


def _validate(config: JobConfig, source: Source, binding, method, output: Output, label_found: bool
              ) -> tuple[int, Any, tuple[list, list]]:
    """One pass over the input (``maskaug.pipeline.scan``): ``(rows, label words, the teacher's rows)``; the
    first bad row is an error naming the file, row and field, unless bad rows are skipped."""
    from maskaug.io.formats import COLUMNAR
    from maskaug.pipeline import scan, wants_label_words

    kinds = ColumnKinds(source.path) if output.fmt in COLUMNAR else None
    teach = config.constraints.teacher == "train" or "teacher" in (config.choose_by or "")
    teacher_data: tuple[list, list] = ([], [])
    salience = None
    if wants_label_words(config.label_words, binding, method):
        from maskaug.salience import Salience

        salience = Salience()
    try:
        rows, _ = scan(source, binding, source.path, config.skip_bad_rows, salience,
                       teacher_data if teach else None, kinds.see if kinds is not None else None)
    except InputError as exc:
        if not (label_found and exc.field == binding.label_column):
            raise
        hint = f"; the label column {exc.field} was found by its name, --label-column none ignores it"
        raise InputError(exc.path, exc.reason + hint, exc.row, exc.field) from None
    return rows, salience, teacher_data
