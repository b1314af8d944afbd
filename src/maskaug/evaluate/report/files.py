"""An evaluation's files: ``results.json`` (every number and the config: a rerun from the cache writes the same
bytes), ``run.json`` (this run's command, wall times and cache hits), ``report.md`` and ``report.html``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from maskaug.evaluate.report.markdown import markdown
from maskaug.evaluate.report.page import html_page

RUN_KEYS = ("command", "timings_s", "cached_runs", "classifier_runs")  # facts of this run, not of its results


def read(folder: str | Path) -> dict[str, Any]:
    """An evaluation as ``write`` left it: ``results.json`` with ``run.json`` joined back."""
    folder = Path(folder)
    results = json.loads((folder / "results.json").read_text())
    run = folder / "run.json"
    return {**results, **(json.loads(run.read_text()) if run.is_file() else {})}


def write(results: dict[str, Any], out_dir: str | Path) -> dict[str, Path]:
    """Write ``report.md``, ``report.html``, ``results.json`` and ``run.json`` into ``out_dir``; their paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"json": out / "results.json", "md": out / "report.md", "html": out / "report.html",
             "run": out / "run.json"}
    paths["json"].write_text(json.dumps({k: v for k, v in results.items() if k not in RUN_KEYS}, indent=1))
    paths["run"].write_text(json.dumps({k: results[k] for k in RUN_KEYS if k in results}, indent=1))
    paths["md"].write_text(markdown(results) + "\n")
    paths["html"].write_text(html_page(results))
    return paths
