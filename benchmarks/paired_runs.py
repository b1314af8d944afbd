"""Paired comparison of any two methods of one or more evaluations on the same splits (the report compares
each method with none, copy and EDA only).

    python benchmarks/paired_runs.py runs/steps-trec6/results.json \\
        "insert:teacher=classifier,aug_weight=0.5" "insert:teacher=soft,aug_weight=0.5"

Several results files are read together (same protocol, seed and splits; a method found in more than one must
have the same accuracies in each), so a method of one run can be compared with a method of another. Each of the
two methods' lines gives its mean with the per-split standard deviation and, for an evaluation with several
classifier seeds (``--seeds``), each seed's mean and how far a split's seeds lie apart on average.
"""

from __future__ import annotations

import argparse
import json

import numpy as np

from maskaug.evaluate.stats import paired

Run = tuple[float, tuple[float, ...]]  # a split's test accuracy, then each classifier seed's own


def accuracies(paths: list[str]) -> dict[tuple[str, str], dict[int, Run]]:
    """Test accuracy by (size, method) and split, with its classifier seeds' accuracies (one seed: the accuracy
    itself), over the given results files."""
    out: dict[tuple[str, str], dict[int, Run]] = {}
    for path in paths:
        with open(path) as f:
            results = json.load(f)
        for r in results["runs"]:
            seen = out.setdefault((str(r["size"]), r["method"]), {})
            run = (r["test_accuracy"], tuple(s["test_accuracy"] for s in r.get("seed_runs", [r])))
            if seen.get(r["split"], run) != run:
                raise SystemExit(f"{path}: {r['method']} split {r['split']} differs from an earlier file's run")
            seen[r["split"]] = run
    return out


def spread(method: str, runs: list[Run]) -> str:
    """One method's mean ± per-split std over the splits; with several seeds (as many on every split), each
    seed's mean and the mean distance between a split's best and worst seed."""
    means = np.array([m for m, _ in runs])
    line = f"  {method}: {100 * means.mean():.1f} ± {100 * (means.std(ddof=1) if len(means) > 1 else 0.0):.1f}"
    seeds = [s for _, s in runs]
    if len({len(s) for s in seeds}) == 1 and len(seeds[0]) > 1:
        by_seed = np.array(seeds)  # splits × seeds
        line += (" (seeds " + ", ".join(f"{100 * v:.1f}" for v in by_seed.mean(0))
                 + f"; a split's seeds {100 * np.ptp(by_seed, axis=1).mean():.1f} apart on average)")
    return line


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("results", nargs="+", help="results.json files, then the two method labels (A − B)")
    args = ap.parse_args()
    if len(args.results) < 3:
        ap.error("give at least one results.json and two method labels")
    *paths, a, b = args.results
    acc = accuracies(paths)
    sizes = sorted({s for s, m in acc if m == a} & {s for s, m in acc if m == b})
    if not sizes:
        raise SystemExit(f"no size has both {a!r} and {b!r}; methods: {sorted({m for _, m in acc})}")
    for size in sizes:
        splits = sorted(acc[size, a].keys() & acc[size, b].keys())
        p = paired([acc[size, a][s][0] for s in splits], [acc[size, b][s][0] for s in splits])
        print(f"size {size}, {len(splits)} splits: {a} − {b} = {100 * p.mean_diff:+.1f} points "
              f"[{100 * p.ci_lo:+.1f}, {100 * p.ci_hi:+.1f}], wins/losses {p.wins}/{p.losses}, "
              f"p (t) {p.t_pvalue:.2f}, p (Wilcoxon) {p.wilcoxon_pvalue:.2f}")
        for method in (a, b):
            print(spread(method, [acc[size, method][s] for s in splits]))


if __name__ == "__main__":
    main()
