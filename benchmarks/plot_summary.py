"""The Results page's figure, drawn from stored results so it cannot drift from them: each method's difference to
its control per dataset, with its 95% interval where one was recorded. Supervised arms are compared with `copy`
(the same rows repeated: as many added rows and steps, no new text); unlabelled-text arms with their own
`view=none` control (the same pseudo-labelled rows without the masked-LM view).

    python benchmarks/plot_summary.py                    # benchmarks/results/*.json -> docs/figures/summary.png
    python benchmarks/plot_summary.py --results benchmarks/results runs/trec/results.json --out /tmp/summary.png

It reads two kinds of JSON file (``--results`` takes files and folders; a folder means its ``*.json``):

* a table transcribed from the lab notebook (``benchmarks/results/*.json``, format in its README.md): ``panel``
  (``supervised`` or ``unlabelled``) and ``rows`` of ``dataset``, ``method``, ``delta`` and ``delta_ci`` (or null);
  files without ``panel`` (label flips, judged outputs, speed) are read by the tests, not drawn;
* a ``results.json`` that ``maskaug evaluate`` wrote: each arm's per-split scores are paired with its control's
  (``ARM,view=none`` if the run has it, else ``copy``) by ``maskaug.evaluate.stats.paired``, the report's own
  statistics; its panel is ``unlabelled`` when the run read unlabelled text.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PANELS = {"supervised": "Supervised, few labels: Δ vs copy",
          "unlabelled": "Unlabelled text: Δ vs the arm's own view=none"}
CONTROLS = ("none", "copy")


def _files(paths: list[Path]) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        out += sorted(p.glob("*.json")) if p.is_dir() else [p]
    return out


def _control(method: str, methods: set[str]) -> str | None:
    """An arm's control: its own ``view=none`` variant when the run has one, else ``copy``."""
    for view_none in (f"{method},view=none", f"{method}:view=none"):
        if view_none in methods:
            return view_none
    return "copy" if "copy" in methods else None


def evaluate_rows(results: dict[str, Any], name: str) -> tuple[str, list[dict[str, Any]]]:
    """Paired differences of a ``maskaug evaluate`` results.json: (panel, rows) in the transcribed rows' shape."""
    from maskaug.evaluate.stats import paired

    config = results.get("config", {})
    panel = "unlabelled" if config.get("unlabelled") or results.get("unlabelled") else "supervised"
    scores: dict[tuple[str, str], dict[int, float]] = {}
    for run in results["runs"]:
        value = run.get("test_accuracy", run.get("f1"))
        scores.setdefault((str(run["size"]), run["method"]), {})[run["split"]] = 100 * value
    sizes = sorted({size for size, _ in scores})
    rows = []
    for size in sizes:
        methods = {m for s, m in scores if s == size}
        for method in sorted(methods):
            control = _control(method, methods)
            if method in CONTROLS or method.endswith("view=none") or control is None:
                continue
            splits = sorted(scores[size, method].keys() & scores[size, control].keys())
            p = paired([scores[size, method][s] for s in splits], [scores[size, control][s] for s in splits])
            dataset = name if len(sizes) == 1 else f"{name} ({size})"
            rows.append({"dataset": dataset, "method": method, "reference": control, "delta": p.mean_diff,
                         "delta_ci": [p.ci_lo, p.ci_hi] if len(splits) > 1 else None, "p": p.t_pvalue})
    return panel, rows


def dataset_name(results: dict[str, Any], path: Path) -> str:
    """What a results.json measured: its training file's folder (``trec_cased``), else the run's folder."""
    data = results.get("config", {}).get("data")
    return Path(data).parent.name if data else path.parent.name


def load(paths: list[Path]) -> dict[str, list[dict[str, Any]]]:
    """Rows to draw by panel, from transcribed tables and evaluate results alike."""
    panels: dict[str, list[dict[str, Any]]] = {p: [] for p in PANELS}
    for path in _files(paths):
        data = json.loads(path.read_text(encoding="utf-8"))
        if "runs" in data:
            panel, rows = evaluate_rows(data, dataset_name(data, path))
        elif data.get("panel") in PANELS:
            panel, rows = data["panel"], [r for r in data["rows"] if r.get("delta") is not None]
        else:
            continue
        panels[panel] += rows
    return panels


def fingerprint(panels: dict[str, list[dict[str, Any]]]) -> str:
    """What a figure was drawn from, as a hash written into the PNG (its ``Source`` text), so a test can tell a
    figure that no longer matches its stored results."""
    return hashlib.sha256(json.dumps(panels, sort_keys=True).encode()).hexdigest()[:16]


def draw(panels: dict[str, list[dict[str, Any]]], out: Path) -> Path:
    """One panel under another (those with rows): datasets along x, one marker per method beside each other, a bar
    for each recorded 95% interval (a hollow marker: no interval recorded), zero marked."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    shown = {k: v for k, v in panels.items() if v}
    if not shown:
        raise SystemExit("no rows to draw: give transcribed tables with a panel, or evaluate results.json files")
    fig, axes = plt.subplots(len(shown), 1, figsize=(5.6, 0.4 + 2.2 * len(shown)), squeeze=False)
    for ax, (panel, rows) in zip(axes[:, 0], shown.items()):
        datasets = list(dict.fromkeys(r["dataset"] for r in rows))
        methods = list(dict.fromkeys(r["method"] for r in rows))
        here = {d: [r["method"] for r in rows if r["dataset"] == d] for d in datasets}  # methods per dataset
        colours = plt.get_cmap("tab10")
        for j, method in enumerate(methods):
            for r in (r for r in rows if r["method"] == method):
                step = 0.8 / len(here[r["dataset"]])
                x = datasets.index(r["dataset"]) - 0.4 + step * (here[r["dataset"]].index(method) + 0.5)
                ci = r.get("delta_ci")
                colour = colours(j % 10)
                if ci:
                    ax.errorbar(x, r["delta"], yerr=[[r["delta"] - ci[0]], [ci[1] - r["delta"]]], fmt="o",
                                color=colour, capsize=2, markersize=4, lw=1)
                else:
                    ax.plot(x, r["delta"], "o", mfc="white", color=colour, markersize=4)
            ax.plot([], [], "o", color=colours(j % 10), label=method, markersize=4)
        ax.axhline(0, color="black", lw=0.8)
        ax.set_xticks(range(len(datasets)), [d.replace(" → ", "\n→ ") for d in datasets], fontsize=8)
        ax.set_xlim(-0.5, len(datasets) - 0.5)
        ax.set_ylabel("Δ accuracy, points", fontsize=8)
        ax.tick_params(axis="y", labelsize=8)
        ax.set_title(PANELS[panel], fontsize=9)
        ax.grid(axis="y", lw=0.3)
        ax.legend(fontsize=6.5, loc="best", ncol=2, framealpha=0.8)
    fig.text(0.99, 0.005, "bars: 95% interval; hollow: no interval recorded", fontsize=6.5, ha="right",
             color="#555")
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=110, metadata={"Software": None, "Source": fingerprint(panels)})
    plt.close(fig)
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--results", nargs="+", type=Path, default=[ROOT / "benchmarks" / "results"],
                    help="transcribed tables and/or evaluate results.json files, or folders of them")
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "figures" / "summary.png")
    args = ap.parse_args(argv)
    print(draw(load(args.results), args.out))


if __name__ == "__main__":
    main()
