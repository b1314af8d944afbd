"""Two systems of one judged round, row by row: where their outputs differ, which one the judge kept.

    python benchmarks/judged_pairs.py benchmarks/judged/round6 insert.v4,insert.v5

Per pair ``OLD,NEW``: rows where both wrote the same text, rows where they differ and how often NEW's output was
acceptable (fluent or minor) while OLD's was broken and the reverse, with a two-sided sign test; and each system's
acceptable share and label kept per dataset (``rows.jsonl``'s ``dataset``).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from judge_outputs import judged
from scipy.stats import binomtest


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
