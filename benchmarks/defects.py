"""How many outputs have an obvious defect (a word before the first word or after the final full stop, a
lower-case sentence start, "not not", a clause ending in "the", sub-word artefacts)? The checker is
:mod:`maskaug.evaluate.defects`; it reads only the source and the output.

    python benchmarks/defects.py --data ../shared/data/sst2_cased/test.jsonl \\
        --data ../shared/data/trec_cased/test.jsonl --data ../shared/data/snips/test.jsonl \\
        --method insert.v1 --method insert.v2 --method substitute.v1 --method substitute.v2 \\
        --rows 300 --out runs/defects.json

Each file gives ``--rows`` rows drawn with ``--seed`` (its ``label`` column is passed as the label column
when it has one, as a user with a labelled file would); every method makes ``--n`` outputs per row with the
built-in model (or ``--model``). ``--text-column`` reads another field (SICK: ``text_a``). A method may carry
parameters: ``insert:edges=true``. The table lists the share of outputs with at least one defect and the
share of each kind, with a 95% Wilson interval on the first. ``--show K`` prints K defective outputs per
method and file.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, action="append", required=True)
    ap.add_argument("--method", action="append", required=True)
    ap.add_argument("--rows", type=int, default=300)
    ap.add_argument("--n", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--model", default=None)
    ap.add_argument("--text-column", default="text")
    ap.add_argument("--show", type=int, default=0)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()

    import numpy as np

    import maskaug
    from maskaug.evaluate.defects import KINDS, defect_rates, defects
    from maskaug.evaluate.stats import proportion_ci
    from maskaug.io import read_rows
    from maskaug.methods.registry import split_spec

    results = []
    print("| data | method | outputs | defective | 95% CI | " + " | ".join(KINDS) + " |")
    print("|---|---|---|---|---|" + "---|" * len(KINDS))
    for path in args.data:
        rows = [r for r in read_rows(path) if isinstance(r.get(args.text_column), str)]
        pick = np.random.default_rng(args.seed).choice(len(rows), size=min(args.rows, len(rows)), replace=False)
        sample = [{"text": rows[i][args.text_column], **({"label": rows[i]["label"]} if "label" in rows[i] else {})}
                  for i in sorted(pick.tolist())]
        labelled = all("label" in r for r in sample)
        for spec in args.method:
            name, params = split_spec(spec)
            out = maskaug.augment(sample, method=name, n=args.n, seed=args.seed, model=args.model,
                                  label_column="label" if labelled else None, **params)
            pairs = [(sample[r["aug_source_row"]]["text"], r["text"]) for r in out]
            rates = defect_rates(pairs)
            bad = int(round(rates["defective"] * rates["outputs"]))
            lo, hi = proportion_ci(bad, int(rates["outputs"]))
            data = path.parent.name
            results.append({"data": data, "method": spec, "rows": len(sample), **rates, "ci": [lo, hi]})
            print(f"| {data} | {spec} | {int(rates['outputs'])} | {rates['defective']:.1%} | {lo:.1%}–{hi:.1%} | "
                  + " | ".join(f"{rates[k]:.1%}" for k in KINDS) + " |", flush=True)
            shown = 0
            for src, o in pairs:
                if shown >= args.show:
                    break
                found = defects(src, o)
                if found:
                    print(f"    {','.join(found)}: {src!r} -> {o!r}")
                    shown += 1
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=1) + "\n")


if __name__ == "__main__":
    main()
