"""``AugmentJob``: the checks build a ``Plan``, then one loop runs its rows into a sink (file, stdout or memory)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

from maskaug.job import checks
from maskaug.job.result import Interrupted, JobResult
from maskaug.job.source import opened
from maskaug.settings import JobConfig


class AugmentJob:
    """One run of one method over one input file (or standard input). Rows held in memory enter at the pipeline
    level instead (``maskaug.pipeline.augment_records``).

    Args:
        config: What the job reads, runs and writes.
    """

    def __init__(self, config: JobConfig):
        self.cfg = config
        self.plan: checks.Plan | None = None  # set by run(), once the checks pass
        self.sink = None
        self.log = (lambda msg: print(msg, file=sys.stderr)) if config.progress else (lambda msg: None)

    def __repr__(self) -> str:
        c = self.cfg
        return f"AugmentJob({c.method} x{c.n}, {c.input} -> {c.output or 'default output'})"

    @property
    def rows(self) -> list[dict[str, Any]] | None:
        """A dry run's input rows (after ``run``)."""
        return getattr(self.sink, "rows", None)

    @property
    def record(self):
        """The record type of the input's rows (after ``run``)."""
        return self.plan.record if self.plan is not None else None

    def fingerprint(self) -> str:
        """What decides the rows this job writes (``Plan.fingerprint``; after the checks)."""
        return self.plan.fingerprint()

    def run(self) -> JobResult:
        """Check (``maskaug.job.checks``), then run the rows into the output; the ``JobResult``. Ctrl-C raises
        ``Interrupted``."""
        cfg = self.cfg
        try:
            checks.check_settings(cfg)
            limit = min((x for x in (cfg.limit, cfg.dry_run) if x), default=None)
            with opened(cfg.input, cfg.input_format, limit) as source:
                self.plan = checks.plan(cfg, source)
                return self._loop(self.plan)
        except KeyboardInterrupt as exc:
            if isinstance(exc, Interrupted):
                raise
            raise Interrupted(False) from None

    def _loop(self, plan: checks.Plan) -> JobResult:
        """The one run loop: the runner (the model loads here), the sink, every row from the first one not done."""
        from maskaug.job.runner import runner as make_runner

        runner = make_runner(plan)
        self.sink = sink = self._sink(plan)
        result = JobResult(runner.report, plan.method_name, plan.output.path, describe=plan.describe(),
                           columns=plan.columns())
        try:
            start = sink.open(result)
            results = runner.run(plan.source.items(start), skip_bad=plan.config.skip_bad_rows,
                                 total=plan.rows - start)
            sink.write(self._seen(results, result), result)
        except BaseException as exc:
            sink.fail(exc)
            raise
        sink.close()
        return result

    def _sink(self, plan: checks.Plan):
        from maskaug.job import sinks

        if plan.output.kind == "memory":
            return sinks.Memory()
        if plan.output.kind == "stdout":
            return sinks.Stdout(plan.output.fmt)
        return sinks.File(plan, repr(self), self.log)

    def _seen(self, results: Iterator[Any], result: JobResult) -> Iterator[Any]:
        """Each ``RowResult`` counted (set aside, short) and previewed on its way to the sink."""
        for res in results:
            result.count(res.entry())
            result.show(self.plan.record, res)
            yield res
