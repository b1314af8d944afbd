"""Every CPU backend and dtype side by side: engine throughput, the bare model call on the same batches, peak
RSS, fill agreement with fp32 PyTorch, and the oracle label-flip rate of the outputs.

    python benchmarks/bench_backends.py --data ../shared/data/sst2_cased/test.jsonl \\
        --oracle-data ../shared/data/sst2_cased/train.jsonl --limit 1000 --rounds 3

Each variant runs in its own process (so its peak RSS is its own) with ``torch.set_num_threads(--threads)``:
``Augmenter("substitute", n=1, max_attempts=1)`` over the sentences (``maskaug`` time), then only the backend
calls on the very batches it built (``bare`` time), alternating for ``--rounds`` rounds; the median and the
range are reported. The batches are the same for every variant (the masks come from the seed), so the top-20
candidate ids at every masked position are compared with fp32 PyTorch's: top-1 agreement and top-20 overlap.
The outputs are labelled by an oracle (logistic regression on MiniLM sentence embeddings of
``--oracle-rows`` rows of ``--oracle-data``); a flip is an output the oracle labels differently from its
source, with a 95% interval and McNemar's test against fp32 PyTorch on the same rows. The first 400
sentences are also augmented with ``--token-budget 1024``: the rows whose output changed say whether the
variant's fills depend on batching. ``--profile K`` adds a cProfile of one pass (own time per function).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

VARIANTS = {  # name: (backend, dtype, fp32 head)
    "torch-fp32": ("torch", "fp32", True),
    "torch-bf16": ("torch", "bf16", True),
    "torch-bf16-bf16head": ("torch", "bf16", False),
    "onnx-fp32": ("onnx", "fp32", True),
    "onnx-int8": ("onnx", "int8", True),
}


def load_texts(path: Path, limit: int) -> list[str]:
    rows = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
    return [r["text"] for r in rows][:limit]


def run_variant(name: str, texts: list[str], threads: int, rounds: int, work: Path, profile_top: int = 0) -> dict:
    import torch

    torch.set_num_threads(threads)
    from maskaug.augmenter import Augmenter

    backend, dtype, fp32_head = VARIANTS[name]
    t0 = time.perf_counter()
    aug = Augmenter("substitute", n=1, seed=0, max_attempts=1, backend=backend, dtype=dtype)
    load_s = time.perf_counter() - t0
    if hasattr(aug.engine.backend, "fp32_head"):
        aug.engine.backend.fp32_head = fp32_head
    aug.augment(texts[:32])  # warm-up
    aug.engine.trace = []
    outputs = aug.augment(texts)
    batches, aug.engine.trace = aug.engine.trace, None
    engine_s, bare_s = [], []
    for _ in range(rounds):
        t0 = time.perf_counter()
        again = aug.augment(texts)
        engine_s.append(time.perf_counter() - t0)
        assert again == outputs, "outputs changed between rounds"
        t0 = time.perf_counter()
        for batch in batches:
            aug.engine.backend.logits(batch)
        bare_s.append(time.perf_counter() - t0)
    tops = [aug.engine.backend.logits(b).float().topk(20, dim=-1).indices.numpy() for b in batches]
    # does batching change outputs? the first 400 sentences at two token budgets
    small = Augmenter("substitute", model=aug.mlm, n=1, seed=0, max_attempts=1, token_budget=1024)
    batching_changed = sum(a != b for a, b in zip(outputs[:400], small.augment(texts[:400])))
    profile = None
    if profile_top:
        import cProfile
        import pstats

        prof = cProfile.Profile()
        prof.runcall(aug.augment, texts)
        stats = pstats.Stats(prof)
        total = stats.total_tt
        rows = sorted(stats.stats.items(), key=lambda kv: -kv[1][2])[:profile_top]  # by own time
        profile = [{"function": f"{k[0].split('/')[-1]}:{k[1]}({k[2]})", "own_s": round(v[2], 3),
                    "share": round(v[2] / total, 3)} for k, v in rows]
    np.save(work / f"{name}.top20.npy", np.concatenate(tops))
    (work / f"{name}.outputs.json").write_text(json.dumps([o[0] if o else t for o, t in zip(outputs, texts)]))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"variant": name, "backend": repr(aug.engine.backend), "load_s": round(load_s, 2),
            "engine_s": engine_s, "bare_s": bare_s, "sentences": len(texts), "batches": len(batches),
            "positions": int(sum(int(b.select.sum()) for b in batches)), "peak_rss_mb": round(rss),
            "batching_changed_of_400": batching_changed, "profile": profile}


def spread(xs: list[float]) -> str:
    return f"{statistics.median(xs):.2f} s ({min(xs):.2f}–{max(xs):.2f})"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--oracle-data", type=Path, help="labelled rows (text, label) for the flip oracle")
    ap.add_argument("--oracle-rows", type=int, default=8000)
    ap.add_argument("--limit", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--variant", action="append", choices=sorted(VARIANTS), help="default: all")
    ap.add_argument("--work", type=Path, default=Path("runs/bench_backends"))
    ap.add_argument("--out", type=Path, help="write the results as JSON here")
    ap.add_argument("--profile", type=int, default=0, metavar="K",
                    help="also profile one augment pass per variant (cProfile) and keep the K costliest functions")
    ap.add_argument("--_one", help=argparse.SUPPRESS)
    args = ap.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    texts = load_texts(args.data, args.limit)
    if args._one:
        print(json.dumps(run_variant(args._one, texts, args.threads, args.rounds, args.work, args.profile)))
        return
    names = args.variant or list(VARIANTS)
    if "torch-fp32" not in names:
        names = ["torch-fp32", *names]
    results = []
    for name in names:
        cmd = [sys.executable, __file__, "--data", str(args.data), "--limit", str(args.limit), "--rounds",
               str(args.rounds), "--threads", str(args.threads), "--work", str(args.work), "--profile",
               str(args.profile), "--_one", name]
        out = subprocess.run(cmd, capture_output=True, text=True)
        if out.returncode:
            print(f"{name}: failed\n{out.stderr[-2000:]}", file=sys.stderr)
            continue
        res = json.loads(out.stdout.strip().splitlines()[-1])
        results.append(res)
        print(f"{name}: maskaug {spread(res['engine_s'])}, bare {spread(res['bare_s'])}, "
              f"peak RSS {res['peak_rss_mb']} MB", flush=True)
    ref = np.load(args.work / "torch-fp32.top20.npy")
    base = next(r for r in results if r["variant"] == "torch-fp32")
    for res in results:
        top = np.load(args.work / f"{res['variant']}.top20.npy")
        res["top1_agreement"] = round(float((top[:, 0] == ref[:, 0]).mean()), 4)
        res["top20_overlap"] = round(float(np.mean([len(set(a) & set(b)) / 20 for a, b in zip(top, ref)])), 4)
        eng, bare = statistics.median(res["engine_s"]), statistics.median(res["bare_s"])
        res["sent_per_s"] = round(res["sentences"] / eng, 1)
        res["bare_sent_per_s"] = round(res["sentences"] / bare, 1)
        res["share_of_bare"] = round(bare / eng, 3)
        res["vs_torch_fp32"] = round(statistics.median(base["engine_s"]) / eng, 2)
    if args.oracle_data:
        from sklearn.linear_model import LogisticRegression

        from maskaug.embeddings import Embedder
        from maskaug.evaluate.stats import paired_rate, proportion_ci

        rows = [json.loads(x) for x in args.oracle_data.read_text(encoding="utf-8").splitlines() if x.strip()]
        rows = [rows[i] for i in np.random.default_rng(0).permutation(len(rows))[: args.oracle_rows]]
        emb = Embedder()
        oracle = LogisticRegression(C=10, max_iter=3000).fit(emb([r["text"] for r in rows]),
                                                             [str(r["label"]) for r in rows])
        src = oracle.predict(emb(texts))
        flips = {}
        for res in results:
            outs = json.loads((args.work / f"{res['variant']}.outputs.json").read_text())
            flips[res["variant"]] = oracle.predict(emb(outs)) != src
            k, n = int(flips[res["variant"]].sum()), len(outs)
            lo, hi = proportion_ci(k, n)
            res["label_flip"] = round(k / n, 4)
            res["label_flip_ci"] = [round(lo, 4), round(hi, 4)]
        for res in results:
            cmp = paired_rate(flips[res["variant"]], flips["torch-fp32"])
            res["flip_vs_fp32_p"] = round(cmp.pvalue, 4)
            res["outputs_equal_fp32"] = round(float(np.mean(
                [a == b for a, b in zip(json.loads((args.work / f"{res['variant']}.outputs.json").read_text()),
                                        json.loads((args.work / "torch-fp32.outputs.json").read_text()))])), 4)
    cols = ["variant", "sent_per_s", "vs_torch_fp32", "bare_sent_per_s", "share_of_bare", "top1_agreement",
            "top20_overlap", "batching_changed_of_400", "label_flip", "label_flip_ci", "flip_vs_fp32_p",
            "outputs_equal_fp32", "peak_rss_mb", "load_s"]
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    for res in results:
        print("| " + " | ".join(str(res.get(c, "")) for c in cols) + " |")
    for res in results:
        for row in res.get("profile") or []:
            print(f"{res['variant']}: {row['share']:.1%} {row['own_s']} s {row['function']}")
    if args.out:
        args.out.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
