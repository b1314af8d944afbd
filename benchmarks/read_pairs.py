"""Two method specs on the same rows and seed, printed side by side where their outputs differ, for a person to
read and judge (the checker in ``maskaug.evaluate.defects`` counts only the defects it knows).

    python benchmarks/read_pairs.py --data ../shared/data/sst2_cased/test.jsonl --rows 60 --seed 3 \\
        --a insert.v2 --b "insert.v2:next_drop=2.0"

Rows are drawn with ``--pick-seed``; a spec carries parameters as in ``benchmarks/defects.py``.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--a", required=True)
    ap.add_argument("--b", required=True)
    ap.add_argument("--rows", type=int, default=60)
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--pick-seed", type=int, default=1)
    ap.add_argument("--text-column", default="text")
    args = ap.parse_args()


    import numpy as np

    import maskaug
    from maskaug.io import read_rows
    from maskaug.methods.registry import split_spec

    rows = [r[args.text_column] for r in read_rows(args.data) if isinstance(r.get(args.text_column), str)]
    pick = np.random.default_rng(args.pick_seed).choice(len(rows), size=min(args.rows, len(rows)), replace=False)
    texts = [rows[i] for i in sorted(pick.tolist())]
    outs = []
    for spec in (args.a, args.b):
        name, params = split_spec(spec)
        outs.append(maskaug.augment(texts, method=name, seed=args.seed, **params))
    differ = [(t, a[0] if a else "(none)", b[0] if b else "(none)") for t, a, b in zip(texts, *outs) if a != b]
    print(f"{len(differ)} of {len(texts)} outputs differ\n")
    for text, a, b in differ:
        print(f"source: {text}\nA:      {a}\nB:      {b}\n")


if __name__ == "__main__":
    main()
