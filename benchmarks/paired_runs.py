"""Paired comparison of any two methods of one or more evaluations on the same splits (the report compares
each method with none, copy and EDA only).

    python benchmarks/paired_runs.py runs/steps-trec6/results.json \\
        "insert:teacher=classifier,aug_weight=0.5" "insert:teacher=soft,aug_weight=0.5"

Several results files are read together (same protocol, seed and splits; a method found in more than one must
have the same accuracies in each), so a method of one run can be compared with a method of another.
"""

from __future__ import annotations

import argparse
import json

from maskaug.evaluate.stats import paired


def accuracies(paths: list[str]) -> dict[tuple[str, str], dict[int, float]]:
    """Test accuracy by (size, method) and split, over the given results files."""
    out: dict[tuple[str, str], dict[int, float]] = {}
    for path in paths:
        with open(path) as f:
            results = json.load(f)
        for r in results["runs"]:
            seen = out.setdefault((str(r["size"]), r["method"]), {})
            if seen.get(r["split"], r["test_accuracy"]) != r["test_accuracy"]:
                raise SystemExit(f"{path}: {r['method']} split {r['split']} differs from an earlier file's run")
            seen[r["split"]] = r["test_accuracy"]
    return out


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
        p = paired([acc[size, a][s] for s in splits], [acc[size, b][s] for s in splits])
        print(f"size {size}, {len(splits)} splits: {a} − {b} = {100 * p.mean_diff:+.1f} points "
              f"[{100 * p.ci_lo:+.1f}, {100 * p.ci_hi:+.1f}], wins/losses {p.wins}/{p.losses}, "
              f"p (t) {p.t_pvalue:.2f}, p (Wilcoxon) {p.wilcoxon_pvalue:.2f}")


if __name__ == "__main__":
    main()
