"""The report's sections, one class each, in the order they appear: the header (what was run, on what, and a
low-power warning), then per training size the scores (with guards and soft labels), the unlabelled rows and the
per-class scores, then the intrinsic quality and example outputs. What a protocol adds to the words is its own
(``maskaug.evaluate.protocols``)."""

from __future__ import annotations

import math
from typing import Any

from maskaug.evaluate.report.cells import (
    Block,
    Cell,
    Code,
    Facts,
    Heading,
    Paragraph,
    Table,
    dataset_name,
    difference,
    interval,
    marked,
    p_value,
    pct,
)
from maskaug.evaluate.stats import min_wilcoxon_p

LOW_POWER_SPLITS = 10
QUALITY_COLUMNS = [("label_kept", "label kept", "{:.1%}"), ("oracle_on_sources", "oracle on sources", "{:.1%}"),
                   ("label_flip", "label flip", "{:.1%}"), ("edit_rate", "edit rate", "{:.2f}"),
                   ("similarity", "similarity", "{:.3f}"), ("fluency", "Δ PLL/token", "{:+.2f}"),
                   ("distinct_2", "distinct-2", "{:.3f}"), ("length_changed", "length changed", "{:.1%}"),
                   ("identical", "identical", "{:.1%}"),
                   ("duplicate", "duplicate", "{:.1%}"), ("tokens_changed", "tokens changed", "{:.1%}"),
                   ("outputs", "outputs", "{:.0f}"), ("shortfall", "shortfall", "{:.0f}")]


class Section:
    """One part of the report, read from an evaluation's results."""

    def __init__(self, results: dict[str, Any]):
        from maskaug.evaluate.protocols import protocol_class

        self.results, self.cfg = results, results["config"]
        self.protocol = protocol_class(self.cfg["protocol"])

    @property
    def size_name(self) -> str:
        """What a training size counts: ``k`` (per class) or ``N``."""
        return self.results.get("metric", {}).get("size_name") or self.protocol.size_name

    @property
    def metric_name(self) -> str:
        """The score the protocol reports: accuracy, or F1 for token/tag records."""
        return self.results.get("metric", {}).get("name", self.protocol.metric_name)

    def blocks(self) -> list[Block]:  # pragma: no cover - each section writes its own
        """The section's blocks (none when the results have nothing for it)."""
        raise NotImplementedError


class Header(Section):
    """The title, what was run on what (datasets named, not paths), the command, and a low-power warning."""

    def facts(self) -> list[tuple[str, str]]:
        """``(name, value)`` of everything the run depended on and where it ran."""
        results, cfg, protocol = self.results, self.cfg, self.protocol
        test = dataset_name(cfg["test"]) if cfg["test"] else f"a held-out 20% of {dataset_name(cfg['data'])}"
        seeds = cfg.get("seeds", 1)
        machine = results.get("machine", {})
        return [("dataset", dataset_name(cfg["data"])), ("test set", f"{test}, {results['test_size']} rows"),
                ("protocol", f"{cfg['protocol']}, {protocol.size_text} {', '.join(str(s) for s in results['summary'])}"
                             f", {cfg['splits']} splits, seed {cfg['seed']}"
                             + (f", {seeds} classifier seeds per split (a split's accuracy is their mean; pairs are "
                                f"splits)" if seeds > 1 else "")),
                (protocol.labels_name, ", ".join(results["classes"])),
                (protocol.learner_label, protocol.learner_text(cfg)),
                ("masked LM", results.get("model") or cfg.get("model") or "built-in"),
                ("outputs per row (n)", protocol.n_text(cfg.get("n"))),
                *([("unlabelled", unlabelled_text(results["unlabelled"]))] if results.get("unlabelled") else []),
                ("maskaug", results.get("maskaug", "?")),
                ("machine", f"{machine.get('cpu', '?')}, {machine.get('torch_threads', '?')} threads"),
                ("wall time", self.wall_time())]

    def wall_time(self) -> str:
        """The run's wall time, and how many learner runs were read from the cache."""
        wall = self.results.get("timings_s", {}).get("total")
        if wall is None:
            return "—"
        cached = self.results.get("cached_runs", 0)
        asked = self.results.get("classifier_runs", len(self.results["runs"]))  # teachers' runs too
        return f"{wall:.0f} s" + (f" ({cached} of {asked} classifier runs read from the cache)" if cached else "")

    def blocks(self) -> list[Block]:
        splits = self.cfg["splits"]
        out: list[Block] = [Heading(f"maskaug evaluate: {dataset_name(self.cfg['data'])}", 1), Facts(self.facts())]
        if self.results.get("command"):
            out.append(Code(self.results["command"]))
        if splits < LOW_POWER_SPLITS:
            out.append(Paragraph(f"Low power: {splits} splits. With fewer than {LOW_POWER_SPLITS} splits a paired "
                                 f"difference is hard to tell from noise (the smallest two-sided Wilcoxon p with "
                                 f"{splits} splits is {min_wilcoxon_p(splits):.3g}); rerun with --splits 15 before "
                                 f"drawing conclusions.", warn=True))
        return out


def unlabelled_text(u: dict[str, Any]) -> str:
    """The unlabelled pool in one line: where from, how many rows each split used, what was left out."""
    used = [n for per in u["rows_per_split"].values() for n in per]
    source = ("the training rows a split did not draw (rest)" if u["source"] == "rest"
              else f"{dataset_name(u['source'])} (labels not read)")
    return (f"{source}: {min(used)}–{max(used)} rows per split" if min(used) != max(used)
            else f"{source}: {used[0]} rows per split") + (
        f"; {u['dropped_test']} rows left out as test texts" if u.get("dropped_test") else "")


class SizeSection(Section):
    """A section written once per training size."""

    def __init__(self, results: dict[str, Any], size: str):
        super().__init__(results)
        self.size, self.summary = size, results["summary"][size]


class Scores(SizeSection):
    """The score table of one size (mean, 95% interval, paired differences with the references), which learner
    guard=dev kept, and what soft-label methods' added rows trained on."""

    def rows(self) -> tuple[list[str], list[list[Cell]]]:
        """Header and rows of the score table: mean [95% CI], Δ vs no-aug, vs copy, vs EDA."""
        head = ["method", f"{self.metric_name} % [95% CI]", "Δ vs no-aug [95% CI]", "wins/losses", "p (t)",
                "p (Wilcoxon)", "Δ vs copy [95% CI], p (t)", "Δ vs EDA"]
        rows = []
        for label, e in self.summary.items():
            d, c = e.get("vs_none"), e.get("vs_copy")
            rows.append([label, f"{pct(e['mean'])} {interval(e.get('ci_lo', math.nan), e.get('ci_hi', math.nan))}",
                         difference(d), f"{d['wins']}/{d['losses']}" if d else "—",
                         p_value(d["t_pvalue"]) if d else "—", p_value(d["wilcoxon_pvalue"]) if d else "—",
                         f"{difference(c)}, {p_value(c['t_pvalue'])}" if c else "—",
                         f"{100 * e['vs_eda']['mean_diff']:+.1f}" if "vs_eda" in e else "—"])
        return head, rows

    def blocks(self) -> list[Block]:
        matched = self.protocol.step_matched(self.cfg)
        copy_gives = ("the same rows seen in other batches" if matched
                      else "as many gradient steps as a method's data")
        out: list[Block] = [
            Heading(f"Test {self.metric_name}, {self.size_name} = {self.size}"),
            Paragraph("Mean over splits with its 95% t interval; differences are paired (same splits). "
                      + ("Every run takes the same optimiser steps (step-matched); " if matched else "")
                      + f"copy repeats each training row n times: {copy_gives}, no new text, so Δ vs copy is the "
                        "gain of the new text itself."),
            Table(*self.rows())]
        unit = "runs" if self.cfg.get("seeds", 1) > 1 else "splits"
        guarded = [f"{label}: {e['guard_kept']} of {e.get('guard_runs', e['n'])}" for label, e in self.summary.items()
                   if "guard_kept" in e]
        if guarded:
            out.append(Paragraph("guard=dev keeps a split's augmented classifier only when its dev accuracy is higher "
                                 "than the no-aug classifier's (of the same seed), else the no-aug one; augmented kept "
                                 "on " + "; ".join(guarded) + f" {unit}."))
        return out + teacher_blocks(self.results.get("teachers", {}))


def teacher_blocks(teachers: dict[str, str]) -> list[Block]:
    """What a soft-label method's added rows (generated, or copy's repeats) were trained on (``teacher=soft`` /
    ``teacher=classifier``)."""
    said = {"soft": "the probabilities of a logistic regression on sentence embeddings fitted to the split's own "
                    "training rows",
            "classifier": "the probabilities of the split's own no-aug classifier (the same rows, seed and steps as "
                          "its none run: self-distillation)"}
    return [Paragraph(f"{', '.join(sorted(m for m, t in teachers.items() if t == kind))}: the added rows train on "
                      f"{text}, not their source's label; real rows keep theirs.")
            for kind, text in said.items() if kind in teachers.values()]


class Unlabelled(SizeSection):
    """Per semi-supervised arm, means over its runs: the share of unlabelled rows past the confidence threshold,
    pseudo-labelled rows kept, how often their pseudo-label was right (``rest``), UDA's share past its mask."""

    def rows(self) -> tuple[list[str], list[list[Cell]]] | None:
        """Header and rows of the table, or None when no arm read unlabelled rows."""
        by: dict[str, list[dict]] = {}
        for r in self.results["runs"]:
            if str(r["size"]) == self.size and ("unlabelled" in r or "unlabelled_pass_rate" in r):
                by.setdefault(r["method"], []).append(r)
        if not by:
            return None
        rows = []
        for label, rs in by.items():
            info = [r.get("unlabelled", {}) for r in rs]
            cells = [_mean([i.get("passed") for i in info]), _mean([i.get("kept") for i in info]),
                     _mean([i.get("pseudo_accuracy") for i in info]),
                     _mean([r.get("unlabelled_pass_rate") for r in rs])]
            rows.append([label] + ["—" if v is None else (f"{v:.0f}" if k == 1 else pct(v)) for k, v in
                                   enumerate(cells)])
        return ["arm", "past threshold %", "pseudo-labelled rows kept", "pseudo-labels right %",
                "UDA: past mask %"], rows

    def blocks(self) -> list[Block]:
        table = self.rows()
        if not table:
            return []
        return [Heading(f"Unlabelled rows, {self.size_name} = {self.size} (mean over runs)"),
                Paragraph("selftrain: the share of a split's unlabelled rows its teacher labels at or above the "
                          "threshold, how many (class-balanced) join the training set with their views, and, where the "
                          "pool's labels are known (rest), how often the pseudo-label is right (never read by a "
                          "learner). uda: the share of unlabelled rows past the confidence mask. view=none is each "
                          "arm's control: the same training with the row itself as its view."),
                Table(*table)]


def _mean(values: list) -> float | None:
    values = [v for v in values if v is not None]
    return sum(values) / len(values) if values else None


class PerClass(SizeSection):
    """Per-class accuracy of one size (mean over splits)."""

    def rows(self) -> tuple[list[str], list[list[Cell]]] | None:
        """Header and rows of the per-class table, or None when runs hold none."""
        if not any(e.get("per_class") for e in self.summary.values()):
            return None
        classes = self.results["classes"]
        head = ["method"] + [f"{c} %" for c in classes]
        rows = [[label] + [pct(e.get("per_class", {}).get(str(i), math.nan)) for i in range(len(classes))]
                for label, e in self.summary.items()]
        return head, rows

    def blocks(self) -> list[Block]:
        table = self.rows()
        if not table:
            return []
        return [Heading(f"Per-class accuracy, {self.size_name} = {self.size} (mean over splits)"), Table(*table)]


class Quality(Section):
    """The intrinsic quality of each text-making arm's outputs, with its label flips beside the reference's."""

    def rows(self) -> tuple[list[str], list[list[Cell]]]:
        """Header and rows of the intrinsic-quality table."""
        quality, throughput = self.results["quality"], self.results.get("throughput", {})
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

    def blocks(self) -> list[Block]:
        if not self.results.get("quality"):
            return []
        return [Heading("Intrinsic quality"), Paragraph(self.protocol.quality_text), Table(*self.rows())]


def _flip_cells(q: dict) -> list[str]:
    ci = (f"{100 * q['label_flip_lo']:.1f}–{100 * q['label_flip_hi']:.1f}" if "label_flip_lo" in q else "—")
    ref = q.get("flip_vs_reference")
    vs = (f"{100 * ref['rate_diff']:+.1f} ({ref['only_method']}/{ref['only_reference']}, p {p_value(ref['pvalue'])})"
          if ref else "—")
    return [ci, vs]


class Examples(Section):
    """The first training rows of the first split with each text-making arm's first output, changes marked."""

    def blocks(self) -> list[Block]:
        rows: list[list[Cell]] = []
        for label, items in (self.results.get("examples") or {}).items():
            for it in items:
                src, out = marked(it["source"], it["output"])
                rows.append([label, it["label"], src, out])
        if not rows:
            return []
        return [Heading("Example outputs (first training rows of the first split)"),
                Table(["method", "label", "source", "output (changes marked)"], rows, "examples")]


def blocks(results: dict[str, Any]) -> list[Block]:
    """The whole report as blocks: the header; per size its scores, unlabelled rows and per-class table; the
    intrinsic quality; the examples."""
    out = Header(results).blocks()
    for size in results["summary"]:
        for section in (Scores, Unlabelled, PerClass):
            out += section(results, size).blocks()
    return out + Quality(results).blocks() + Examples(results).blocks()
