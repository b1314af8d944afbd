"""What the v2 rules cost and what the closing check sees, on this machine.

    python benchmarks/fluent_checks.py --data ../shared/data/trec_cased/test.jsonl --rows 1000 --rounds 2

1. The closing check on one example with the built-in model: how many nats the full stop of "and spirited
   performances ." falls after an inserted "were" and after "again" (``maskaug.methods.fluent.closing_drops``).
2. Throughput of ``insert`` and ``substitute``, v1, v2 and v3 (or each ``--method``), on the first ``--rows``
   texts of ``--data``:
   each round builds a fresh augmenter per method, warms it on 20 texts, then times one call over all rows
   (texts/s and the forward passes it took).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--rows", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--method", action="append", default=[], help="methods to time (default: insert and "
                    "substitute, v1, v2 and v3)")
    args = ap.parse_args()

    from maskaug import Augmenter
    from maskaug.document import Doc
    from maskaug.io import read_rows
    from maskaug.methods.fluent import ClosingQuery, closing_drops, masked_at
    from maskaug.model.engine import FillEngine
    from maskaug.model.loading import load_mlm

    mlm = load_mlm(None)
    info = mlm.info
    source = Doc.parse("and spirited performances .", info)
    queries = []
    for word in ("were", "again"):
        edited = Doc.parse(f"and spirited performances {word} .", info)
        k, at = len(source.ids) - 1, len(edited.ids) - 1
        queries.append(ClosingQuery(masked_at(source.ids, k, info.mask_id), k,
                                    masked_at(edited.ids, at, info.mask_id), at, source.ids[k]))
    for word, drop in zip(("were", "again"), closing_drops(FillEngine(mlm), info, queries)):
        print(f"closing check: 'and spirited performances {word} .' -> the full stop falls {drop:+.2f} nats")

    texts = [r["text"] for r in read_rows(args.data)][: args.rows]
    for r in range(args.rounds):
        for method in args.method or ("insert.v1", "insert.v2", "insert.v3", "substitute.v1", "substitute.v2",
                                      "substitute.v3"):
            aug = Augmenter(method, model=mlm, n=1, seed=0)
            aug.augment(texts[:20])
            passes = aug.engine.forward_passes
            t = time.perf_counter()
            aug.augment(texts)
            dt = time.perf_counter() - t
            print(f"round {r + 1}  {method:14s} {len(texts) / dt:7.1f} texts/s  "
                  f"{aug.engine.forward_passes - passes} forward passes", flush=True)


if __name__ == "__main__":
    main()
