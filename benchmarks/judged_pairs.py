"""Two systems of one judged round, row by row: where their outputs differ, which one the judge kept.

    python benchmarks/judged_pairs.py benchmarks/judged/round6 insert.v4,insert.v5

Per pair ``OLD,NEW``: rows where both wrote the same text, rows where they differ and how often NEW's output was
acceptable (fluent or minor) while OLD's was broken and the reverse, with a two-sided sign test; and each system's
acceptable share and label kept per dataset (``rows.jsonl``'s ``dataset``), and its words changed per output on
texts of 10+ words (issue 35's target), counted by the judge kit's own ``changes``.
"""

from __future__ import annotations

import argparse
import ast
import json
from pathlib import Path

from judge_outputs import judged
from scipy.stats import binomtest

LONG = 10  # words: issue 35's "words changed per output" target is for texts this long or longer


def kit() -> dict:
    """The judge kit's (``../shared/tools/judge/judge.py``) imports, constants and functions, for its word count of a
    change; the kit is a script whose command line runs on import, so only those statements are run."""
    path = Path(__file__).resolve().parents[2] / "shared" / "tools" / "judge" / "judge.py"
    tree = ast.parse(path.read_text())
    keep = (ast.Import, ast.ImportFrom, ast.FunctionDef)
    tree.body = [n for n in tree.body if isinstance(n, keep) or (
        isinstance(n, ast.Assign) and all(isinstance(t, ast.Name) and t.id.isupper() for t in n.targets))]
    names: dict = {}
    exec(compile(tree, str(path), "exec"), names)
    return names


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("round", type=Path)
    ap.add_argument("pairs", nargs="+", metavar="OLD,NEW")
    a = ap.parse_args()
    rows = [json.loads(line) for line in (a.round / "rows.jsonl").open() if line.strip()]
    out = {(k["system"], k["i"]): (k["new"], v["fluency"] != "broken", v["label"] == "kept")
           for k, v in judged(a.round)}
    for system in sorted({s for s, _ in out}):
        line = f"{system}:"
        for dataset in sorted({r["dataset"] for r in rows}):
            mine = [v for (s, i), v in out.items() if s == system and rows[i]["dataset"] == dataset]
            if mine:
                line += (f"  {dataset} {sum(v[1] for v in mine) / len(mine):.1%} acceptable, label kept "
                         f"{sum(v[2] for v in mine) / len(mine):.0%} (n={len(mine)})")
        judge = kit()
        long = [judge["changes"](rows[i]["text"], v[0])[0] for (s, i), v in out.items()
                if s == system and len(judge["words"](rows[i]["text"])) >= LONG]
        if long:
            line += f"  words changed on {LONG}+ word texts {sum(long) / len(long):.2f} (n={len(long)})"
        print(line)
    for pair in a.pairs:
        old, new = pair.split(",")
        same = better = worse = 0
        for (s, i), (text, ok, _) in out.items():
            if s != new or (old, i) not in out:
                continue
            old_text, old_ok, _ = out[(old, i)]
            same += text == old_text
            better += text != old_text and ok and not old_ok
            worse += text != old_text and old_ok and not ok
        other = {old: new, new: old}
        only = {s: sum(1 for (x, i) in out if x == s and (other[s], i) not in out) for s in (old, new)}
        p = binomtest(better, better + worse).pvalue if better + worse else 1.0
        print(f"{new} vs {old}: {same} rows the same text; where they differ, {new} kept and {old} not {better}, "
              f"the reverse {worse} (sign test p = {p:.3f}); rows with an output only from {old}: {only[old]}, "
              f"only from {new}: {only[new]}")


if __name__ == "__main__":
    main()
