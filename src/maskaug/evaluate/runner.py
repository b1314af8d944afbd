"""The one run loop: for every protocol, each arm's added rows, a learner per split, arm and seed, paired statistics
and intrinsic quality.

The protocol (``maskaug.evaluate.protocols``) supplies the data, splits, learner and metric; each arm
(``maskaug.evaluate.arms``) supplies what a split trains on besides its own rows, seeing only a ``Context`` of the
evaluation; the spec's training options (``TrainOptions``) say how the learner weights and labels those rows. Every
outcome — augmentations, fine-tuned models, oracles, learner runs (``maskaug.evaluate.artefacts``) — is kept in one
``Store`` keyed by the fingerprint of what made it, so a rerun does only what changed and reads back the same
numbers.
"""

from __future__ import annotations

import os
import platform
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
from tqdm.auto import tqdm

from maskaug.evaluate import splits as splitting
from maskaug.evaluate.arms import REFERENCES, Arm, Context, GenerateArm, NoneArm, SplitRun, arm_for, references
from maskaug.evaluate.config import EvalConfig
from maskaug.evaluate.data import Dataset, joined
from maskaug.evaluate.protocols import protocol_for
from maskaug.evaluate.quality import text_of
from maskaug.evaluate.spec import ArmSpec
from maskaug.evaluate.stats import mean_ci, mean_std, paired
from maskaug.evaluate.store import ModelRef, Store
from maskaug.fingerprint import cache_root


class Evaluation:
    """Runs a protocol end to end; every stage kept in the store by what it depends on."""

    def __init__(self, config: EvalConfig, progress: bool = True, command: str | None = None):
        cfg = self.cfg = config.resolved()
        self.progress = progress
        self.command = command  # the command line, for the report
        self.protocol = protocol_for(cfg)
        self.protocol.check()
        if not isinstance(cfg.seeds, int) or cfg.seeds < 1:
            raise ValueError(f"seeds must be a positive count of classifier seeds per split, got {cfg.seeds!r}")
        self.store = Store(Path(cfg.cache_dir) if cfg.cache_dir else cache_root() / "evaluate")
        self.arms: list[Arm] = [arm_for(m) for m in cfg.methods]
        if not any(isinstance(a, NoneArm) for a in self.arms):  # every arm is compared with the no-aug one
            self.arms.insert(0, NoneArm(ArmSpec("none", "none", {})))
        for arm in self.arms:
            arm.check(self.protocol)
        self.references = references(self.arms)  # the no-aug, copy and outside-baseline arms, by label
        labels = [a.label for a in self.arms if not isinstance(a, NoneArm)]
        if cfg.flip_reference is not None and cfg.flip_reference not in labels:
            raise ValueError(f"flip reference {cfg.flip_reference!r} is not one of the methods {labels}")
        if cfg.label_text and "prepend" not in [getattr(a, "kind", None) for a in self.arms]:
            raise ValueError("label texts only change how prepend fine-tunes, and no prepend method is in this run")
        self.model_ref = ModelRef(cfg.model, cfg.device, cfg.dtype)
        if any(isinstance(a, GenerateArm) for a in self.arms):
            self.model_ref.resolved()  # an unknown or absent device fails here, before any work
        needs = [a.label for a in self.arms if a.unlabelled]
        if needs and cfg.unlabelled is None:
            raise ValueError(f"{', '.join(needs)} train(s) on unlabelled text: add --unlabelled FILE (its labels are "
                             f"dropped) or --unlabelled rest (the pool rows a split did not draw)")
        if cfg.unlabelled not in (None, "rest") and cfg.test and Path(cfg.unlabelled).resolve() == Path(
                cfg.test).resolve():
            raise ValueError(f"--unlabelled {cfg.unlabelled} is the test file; a learner never reads the test rows")
        self.unlabelled = None  # the unlabelled pool (maskaug.evaluate.data.Unlabelled), read in prepare()
        self.embedder = None
        self.context: Context | None = None  # what the arms see of this evaluation, made in prepare()
        self.throughput: dict[str, dict] = {}
        self.timings: dict[str, float] = {}

    def __repr__(self) -> str:
        return f"Evaluation({self.cfg.protocol}, {len(self.arms)} arms, {self.store!r})"

    # -- the run ---------------------------------------------------------------------------------------------
    def prepare(self) -> tuple[Dataset, Dataset, dict[int, list[splitting.Split]], Any]:
        """The pool, the test set, the splits by size and the learner."""
        from maskaug.embeddings import Embedder

        cfg = self.cfg
        pool, test = self.protocol.load()
        if cfg.label_text:  # a label text for a label the data lacks: refused before any work
            from maskaug.conditioning import Conditioning

            Conditioning("prepend", pool.classes, label_text=cfg.label_text)
        all_splits = self.all_splits = self.protocol.splits(pool)
        if cfg.unlabelled is not None:
            from maskaug.evaluate.data import unlabelled_pool

            self.unlabelled = unlabelled_pool(cfg.unlabelled, pool, test, cfg.text_column, cfg.unlabelled_size,
                                              cfg.seed)
        self.embedder = Embedder(cfg.encoder, cache_dir=self.store.root, progress=False)
        self.context = Context(self.store, self.model_ref, self.embedder, self.protocol, self.unlabelled, all_splits)
        return pool, test, all_splits, self.protocol.learner(self.embedder, pool)

    def run(self) -> dict[str, Any]:
        """Every arm on every split; the results as one JSON-able dict (what ``results.json`` holds)."""
        cfg, protocol = self.cfg, self.protocol
        t_start = time.perf_counter()
        pool, test, all_splits, learner = self.prepare()
        results = self.head(pool, test, all_splits)
        test_xy = (test.texts, test.labels)
        outputs_by: dict[tuple[str, int], list[dict[int, list]]] = {}
        labels = [a.label for a in self.arms]
        for size, size_splits in all_splits.items():
            n = protocol.n_for(size)
            for arm in self.arms:
                t0 = time.perf_counter()
                outputs_by[arm.label, size], stats = arm.outputs(self.context, pool, size_splits, n)
                self.timings[f"augment {arm.label} size={size}"] = time.perf_counter() - t0
                if stats:
                    self.throughput[arm.label] = stats
            bar = tqdm(total=len(size_splits) * len(self.arms) * cfg.seeds, desc=f"{cfg.classifier} size={size}",
                       disable=not self.progress, unit="run")
            t0 = time.perf_counter()
            for split in size_splits:
                dev = protocol.dev_rows(pool, split)
                per_seed = [self.split_runs(split, r, pool, outputs_by, size, learner, dev, test_xy, bar)
                            for r in range(cfg.seeds)]
                done = per_seed[0] if cfg.seeds == 1 else {a: mean_run([d[a] for d in per_seed], protocol.metric)
                                                           for a in labels}
                results["runs"] += [done[a] for a in labels]
            bar.close()
            self.timings[f"classifiers size={size}"] = time.perf_counter() - t0
            results["cached_runs"] = self.store.found["runs"]
            results["classifier_runs"] = self.store.asked["runs"]
            results["summary"][str(size)] = summarize(results["runs"], size, labels, self.references,
                                                      protocol.metric)
            if not results["examples"]:
                results["examples"] = examples(pool, size_splits[0], outputs_by, self.arms, size)
        self.embedder.save()
        if cfg.quality:
            t0 = time.perf_counter()
            results["quality"] = protocol.quality(self.context, self.arms, pool, outputs_by, all_splits,
                                                  self.throughput)
            self.embedder.save()
            self.timings["quality"] = time.perf_counter() - t0
        self.timings["total"] = time.perf_counter() - t_start
        results["timings_s"] = self.timings
        results["arms"] = {a.label: {"arm": a.name, "role": a.role} for a in self.arms}
        results["metric"] = {"key": protocol.metric, "name": protocol.metric_name, "size_name": protocol.size_name}
        return results

    def head(self, pool: Dataset, test: Dataset, all_splits: dict[int, list[splitting.Split]]) -> dict[str, Any]:
        """The results before any run: the config, the data's sizes and classes, where and with what it runs, the
        unlabelled pool, and whose added rows train on soft labels."""
        from maskaug import __version__

        cfg = self.cfg
        results: dict[str, Any] = {"config": asdict(cfg), "classes": pool.classes, "pool_size": len(pool.texts),
                                   "test_size": len(test.texts), "runs": [], "summary": {}, "quality": {},
                                   "throughput": self.throughput, "machine": _machine(), "maskaug": __version__,
                                   "model": cfg.model or "maskaug/minilm-l6-mlm (built-in)",
                                   "command": self.command, "examples": {}}
        if self.unlabelled is not None:
            u = self.unlabelled
            results["unlabelled"] = {"source": cfg.unlabelled, "size": len(u.texts), "dropped_test": u.dropped_test,
                                     "rows_per_split": {str(size): [len(u.rows(s)) for s in ss]
                                                        for size, ss in all_splits.items()}}
        teachers = {a.label: a.options.teacher for a in self.arms if a.options.teacher}
        if teachers:  # whose added rows train on soft labels, and from which teacher (for the report)
            results["teachers"] = teachers
        return results

    def split_runs(self, split: splitting.Split, r: int, pool: Dataset, outputs_by, size: int, learner, dev, test_xy,
                   bar) -> dict[str, dict[str, Any]]:
        """Every arm's run on one split with its ``r``-th learner seed, by label (a guard compares the runs of the
        same seed)."""
        raw, done = {}, {}
        seed = self.protocol.run_seed(split, r)
        for arm in sorted(self.arms, key=lambda a: bool(a.options.guard)):  # a guard reads the no-aug run
            ctx = SplitRun(split, size, seed, pool, outputs_by[arm.label, size][split.index], learner, dev, test_xy)
            t0 = time.perf_counter()
            run = {k: v for k, v in arm.train(self.context, ctx).items() if k != "scores"}  # a teacher's logits
            key = f"train {arm.label} size={size}"  # run.json: wall time per arm (runs read from the store: ~0)
            self.timings[key] = self.timings.get(key, 0.0) + time.perf_counter() - t0
            raw[arm.label] = run
            if arm.options.guard:
                run = guard(run, raw[self.references["none"]])
            done[arm.label] = {"size": size, "split": split.index, "method": arm.label, **run}
            bar.update(1)
        return done


def examples(pool: Dataset, split: splitting.Split, outputs_by, arms: list[Arm], size: int,
             k: int = 3) -> dict[str, list[dict[str, str]]]:
    """The first ``k`` training rows of the first split with each text-making arm's first output, for the report."""
    rows = split.train[:k]
    out = {}
    for arm in arms:
        if not arm.text:
            continue
        outs = outputs_by[arm.label, size][split.index]
        out[arm.label] = [{"source": joined(pool.texts[i]), "output": joined(text_of(outs[i][0])),
                           "label": target_text(pool, i)} for i in rows if outs.get(i)]
    return out


def target_text(pool: Dataset, i: int) -> str:
    """A row's target as a report shows it: its class, or the entity tags of a token/tag row."""
    y = pool.labels[i]
    return pool.classes[y] if isinstance(y, int) else " ".join(t for t in y if t != "O") or "O"


def guard(augmented: dict[str, Any], none: dict[str, Any]) -> dict[str, Any]:
    """``guard=dev``: the augmented run when its dev accuracy is higher than the no-aug run's, else the no-aug run
    (a tie keeps no-aug: the added rows have to earn their place), marked with which was kept."""
    if augmented["dev_accuracy"] is None or none["dev_accuracy"] is None:
        raise ValueError("guard=dev needs dev accuracies (a protocol whose splits have dev rows)")
    if augmented["dev_accuracy"] > none["dev_accuracy"]:
        return {**augmented, "guard": "augmented"}
    return {**none, "guard": "none"}


def mean_run(seed_runs: list[dict[str, Any]], metric: str = "test_accuracy") -> dict[str, Any]:
    """One split's record over several learner seeds: the mean of each score (dev and per-class accuracy too), the
    seeds' own runs under ``seed_runs`` (a guarded arm: which learner each seed kept)."""
    first = seed_runs[0]
    out: dict[str, Any] = {"size": first["size"], "split": first["split"], "method": first["method"],
                           "train_examples": first["train_examples"] if "guard" not in first else None}
    for k in (metric, "precision", "recall"):
        if k in first:
            out[k] = float(np.mean([r[k] for r in seed_runs]))
    if "dev_accuracy" in first:
        dev = [r["dev_accuracy"] for r in seed_runs]
        out["dev_accuracy"] = None if None in dev else float(np.mean(dev))
    if "per_class" in first:
        out["per_class"] = {c: float(np.mean([r["per_class"][c] for r in seed_runs])) for c in first["per_class"]}
    out["seed_runs"] = [{k: r[k] for k in (metric, "dev_accuracy", "chosen", "guard", "train_examples") if k in r}
                        for r in seed_runs]
    return out


def summarize(runs: list[dict], size: int, labels: list[str], refs: dict[str, str],
              metric: str = "test_accuracy") -> dict[str, dict]:
    """Mean, 95% interval and paired differences per arm for one size: ``vs_none``, ``vs_copy``, ``vs_eda`` with
    the reference arms ``refs`` names (``arms.references``: a reference arm is compared only with those before it);
    per-class accuracy means; for a guarded arm, on how many splits its augmented learner was kept."""
    acc: dict[str, list[float]] = {}
    kept: dict[str, int] = {}  # guard=dev: splits (several seeds: runs) whose augmented classifier was kept
    guard_runs: dict[str, int] = {}
    per_class: dict[str, dict[str, list[float]]] = {}
    for r in sorted((r for r in runs if r["size"] == size), key=lambda r: r["split"]):
        acc.setdefault(r["method"], []).append(r[metric])
        guards = [s["guard"] for s in r.get("seed_runs", [r]) if "guard" in s]  # one per seed
        if guards:
            kept[r["method"]] = kept.get(r["method"], 0) + guards.count("augmented")
            guard_runs[r["method"]] = guard_runs.get(r["method"], 0) + len(guards)
        for c, v in r.get("per_class", {}).items():
            per_class.setdefault(r["method"], {}).setdefault(c, []).append(v)
    order = [k for k in REFERENCES if k in refs]
    tier = {refs[k]: i for i, k in enumerate(order)}  # a reference arm: compared with the ones before it
    out = {}
    for label in labels:
        mean, std = mean_std(acc[label])
        lo, hi = mean_ci(acc[label])
        entry: dict[str, Any] = {"mean": mean, "std": std, "n": len(acc[label]), "ci_lo": lo, "ci_hi": hi,
                                 "per_class": {c: float(np.mean(v)) for c, v in per_class.get(label, {}).items()}}
        for i, key in enumerate(order):
            if tier.get(label, len(order)) > i:
                entry[f"vs_{key}"] = paired(acc[label], acc[refs[key]]).as_dict()
        if label in kept:
            entry["guard_kept"] = kept[label]
            if guard_runs[label] != len(acc[label]):  # several seeds per split: kept out of how many runs
                entry["guard_runs"] = guard_runs[label]
        out[label] = entry
    return out


def _machine() -> dict[str, Any]:
    import torch

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "torch_threads": torch.get_num_threads(),
            "python": platform.python_version(), "torch": torch.__version__}


__all__ = ["EvalConfig", "Evaluation", "examples", "guard", "mean_run", "summarize"]
