"""The report's figures, zero-based with legends, each arm coloured by its role: the score per method (95%
intervals), the gain against the training size, and label flips against the gain."""

from __future__ import annotations

import base64
import io
from typing import Any

BASELINE_COLOR, METHOD_COLOR = "#9a9a9a", "#2f8f5b"
COLORS = {"control": BASELINE_COLOR, "baseline": "#5b7fa8", "method": METHOD_COLOR}
ROLE_NAMES = {"control": "controls (none, copy)", "baseline": "outside baselines (EDA)", "method": "maskaug methods"}


def role(results: dict[str, Any], label: str) -> str:
    """How an arm is shown: a control, an outside baseline or a maskaug method (its role in the results)."""
    return results.get("arms", {}).get(label, {}).get("role", "method")


def plots(results: dict[str, Any]) -> list[tuple[str, str]]:
    """The report's figures as base64 PNG."""
    import matplotlib.pyplot as plt

    out = []
    for title, fig in figures(results):
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
        out.append((title, base64.b64encode(buf.getvalue()).decode("ascii")))
        plt.close(fig)
    return out


def figures(results: dict[str, Any]) -> list[tuple[str, Any]]:
    """Matplotlib figures: score per method (95% CI, axis from 0), gain against size, flips against gain."""
    import matplotlib

    matplotlib.use("Agg")
    from maskaug.evaluate.report.sections import Section

    names = Section(results)
    size, metric = names.size_name, names.metric_name
    figs = [(f"Test {metric} per method ({size} = {value})", scores(results, summary, size, value, metric))
            for value, summary in results["summary"].items()]
    sizes = sorted(results["summary"], key=int)
    if len(sizes) > 1:
        figs.append((f"Gain against {size}", gains(results, sizes, size, metric)))
    flip = flips(results, sizes, size, metric)
    if flip is not None:
        figs.append(("Label flips against gain", flip))
    return figs


def _legend(ax, roles) -> None:
    from matplotlib.patches import Patch

    ax.legend(handles=[Patch(color=COLORS[r], label=ROLE_NAMES[r]) for r in COLORS if r in roles], fontsize=7,
              loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)  # beside the plot, never on it


def scores(results: dict[str, Any], summary: dict[str, dict], size: str, value: str, metric: str):
    """Bars of each method's mean score with its 95% interval, coloured by role."""
    import matplotlib.pyplot as plt

    labels = list(summary)
    means = [100 * summary[m]["mean"] for m in labels]
    lo = [100 * (summary[m]["mean"] - summary[m].get("ci_lo", summary[m]["mean"])) for m in labels]
    hi = [100 * (summary[m].get("ci_hi", summary[m]["mean"]) - summary[m]["mean"]) for m in labels]
    lo = [0 if x != x else x for x in lo]
    hi = [0 if x != x else x for x in hi]
    roles = [role(results, m) for m in labels]
    fig, ax = plt.subplots(figsize=(max(4.5, 1.1 * len(labels)) + 1.8, 3.4))
    ax.bar(labels, means, yerr=[lo, hi], capsize=4, color=[COLORS[r] for r in roles])
    ax.set_ylabel(f"test {metric} % (95% CI)")
    ax.set_ylim(0, 100)
    ax.set_title(f"{size} = {value}")
    ax.tick_params(axis="x", rotation=30)
    for tick in ax.get_xticklabels():
        tick.set_horizontalalignment("right")
    _legend(ax, roles)
    return fig


def gains(results: dict[str, Any], sizes: list[str], size: str, metric: str):
    """Each compared method's gain over no-aug (95% interval) against the training size."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 3.4))
    first = results["summary"][sizes[0]]
    for m in [m for m in first if "vs_none" in first[m]]:
        ds = [results["summary"][s][m]["vs_none"] for s in sizes]
        ys = [100 * d["mean_diff"] for d in ds]
        es = [[100 * (d["mean_diff"] - d.get("ci_lo", d["mean_diff"])) for d in ds],
              [100 * (d.get("ci_hi", d["mean_diff"]) - d["mean_diff"]) for d in ds]]
        es = [[0 if x != x else x for x in row] for row in es]
        ax.errorbar([int(s) for s in sizes], ys, yerr=es, marker="o", capsize=3, label=m)
    ax.axhline(0, color="#555", lw=0.8)
    ax.set_xlabel(size)
    ax.set_ylabel(f"Δ {metric} vs no-aug, points (95% CI)")
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
    return fig


def flips(results: dict[str, Any], sizes: list[str], size: str, metric: str):
    """Each method's label flips (oracle) against its gain over no-aug at the first size, or None."""
    import matplotlib.pyplot as plt

    quality = results.get("quality") or {}
    summary = results["summary"][sizes[0]] if sizes else {}
    points = [(m, 100 * q["label_flip"], 100 * summary[m]["vs_none"]["mean_diff"]) for m, q in quality.items()
              if "label_flip" in q and m in summary and "vs_none" in summary[m]]
    if not points:
        return None
    fig, ax = plt.subplots(figsize=(5, 3.4))
    for m, x, y in points:
        ax.scatter([x], [y], color=COLORS[role(results, m)])
        ax.annotate(m, (x, y), textcoords="offset points", xytext=(4, 4), fontsize=7)
    ax.axhline(0, color="#555", lw=0.8)
    ax.set_xlim(0, max(5.0, 1.15 * max(x for _, x, _ in points)))
    ax.set_xlabel("label flips of the outputs % (oracle)")
    ax.set_ylabel(f"Δ {metric} vs no-aug, points ({size} = {sizes[0]})")
    _legend(ax, {role(results, m) for m, _, _ in points})
    return fig
