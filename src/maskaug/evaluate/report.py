"""Write an evaluation as ``results.json`` (every raw number and the config), ``report.md`` and a self-contained
``report.html`` meant to be pasted into a paper or a team document.

Both reports come from one list of blocks (headings, paragraphs, warnings, tables, figures), so the HTML has no
Markdown left in it. They name datasets (not paths), the maskaug version, the MLM, the classifier, n, the test
size and the exact command; give every accuracy and every paired difference with its 95% t interval; warn when
there are too few splits for a paired test; show per-class accuracy, the oracle's own accuracy beside "label
kept", example outputs with their edits marked, and figures with zero-based axes and legends (accuracy per
method, gain against size, label flips against gain).
"""

from __future__ import annotations

import base64
import difflib
import html
import io
import json
import math
from pathlib import Path
from typing import Any

from maskaug.evaluate.stats import min_wilcoxon_p

LOW_POWER_SPLITS = 10
QUALITY_COLUMNS = [("label_kept", "label kept", "{:.1%}"), ("oracle_on_sources", "oracle on sources", "{:.1%}"),
                   ("label_flip", "label flip", "{:.1%}"), ("edit_rate", "edit rate", "{:.2f}"),
                   ("similarity", "similarity", "{:.3f}"), ("fluency", "Δ PLL/token", "{:+.2f}"),
                   ("distinct_2", "distinct-2", "{:.3f}"), ("length_changed", "length changed", "{:.1%}"),
                   ("identical", "identical", "{:.1%}"),
                   ("duplicate", "duplicate", "{:.1%}"), ("tokens_changed", "tokens changed", "{:.1%}"),
                   ("outputs", "outputs", "{:.0f}"), ("shortfall", "shortfall", "{:.0f}")]
BASELINE_COLOR, METHOD_COLOR = "#9a9a9a", "#2f8f5b"
COLORS = {"control": BASELINE_COLOR, "baseline": "#5b7fa8", "method": METHOD_COLOR}
ROLE_NAMES = {"control": "controls (none, copy)", "baseline": "outside baselines (EDA)", "method": "maskaug methods"}

Cell = str | list[tuple[str, bool]]  # plain text, or (text, marked) runs


def dataset_name(path: str | None) -> str:
    """``sst2_cased/train`` for ``../shared/data/sst2_cased/train.jsonl``: the folder and the file's stem."""
    if not path:
        return "—"
    p = Path(path)
    stem = p.name.split(".")[0]
    return f"{p.parent.name}/{stem}" if p.parent.name not in ("", ".") else stem


def _pct(x: float) -> str:
    return "n/a" if x is None or x != x else f"{100 * x:.1f}"


def _p(x: float) -> str:
    return "n/a" if x != x else (f"{x:.3f}" if x >= 0.001 else "<0.001")


def _ci(lo: float, hi: float, signed: bool = False) -> str:
    if lo != lo or hi != hi:
        return "n/a"
    f = "{:+.1f}" if signed else "{:.1f}"
    return f"[{f.format(100 * lo)}, {f.format(100 * hi)}]"


def _diff(d: dict | None) -> str:
    if not d:
        return "—"
    return f"{100 * d['mean_diff']:+.1f} {_ci(d.get('ci_lo', math.nan), d.get('ci_hi', math.nan), True)}"


def size_name(results: dict[str, Any]) -> str:
    """What a training size counts: ``k`` (per class) or ``N``."""
    return results.get("metric", {}).get("size_name") or ("k" if results["config"]["protocol"] == "kumar2020"
                                                          else "N")


def metric_name(results: dict[str, Any]) -> str:
    """The score the protocol reports: accuracy, or F1 for token/tag records."""
    return results.get("metric", {}).get("name", "accuracy")


def role(results: dict[str, Any], label: str) -> str:
    """How an arm is shown: a control (none, copy), an outside baseline (EDA) or a maskaug method."""
    arms = results.get("arms")
    if arms and label in arms:
        return arms[label]["role"]
    return "control" if label in ("none", "copy") else "baseline" if label == "eda" else "method"


# -- the blocks -----------------------------------------------------------------------------------------------
def _header(results: dict[str, Any]) -> list[tuple]:
    cfg = results["config"]
    test = dataset_name(cfg["test"]) if cfg["test"] else f"a held-out 20% of {dataset_name(cfg['data'])}"
    sizes = {"kumar2020": "k per class", "eda2019": "training rows N", "melm2022": "training sentences N"}
    size_text = sizes.get(cfg["protocol"], "training size")
    n = cfg.get("n")
    n_text = str(n) if n is not None else ("1" if cfg["protocol"] == "kumar2020" else "by N (Wei & Zou's table)")
    machine = results.get("machine", {})
    wall = results.get("timings_s", {}).get("total")
    cached = results.get("cached_runs", 0)
    asked = results.get("classifier_runs", len(results["runs"]))  # the teachers' runs too (teacher=classifier)
    facts = [("dataset", dataset_name(cfg["data"])), ("test set", f"{test}, {results['test_size']} rows"),
             ("protocol", f"{cfg['protocol']}, {size_text} {', '.join(str(s) for s in results['summary'])}, "
                          f"{cfg['splits']} splits, seed {cfg['seed']}"
                          + (f", {cfg['seeds']} classifier seeds per split (a split's accuracy is their mean; "
                             f"pairs are splits)" if cfg.get("seeds", 1) > 1 else "")),
             ("tags" if cfg["protocol"] == "melm2022" else "classes", ", ".join(results["classes"])),
             ("tagger" if cfg["classifier"] == "tagger" else "classifier", classifier_text(cfg)),
             ("masked LM", results.get("model") or cfg.get("model") or "built-in"), ("outputs per row (n)", n_text),
             *([("unlabelled", unlabelled_text(results["unlabelled"]))] if results.get("unlabelled") else []),
             ("maskaug", results.get("maskaug", "?")),
             ("machine", f"{machine.get('cpu', '?')}, {machine.get('torch_threads', '?')} threads"),
             ("wall time", f"{wall:.0f} s" + (f" ({cached} of {asked} classifier runs read from the "
                                              f"cache)" if cached else "") if wall is not None else "—")]
    blocks: list[tuple] = [("h1", f"maskaug evaluate: {dataset_name(cfg['data'])}"),
                           ("table", ["", ""], [[k, v] for k, v in facts], "facts")]
    if results.get("command"):
        blocks.append(("code", results["command"]))
    if cfg["splits"] < LOW_POWER_SPLITS:
        blocks.append(("warn", f"Low power: {cfg['splits']} splits. With fewer than {LOW_POWER_SPLITS} splits a "
                               f"paired difference is hard to tell from noise (the smallest two-sided Wilcoxon p "
                               f"with {cfg['splits']} splits is {min_wilcoxon_p(cfg['splits']):.3g}); rerun with "
                               f"--splits 15 before drawing conclusions."))
    return blocks


def unlabelled_text(u: dict[str, Any]) -> str:
    """The unlabelled pool in one line: where from, how many rows each split used, what was left out."""
    used = [n for per in u["rows_per_split"].values() for n in per]
    source = ("the training rows a split did not draw (rest)" if u["source"] == "rest"
              else f"{dataset_name(u['source'])} (labels not read)")
    return (f"{source}: {min(used)}–{max(used)} rows per split" if min(used) != max(used)
            else f"{source}: {used[0]} rows per split") + (
        f"; {u['dropped_test']} rows left out as test texts" if u.get("dropped_test") else "")


def unlabelled_rows(runs: list[dict], size: str) -> tuple[list[str], list[list[Cell]]] | None:
    """Per semi-supervised arm, means over its runs: the share of unlabelled rows past the confidence threshold,
    pseudo-labelled rows kept, how often their pseudo-label was right (``rest``), UDA's share past its mask."""
    by: dict[str, list[dict]] = {}
    for r in runs:
        if str(r["size"]) == size and ("unlabelled" in r or "unlabelled_pass_rate" in r):
            by.setdefault(r["method"], []).append(r)
    if not by:
        return None

    def mean(values: list) -> float | None:
        values = [v for v in values if v is not None]
        return sum(values) / len(values) if values else None

    rows = []
    for label, rs in by.items():
        info = [r.get("unlabelled", {}) for r in rs]
        cells = [mean([i.get("passed") for i in info]), mean([i.get("kept") for i in info]),
                 mean([i.get("pseudo_accuracy") for i in info]), mean([r.get("unlabelled_pass_rate") for r in rs])]
        rows.append([label] + ["—" if v is None else (f"{v:.0f}" if k == 1 else _pct(v)) for k, v in
                               enumerate(cells)])
    return ["arm", "past threshold %", "pseudo-labelled rows kept", "pseudo-labels right %",
            "UDA: past mask %"], rows


def step_matched(cfg: dict) -> bool:
    """Whether every learner run took the same optimiser steps (a fine-tuned learner with ``--steps``)."""
    return cfg["classifier"] in ("finetune", "tagger") and bool(cfg.get("steps"))


def classifier_text(cfg: dict) -> str:
    """The learner and how long it trains: fixed epochs (more rows, more steps) or step-matched."""
    if cfg["classifier"] == "tagger" and not step_matched(cfg):
        return (f"MiniLM token tagger, first sub-token of each word, {cfg.get('epochs', 10)} epochs (a run with more "
                f"rows takes more steps)")
    if cfg["classifier"] not in ("finetune", "tagger"):
        return cfg["classifier"]
    if step_matched(cfg):
        return (f"finetune, step-matched: {cfg['steps']} optimiser steps per run, dev checked "
                f"{cfg.get('epochs', 10)} times")
    return f"finetune, {cfg.get('epochs', 10)} epochs (a run with more rows takes more steps)"


def accuracy_rows(summary: dict[str, dict], metric: str = "accuracy") -> tuple[list[str], list[list[Cell]]]:
    """Header and rows of the score table: mean [95% CI], Δ vs no-aug, vs copy, vs EDA."""
    head = ["method", f"{metric} % [95% CI]", "Δ vs no-aug [95% CI]", "wins/losses", "p (t)", "p (Wilcoxon)",
            "Δ vs copy [95% CI], p (t)", "Δ vs EDA"]
    rows = []
    for label, e in summary.items():
        d, c = e.get("vs_none"), e.get("vs_copy")
        rows.append([label, f"{_pct(e['mean'])} {_ci(e.get('ci_lo', math.nan), e.get('ci_hi', math.nan))}",
                     _diff(d), f"{d['wins']}/{d['losses']}" if d else "—", _p(d["t_pvalue"]) if d else "—",
                     _p(d["wilcoxon_pvalue"]) if d else "—", f"{_diff(c)}, {_p(c['t_pvalue'])}" if c else "—",
                     f"{100 * e['vs_eda']['mean_diff']:+.1f}" if "vs_eda" in e else "—"])
    return head, rows


def accuracy_table(summary: dict[str, dict], size_name: str, size: str, metric: str = "accuracy") -> list[str]:
    """The score table (Markdown) of one training size."""
    head, rows = accuracy_rows(summary, metric)
    head[0] = f"method ({size_name} = {size})"
    return _md_table(head, rows)


def per_class_rows(summary: dict[str, dict], classes: list[str]) -> tuple[list[str], list[list[Cell]]] | None:
    """Header and rows of the per-class accuracy table, or None when runs hold none."""
    if not any(e.get("per_class") for e in summary.values()):
        return None
    head = ["method"] + [f"{c} %" for c in classes]
    rows = [[label] + [_pct(e.get("per_class", {}).get(str(i), math.nan)) for i in range(len(classes))]
            for label, e in summary.items()]
    return head, rows


def _flip_cells(q: dict) -> list[str]:
    ci = (f"{100 * q['label_flip_lo']:.1f}–{100 * q['label_flip_hi']:.1f}" if "label_flip_lo" in q else "—")
    ref = q.get("flip_vs_reference")
    vs = (f"{100 * ref['rate_diff']:+.1f} ({ref['only_method']}/{ref['only_reference']}, p {_p(ref['pvalue'])})"
          if ref else "—")
    return [ci, vs]


def quality_rows(quality: dict[str, dict], throughput: dict[str, dict]) -> tuple[list[str], list[list[Cell]]]:
    """Header and rows of the intrinsic-quality table."""
    refs = {q["flip_vs_reference"]["reference"] for q in quality.values() if "flip_vs_reference" in q}
    ref = f"Δ flip vs {refs.pop()}" if len(refs) == 1 else "Δ flip vs reference"
    columns = [c for c in QUALITY_COLUMNS if any(q.get(c[0]) is not None for q in quality.values())]
    names = [c[1] for c in columns]
    flips = any("label_flip" in q for q in quality.values())
    at = next((j + 1 for j, c in enumerate(columns) if c[0] == "label_flip"), 0)
    if flips:
        names[at:at] = ["flip 95% CI", f"{ref} (only this/only ref, McNemar)"]
    rows = []
    for label, q in quality.items():
        cells = [c[2].format(q[c[0]]) if q.get(c[0]) is not None else "—" for c in columns]
        if flips:
            cells[at:at] = _flip_cells(q)
        rate = throughput.get(label, {}).get("rows_per_s")
        rows.append([label, *cells, f"{rate:.1f}" if rate else "—"])
    return ["method", *names, "rows/s"], rows


def quality_table(quality: dict[str, dict], throughput: dict[str, dict]) -> list[str]:
    """The intrinsic-quality table (Markdown)."""
    return _md_table(*quality_rows(quality, throughput))


def marked(source: str, output: str) -> tuple[list[tuple[str, bool]], list[tuple[str, bool]]]:
    """The two texts as runs of words, the ones that differ marked (word-level diff)."""
    a, b = source.split(" "), output.split(" ")
    left: list[tuple[str, bool]] = []
    right: list[tuple[str, bool]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        changed = op != "equal"
        if i2 > i1:
            left.append((" ".join(a[i1:i2]), changed))
        if j2 > j1:
            right.append((" ".join(b[j1:j2]), changed))
    return left, right


def example_rows(examples: dict[str, list[dict]]) -> tuple[list[str], list[list[Cell]]] | None:
    """Header and rows of the example table (changed words marked), or None."""
    rows = []
    for label, items in examples.items():
        for it in items:
            src, out = marked(it["source"], it["output"])
            rows.append([label, it["label"], src, out])
    return (["method", "label", "source", "output (changes marked)"], rows) if rows else None


def teacher_blocks(teachers: dict[str, str]) -> list[tuple]:
    """What a soft-label method's added rows (generated, or copy's repeats) were trained on (``teacher=soft`` /
    ``teacher=classifier``)."""
    said = {"soft": "the probabilities of a logistic regression on sentence embeddings fitted to the split's own "
                    "training rows",
            "classifier": "the probabilities of the split's own no-aug classifier (the same rows, seed and steps as "
                          "its none run: self-distillation)"}
    return [("p", f"{', '.join(sorted(m for m, t in teachers.items() if t == kind))}: the added rows train on "
                  f"{text}, not their source's label; real rows keep theirs.")
            for kind, text in said.items() if kind in teachers.values()]


def blocks(results: dict[str, Any]) -> list[tuple]:
    """The report as a list of blocks: ``(h1|h2|p|warn|code, text)``, ``(table, head, rows[, kind])``."""
    cfg = results["config"]
    size, metric = size_name(results), metric_name(results)
    out = _header(results)
    for value, summary in results["summary"].items():
        out.append(("h2", f"Test {metric}, {size} = {value}"))
        copy_gives = ("the same rows seen in other batches" if step_matched(cfg)
                      else "as many gradient steps as a method's data")
        out.append(("p", "Mean over splits with its 95% t interval; differences are paired (same splits). "
                         + ("Every run takes the same optimiser steps (step-matched); " if step_matched(cfg) else "")
                         + f"copy repeats each training row n times: {copy_gives}, no new text, so Δ vs copy is the "
                           "gain of the new text itself."))
        head, rows = accuracy_rows(summary, metric)
        out.append(("table", head, rows))
        unit = "runs" if cfg.get("seeds", 1) > 1 else "splits"
        guarded = [f"{label}: {e['guard_kept']} of {e.get('guard_runs', e['n'])}" for label, e in summary.items()
                   if "guard_kept" in e]
        if guarded:
            out.append(("p", "guard=dev keeps a split's augmented classifier only when its dev accuracy is higher "
                             "than the no-aug classifier's (of the same seed), else the no-aug one; augmented kept on "
                             + "; ".join(guarded) + f" {unit}."))
        out += teacher_blocks(results.get("teachers", {}))
        semi = unlabelled_rows(results["runs"], value)
        if semi:
            out.append(("h2", f"Unlabelled rows, {size} = {value} (mean over runs)"))
            out.append(("p", "selftrain: the share of a split's unlabelled rows its teacher labels at or above the "
                             "threshold, how many (class-balanced) join the training set with their views, and, "
                             "where the pool's labels are known (rest), how often the pseudo-label is right (never "
                             "read by a learner). uda: the share of unlabelled rows past the confidence mask. "
                             "view=none is each arm's control: the same training with the row itself as its view."))
            out.append(("table", *semi))
        pc = per_class_rows(summary, results["classes"])
        if pc:
            out.append(("h2", f"Per-class accuracy, {size} = {value} (mean over splits)"))
            out.append(("table", *pc))
    if results.get("quality"):
        out.append(("h2", "Intrinsic quality"))
        if cfg["protocol"] == "melm2022":
            out.append(("p", "Over the outputs made for the training sentences of all splits: how many of those "
                             "asked for were made, and the share of their tokens that changed."))
        else:
            out.append(("p", "Over the outputs made for the training rows of all splits. The oracle is a logistic "
                             "regression on sentence embeddings of the full training set; label kept is the share of "
                             "outputs it gives the source's gold label, to be read next to its accuracy on the "
                             "sources themselves; label flip is the share it labels differently from their "
                             "source."))
        out.append(("table", *quality_rows(results["quality"], results.get("throughput", {}))))
    ex = example_rows(results.get("examples") or {})
    if ex:
        out.append(("h2", "Example outputs (first training rows of the first split)"))
        out.append(("table", *ex))
    return out


# -- rendering --------------------------------------------------------------------------------------------------
def _md_cell(c: Cell) -> str:
    text = c if isinstance(c, str) else " ".join(f"**{t}**" if m else t for t, m in c)
    return text.replace("|", "\\|")


def _md_table(head: list[str], rows: list[list[Cell]]) -> list[str]:
    return (["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
            + ["| " + " | ".join(_md_cell(c) for c in r) + " |" for r in rows])


def markdown(results: dict[str, Any], title: str | None = None) -> str:
    """The whole report as Markdown."""
    lines: list[str] = []
    for b in blocks(results):
        kind = b[0]
        if kind == "h1":
            lines += [f"# {title or b[1]}", ""]
        elif kind == "h2":
            lines += [f"## {b[1]}", ""]
        elif kind == "p":
            lines += [b[1], ""]
        elif kind == "warn":
            lines += [f"> **Warning.** {b[1]}", ""]
        elif kind == "code":
            lines += ["```", b[1], "```", ""]
        elif kind == "table":
            if len(b) > 3 and b[3] == "facts":
                lines += [f"- {k}: {v}" for k, v in b[2]] + [""]
            else:
                lines += _md_table(b[1], b[2]) + [""]
    return "\n".join(lines)


def _html_cell(c: Cell) -> str:
    if isinstance(c, str):
        return html.escape(c)
    return " ".join(f"<mark>{html.escape(t)}</mark>" if m else html.escape(t) for t, m in c)


def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    return base64.b64encode(buf.getvalue()).decode("ascii")


def plots(results: dict[str, Any]) -> list[tuple[str, str]]:
    """The report's figures as base64 PNG."""
    import matplotlib.pyplot as plt

    out = []
    for title, fig in figures(results):
        out.append((title, _png(fig)))
        plt.close(fig)
    return out


def figures(results: dict[str, Any]) -> list[tuple[str, Any]]:
    """Matplotlib figures: accuracy per method (95% CI, axis from 0), gain against size, flips against gain."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    figs = []
    size, metric = size_name(results), metric_name(results)
    for value, summary in results["summary"].items():
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
        ax.legend(handles=[Patch(color=COLORS[r], label=ROLE_NAMES[r]) for r in COLORS if r in roles], fontsize=7,
                  loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)  # beside the bars, never on them
        figs.append((f"Test {metric} per method ({size} = {value})", fig))
    sizes = sorted(results["summary"], key=int)
    if len(sizes) > 1:
        fig, ax = plt.subplots(figsize=(5, 3.4))
        methods = [m for m in results["summary"][sizes[0]] if m != "none"]
        for m in methods:
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
        figs.append((f"Gain against {size}", fig))
    quality = results.get("quality") or {}
    summary = results["summary"][sizes[0]] if sizes else {}
    points = [(m, 100 * q["label_flip"], 100 * summary[m]["vs_none"]["mean_diff"]) for m, q in quality.items()
              if "label_flip" in q and m in summary and "vs_none" in summary[m]]
    if points:
        fig, ax = plt.subplots(figsize=(5, 3.4))
        shown = {role(results, m) for m, _, _ in points}
        for m, x, y in points:
            ax.scatter([x], [y], color=COLORS[role(results, m)])
            ax.annotate(m, (x, y), textcoords="offset points", xytext=(4, 4), fontsize=7)
        ax.axhline(0, color="#555", lw=0.8)
        ax.set_xlim(0, max(5.0, 1.15 * max(x for _, x, _ in points)))
        ax.set_xlabel("label flips of the outputs % (oracle)")
        ax.set_ylabel(f"Δ {metric} vs no-aug, points ({size} = {sizes[0]})")
        ax.legend(handles=[Patch(color=COLORS[r], label=ROLE_NAMES[r]) for r in COLORS if r in shown], fontsize=7,
                  loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
        figs.append(("Label flips against gain", fig))
    return figs


STYLE = ("body{font-family:system-ui,sans-serif;max-width:72em;margin:2em auto;padding:0 1em;color:#222}"
         "table{border-collapse:collapse;margin:0.5em 0 1.5em}td,th{border:1px solid #ccc;padding:3px 8px;"
         "text-align:right;vertical-align:top}td:first-child,th:first-child{text-align:left}"
         "table.facts td{text-align:left}table.examples td{text-align:left;max-width:32em}"
         "mark{background:#ffe08a}.warn{background:#fff4e5;border-left:4px solid #e69500;padding:0.5em 1em}"
         "pre{background:#f4f4f4;padding:0.6em;overflow-x:auto}img{max-width:100%}")


def html_page(results: dict[str, Any]) -> str:
    """The report as one self-contained HTML page (no Markdown inside)."""
    body = []
    for b in blocks(results):
        kind = b[0]
        if kind in ("h1", "h2"):
            body.append(f"<{kind}>{html.escape(b[1])}</{kind}>")
        elif kind == "p":
            body.append(f"<p>{html.escape(b[1])}</p>")
        elif kind == "warn":
            body.append(f"<p class=\"warn\"><strong>Warning.</strong> {html.escape(b[1])}</p>")
        elif kind == "code":
            body.append(f"<pre><code>{html.escape(b[1])}</code></pre>")
        elif kind == "table":
            css = b[3] if len(b) > 3 else ("examples" if b[1] and b[1][-1].startswith("output") else "")
            rows = [f"<tr>{''.join(f'<td>{_html_cell(c)}</td>' for c in r)}</tr>" for r in b[2]]
            head = "" if css == "facts" else f"<tr>{''.join(f'<th>{html.escape(h)}</th>' for h in b[1])}</tr>"
            body.append(f"<table class=\"{css}\">{head}{''.join(rows)}</table>")
    for title, png in plots(results):
        body.append(f"<h2>{html.escape(title)}</h2><img alt=\"{html.escape(title)}\" "
                    f"src=\"data:image/png;base64,{png}\">")
    name = html.escape(dataset_name(results["config"]["data"]))
    return (f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>maskaug evaluate: {name}</title>"
            f"<style>{STYLE}</style></head><body>{''.join(body)}</body></html>\n")


RUN_KEYS = ("command", "timings_s", "cached_runs", "classifier_runs")  # facts of this run, not of its results


def read(folder: str | Path) -> dict[str, Any]:
    """An evaluation as ``write`` left it: ``results.json`` with ``run.json`` joined back."""
    folder = Path(folder)
    results = json.loads((folder / "results.json").read_text())
    run = folder / "run.json"
    return {**results, **(json.loads(run.read_text()) if run.is_file() else {})}


def write(results: dict[str, Any], out_dir: str | Path) -> dict[str, Path]:
    """Write ``report.md``, ``report.html``, ``results.json`` (every number and the config: a rerun from the cache
    writes the same bytes) and ``run.json`` (this run's command, wall times and cache hits) into ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"json": out / "results.json", "md": out / "report.md", "html": out / "report.html",
             "run": out / "run.json"}
    paths["json"].write_text(json.dumps({k: v for k, v in results.items() if k not in RUN_KEYS}, indent=1))
    paths["run"].write_text(json.dumps({k: results[k] for k in RUN_KEYS if k in results}, indent=1))
    paths["md"].write_text(markdown(results) + "\n")
    paths["html"].write_text(html_page(results))
    return paths
