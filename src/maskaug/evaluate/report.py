"""Write an evaluation as ``results.json`` (every raw number and the config), ``report.md`` and a
self-contained ``report.html`` with plots (accuracy per method with error bars; gain against size)."""

from __future__ import annotations

import base64
import html
import io
import json
from pathlib import Path
from typing import Any

QUALITY_COLUMNS = [("label_kept", "label kept", "{:.1%}"), ("label_flip", "label flip", "{:.1%}"),
                   ("edit_rate", "edit rate", "{:.2f}"),
                   ("similarity", "similarity", "{:.3f}"), ("fluency", "Δ PLL/token", "{:+.2f}"),
                   ("distinct_2", "distinct-2", "{:.3f}"), ("identical", "identical", "{:.1%}"),
                   ("duplicate", "duplicate", "{:.1%}"), ("shortfall", "shortfall", "{:.0f}")]


def _pct(x: float) -> str:
    return f"{100 * x:.1f}"


def _p(x: float) -> str:
    return "n/a" if x != x else (f"{x:.3f}" if x >= 0.001 else "<0.001")


def _cached(results: dict[str, Any]) -> str:
    n = results.get("cached_runs", 0)
    return f" ({n} of {len(results['runs'])} classifier runs read from the cache)" if n else ""


def accuracy_table(summary: dict[str, dict], size_name: str, size: str) -> list[str]:
    """The accuracy table (Markdown) of one training size."""
    lines = [f"| method ({size_name} = {size}) | accuracy % (mean ± std) | Δ vs no-aug (paired) | wins/losses "
             f"| p (t) | p (Wilcoxon) | Δ vs EDA |",
             "|---|---|---|---|---|---|---|"]
    for label, e in summary.items():
        row = f"| {label} | {_pct(e['mean'])} ± {_pct(e['std'])} "
        if "vs_none" in e:
            d = e["vs_none"]
            row += (f"| {100 * d['mean_diff']:+.1f} ± {_pct(d['std_diff'])} | {d['wins']}/{d['losses']} "
                    f"| {_p(d['t_pvalue'])} | {_p(d['wilcoxon_pvalue'])} ")
        else:
            row += "| — | — | — | — "
        row += f"| {100 * e['vs_eda']['mean_diff']:+.1f} |" if "vs_eda" in e else "| — |"
        lines.append(row)
    return lines


def _flip_cells(q: dict) -> list[str]:
    ci = (f"{100 * q['label_flip_lo']:.1f}–{100 * q['label_flip_hi']:.1f}" if "label_flip_lo" in q else "—")
    ref = q.get("flip_vs_reference")
    vs = (f"{100 * ref['rate_diff']:+.1f} ({ref['only_method']}/{ref['only_reference']}, p {_p(ref['pvalue'])})"
          if ref else "—")
    return [ci, vs]


def quality_table(quality: dict[str, dict], throughput: dict[str, dict]) -> list[str]:
    """The intrinsic-quality table (Markdown)."""
    refs = {q["flip_vs_reference"]["reference"] for q in quality.values() if "flip_vs_reference" in q}
    ref = f"Δ flip vs {refs.pop()}" if len(refs) == 1 else "Δ flip vs reference"
    names = [c[1] for c in QUALITY_COLUMNS]
    names[2:2] = ["flip 95% CI", f"{ref} (only this/only ref, McNemar)"]
    lines = ["| method | " + " | ".join(names) + " | rows/s |", "|" + "---|" * (len(names) + 2)]
    for label, q in quality.items():
        cells = [c[2].format(q[c[0]]) if c[0] in q else "—" for c in QUALITY_COLUMNS]
        cells[2:2] = _flip_cells(q)
        rate = throughput.get(label, {}).get("rows_per_s")
        lines.append(f"| {label} | " + " | ".join(cells) + (f" | {rate:.1f} |" if rate else " | — |"))
    return lines


def markdown(results: dict[str, Any], title: str = "maskaug evaluate") -> str:
    """The whole report as Markdown."""
    cfg = results["config"]
    size_name = "k" if cfg["protocol"] == "kumar2020" else "N"
    out = [f"# {title}", "",
           f"Protocol `{cfg['protocol']}` on `{cfg['data']}` (test: `{cfg['test'] or 'held-out 20% of the data'}`), "
           f"{len(results['classes'])} classes, classifier `{cfg['classifier']}`, {cfg['splits']} splits, seed "
           f"{cfg['seed']}; test rows {results['test_size']}. Machine: {results['machine']['cpu']}, "
           f"{results['machine']['torch_threads']} threads. Wall time {results['timings_s']['total']:.0f} s"
           f"{_cached(results)}.", ""]
    for size, summary in results["summary"].items():
        out += accuracy_table(summary, size_name, size) + [""]
    if results.get("quality"):
        out += ["Intrinsic quality (outputs for the training rows of all splits; oracle = logistic regression on "
                "the full training set):", ""]
        out += quality_table(results["quality"], results.get("throughput", {})) + [""]
    return "\n".join(out)


def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    return base64.b64encode(buf.getvalue()).decode("ascii")


def plots(results: dict[str, Any]) -> list[tuple[str, str]]:
    """The report's figures as inline SVG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figs = []
    size_name = "k" if results["config"]["protocol"] == "kumar2020" else "N"
    for size, summary in results["summary"].items():
        labels = list(summary)
        fig, ax = plt.subplots(figsize=(max(4, 1.1 * len(labels)), 3.2))
        ax.bar(labels, [100 * summary[m]["mean"] for m in labels], yerr=[100 * summary[m]["std"] for m in labels],
               capsize=4, color=["#999" if m in ("none", "eda") else "#3a7" for m in labels])
        ax.set_ylabel("test accuracy %")
        ax.set_title(f"{size_name} = {size}")
        lo = min(100 * (summary[m]["mean"] - summary[m]["std"]) for m in labels)
        ax.set_ylim(max(0, lo - 5), None)
        ax.tick_params(axis="x", rotation=30)
        figs.append((f"Accuracy per method ({size_name} = {size})", _png(fig)))
        plt.close(fig)
    if len(results["summary"]) > 1:
        fig, ax = plt.subplots(figsize=(5, 3.2))
        sizes = sorted(results["summary"], key=int)
        methods = [m for m in results["summary"][sizes[0]] if m != "none"]
        for m in methods:
            ys = [100 * results["summary"][s][m]["vs_none"]["mean_diff"] for s in sizes]
            es = [100 * results["summary"][s][m]["vs_none"]["std_diff"] for s in sizes]
            ax.errorbar([int(s) for s in sizes], ys, yerr=es, marker="o", capsize=3, label=m)
        ax.axhline(0, color="#555", lw=0.8)
        ax.set_xlabel(size_name)
        ax.set_ylabel("gain over no-aug (points)")
        ax.legend(fontsize=7)
        figs.append((f"Gain against {size_name}", _png(fig)))
        plt.close(fig)
    return figs


def html_page(results: dict[str, Any], md: str) -> str:
    """The report as one self-contained HTML page."""
    body = []
    in_table = False
    for line in md.splitlines():
        if line.startswith("|"):
            cells = [html.escape(c.strip()) for c in line.strip("|").split("|")]
            if set("".join(cells)) <= set("-"):
                continue
            if not in_table:
                body.append("<table>")
                in_table = True
                body.append("<tr>" + "".join(f"<th>{c}</th>" for c in cells) + "</tr>")
            else:
                body.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
            continue
        if in_table:
            body.append("</table>")
            in_table = False
        if line.startswith("# "):
            body.append(f"<h1>{html.escape(line[2:])}</h1>")
        elif line.strip():
            body.append(f"<p>{html.escape(line)}</p>")
    if in_table:
        body.append("</table>")
    for title, png in plots(results):
        body.append(f"<h2>{html.escape(title)}</h2><img alt='{html.escape(title)}' src='data:image/png;base64,{png}'>")
    style = ("body{font-family:sans-serif;max-width:70em;margin:2em auto}table{border-collapse:collapse}"
             "td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}td:first-child{text-align:left}")
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>maskaug evaluate</title><style>{style}</style>"
            f"</head><body>{''.join(body)}</body></html>")


def write(results: dict[str, Any], out_dir: str | Path) -> dict[str, Path]:
    """Write ``report.md``, ``report.html`` and ``results.json`` into ``folder``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    md = markdown(results)
    paths = {"json": out / "results.json", "md": out / "report.md", "html": out / "report.html"}
    paths["json"].write_text(json.dumps(results, indent=1, default=str))
    paths["md"].write_text(md + "\n")
    paths["html"].write_text(html_page(results, md))
    return paths
