"""The evaluation tools in benchmarks/ on a tiny real evaluation: teacher agreement and paired comparisons."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np

from maskaug.cli import main
from maskaug.evaluate.stats import paired

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"
ROWS = [("a great and charming film", "pos"), ("i loved the wonderful actors", "pos"), ("great fun and heart", "pos"),
        ("a charming comedy i loved", "pos"), ("a dull and flat film", "neg"), ("thin jokes and no heart", "neg"),
        ("a lifeless dull plot", "neg"), ("flat actors and thin jokes", "neg")]


def _tool(name: str, *args: str) -> str:
    done = subprocess.run([sys.executable, str(BENCH / name), *args], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_teacher_agreement_and_paired_runs_read_a_finished_evaluation(tiny_model_dirs, tmp_path, write_jsonl):
    data = tmp_path / "train.jsonl"
    write_jsonl(data, [{"text": t, "label": y} for t, y in ROWS])
    test = tmp_path / "test.jsonl"
    write_jsonl(test, [{"text": t + " indeed", "label": y} for t, y in ROWS[::3]])
    distilled = "substitute.v2:rate=0.3,teacher=classifier"
    out = tmp_path / "eval"
    assert main(["evaluate", str(data), "--test", str(test), "-o", str(out), "--k", "2", "--splits", "2",
                 "--methods", "none,substitute.v2:rate=0.3", "--method", distilled, "--no-quality",
                 "--encoder", str(tiny_model_dirs["wordpiece"]), "--model", str(tiny_model_dirs["wordpiece"]),
                 "--cache-dir", str(tmp_path / "c"), "--quiet"]) == 0
    results = json.loads((out / "results.json").read_text())
    runs = {(r["split"], r["method"]): r for r in results["runs"]}

    line = [x for x in _tool("teacher_agreement.py", str(out / "config.json")).splitlines() if distilled in x][0]
    cells = [c.strip() for c in line.strip("|").split("|")]
    generated = sum(runs[s, distilled]["train_examples"] - runs[s, "none"]["train_examples"] for s in range(2))
    assert cells[1] == "2" and int(cells[2]) == generated  # every split's generated rows
    assert 0 <= float(cells[3].rstrip("%")) <= 100 and 0 < float(cells[4]) <= float(cells[5]) <= 1

    said = _tool("paired_runs.py", str(out / "results.json"), distilled, "substitute.v2:rate=0.3")
    want = paired([runs[s, distilled]["test_accuracy"] for s in range(2)],
                  [runs[s, "substitute.v2:rate=0.3"]["test_accuracy"] for s in range(2)])
    assert f"= {100 * want.mean_diff:+.1f} points" in said and f"wins/losses {want.wins}/{want.losses}" in said
    assert np.isclose(float(said.split("= ")[1].split(" points")[0]), 100 * want.mean_diff, atol=0.05)


def test_paired_runs_gives_each_seeds_mean_and_how_far_a_splits_seeds_lie_apart(tmp_path):
    """A results file of a --seeds 2 evaluation: per-split std over the seed means, each seed's mean and the
    mean distance between a split's two seeds, for both methods compared."""
    def record(method, split, seeds):
        return {"size": 10, "split": split, "method": method, "test_accuracy": float(np.mean(seeds)),
                "seed_runs": [{"test_accuracy": a} for a in seeds]}

    a = [(0.80, 0.70), (0.60, 0.64), (0.90, 0.90)]
    b = [(0.50, 0.50), (0.50, 0.52), (0.70, 0.60)]
    path = tmp_path / "results.json"
    path.write_text(json.dumps({"runs": [record("a", i, s) for i, s in enumerate(a)]
                                + [record("b", i, s) for i, s in enumerate(b)]}))
    said = _tool("paired_runs.py", str(path), "a", "b").splitlines()
    means_a = np.mean(a, axis=1)
    assert said[0].startswith("size 10, 3 splits: a − b = ")
    assert said[1] == (f"  a: {100 * means_a.mean():.1f} ± {100 * means_a.std(ddof=1):.1f} "
                       f"(seeds 76.7, 74.7; a split's seeds {100 * (0.10 + 0.04 + 0.0) / 3:.1f} apart on average)")
    # b: the seeds lie (0 + 0.02 + 0.10) / 3 apart
    assert said[2].startswith("  b: ") and "(seeds 56.7, 54.0; a split's seeds 4.0 apart on average)" in said[2]


def test_paired_runs_one_seed_gives_no_seed_columns(tmp_path):
    path = tmp_path / "results.json"
    path.write_text(json.dumps({"runs": [{"size": 10, "split": i, "method": m, "test_accuracy": acc}
                                         for i, (x, y) in enumerate([(0.7, 0.6), (0.8, 0.6)])
                                         for m, acc in (("a", x), ("b", y))]}))
    said = _tool("paired_runs.py", str(path), "a", "b").splitlines()
    assert said[1:] == ["  a: 75.0 ± 7.1", "  b: 60.0 ± 0.0"]
