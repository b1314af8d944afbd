"""Cost per row of the choice stage: ``substitute`` with K = 1, 4, 8 candidates per output.

    python benchmarks/bench_choose.py --data ../shared/data/sst2_cased/test.jsonl --rows 500 --by similarity

Each K runs in its own process (the built-in model, n = 1, 2 threads); prints seconds per 1,000 rows and the
forward passes, so the cost of drawing K candidates in one batched pass is seen against K = 1.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path


def one(data: Path, rows: int, k: int, by: str) -> dict:
    from maskaug import Augmenter
    from maskaug.choosing import build

    texts = [json.loads(x)["text"] for x in data.read_text(encoding="utf-8").splitlines() if x.strip()][:rows]
    scorer = build(by) if k > 1 else None
    aug = Augmenter("substitute", n=1, seed=0, device="cpu", choose=k, scorer=scorer)
    aug.augment(texts[:32])  # warm-up
    passes0, t0 = aug.engine.forward_passes, time.perf_counter()
    aug.augment(texts)
    secs = time.perf_counter() - t0
    return {"k": k, "by": by if k > 1 else None, "rows": len(texts), "seconds": round(secs, 2),
            "s_per_1k_rows": round(1000 * secs / len(texts), 2), "forward_passes": aug.engine.forward_passes - passes0}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--rows", type=int, default=500)
    ap.add_argument("--by", default="similarity")
    ap.add_argument("--k", type=int, nargs="+", default=[1, 4, 8])
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one is not None:
        print(json.dumps(one(args.data, args.rows, args.one, args.by)))
        return
    base = None
    for k in args.k:
        out = subprocess.run([sys.executable, __file__, "--data", str(args.data), "--rows", str(args.rows), "--by",
                              args.by, "--one", str(k)], capture_output=True, text=True, check=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        base = base or r["s_per_1k_rows"]
        r["cost_vs_k1"] = round(r["s_per_1k_rows"] / base, 2)
        print(json.dumps(r), flush=True)


if __name__ == "__main__":
    main()
