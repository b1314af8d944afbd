"""The one augmentation job: checks → a frozen plan → one run loop into a file, standard output or memory.

``maskaug augment`` is ``AugmentJob(JobConfig(...)).run()``; so is ``maskaug.augment_file``. The stages, in order:

1. **check** (``maskaug.job.checks``): every setting and the model's name, then the input (``maskaug.job.source``:
   a file, or standard input copied to one) — the first row, the record type, the label column, the method and
   its parameters, the model's conditioning, the output path — and one streaming pass that validates every row
   (each bad row named by file, row and field, or counted with ``skip_bad_rows``) and learns the label words and
   the teacher's rows. All of this runs before PyTorch is imported; the device and runtime are resolved last.
   The result is a frozen ``Plan``;
2. **run** (``maskaug.job.loop``): the runner (``maskaug.job.runner``: the local ``Pipeline``, which loads the
   model, or Ray actors) turns each row into a ``RowResult``, counted and previewed on its way to
3. **a sink** (``maskaug.job.sinks``): standard output, memory (a dry run), or the output file — locked, resumed
   from an interrupted run's partial output keyed by the plan's fingerprint (``maskaug.checkpoint``), each
   finished row appended to the partial file, then written atomically with its side files.

A failure after the file sink opened removes what the job created, unless finished rows make it resumable.
"""

from __future__ import annotations

from maskaug.constraints import ConstraintSpec
from maskaug.job.loop import AugmentJob
from maskaug.job.result import Interrupted, JobResult
from maskaug.settings import JobConfig, RaySpec, default_method, route

__all__ = ["AugmentJob", "ConstraintSpec", "Interrupted", "JobConfig", "JobResult", "RaySpec", "default_method",
           "route", "run"]


def run(config: JobConfig) -> JobResult:
    """Run one job and return its result.

    Args:
        config: What the job reads, runs and writes.

    Returns:
        What the job did.
    """
    return AugmentJob(config).run()
