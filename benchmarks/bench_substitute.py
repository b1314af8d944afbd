"""Speed and peak memory of ``substitute`` against a one-mask-per-forward-pass baseline and a bare forward pass.

    python benchmarks/bench_substitute.py --data ../shared/data/sst2_cased/test.jsonl

Modes (each in its own process, so peak RSS is its own):
* ``maskaug``: ``Augmenter("substitute", n=1)`` over all sentences (tokenize, mask, batched fill, sample, splice).
* ``bare``: only the model calls on the very batches ``maskaug`` built (recorded, then replayed).
* ``one-mask``: the nlpaug way: for each chosen word, re-tokenize the current text with that word
  masked, one forward pass for one sentence, full-vocabulary logits at every position, sample, splice.
All use the built-in model, the same masked positions (same masker and seeds) and ``torch.set_num_threads``.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import torch


def load_texts(path: Path, limit: int | None) -> list[str]:
    rows = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
    return [r["text"] for r in rows][:limit]


def run_mode(mode: str, texts: list[str], threads: int, dtype: str | None) -> dict:
    torch.set_num_threads(threads)
    from maskaug.augmenter import Augmenter, row_rng
    from maskaug.document import Doc

    aug = Augmenter("substitute", n=1, seed=0, device="cpu", dtype=dtype, max_attempts=1)
    aug.augment(texts[:32])  # warm-up
    if mode == "maskaug":
        t0 = time.perf_counter()
        aug.augment(texts)
        secs = time.perf_counter() - t0
    elif mode == "bare":
        aug.engine.trace = []
        aug.augment(texts)
        batches, aug.engine.trace = aug.engine.trace, None
        t0 = time.perf_counter()
        for batch in batches:
            aug.engine.backend.logits(batch)
        secs = time.perf_counter() - t0
    else:
        mlm, info, method = aug.mlm, aug.info, aug.method
        tok, model = mlm.tokenizer, mlm.model
        t0 = time.perf_counter()
        for i, text in enumerate(texts):
            rng = row_rng(0, i, 0, 0)
            doc = Doc.parse(text, info)
            slots = method.masker.choose(doc, info, rng)
            current, shift = text, 0
            for slot in slots:
                s, e = slot.start + shift, slot.end + shift
                masked = current[:s] + tok.mask_token + current[e:]
                enc = tok(masked, return_tensors="pt", truncation=True)
                with torch.inference_mode():
                    logits = model(**enc).logits[0]
                pos = enc["input_ids"][0].tolist().index(tok.mask_token_id)
                top = torch.log_softmax(logits[pos].float(), -1).topk(20)
                p = torch.softmax(top.values.double(), -1).numpy()
                j = int(rng.choice(20, p=p / p.sum()))
                new = info.surface(int(top.indices[j]))
                current = current[:s] + new + current[e:]
                shift += len(new) - (e - s)
        secs = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"mode": mode, "sentences": len(texts), "seconds": round(secs, 3),
            "sent_per_s": round(len(texts) / secs, 1), "peak_rss_mb": round(peak_mb)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--dtype", default=None)
    ap.add_argument("--baseline-limit", type=int, default=300, help="sentences for the slow baseline")
    ap.add_argument("--mode", help=argparse.SUPPRESS)
    ap.add_argument("--limit", type=int, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.mode:
        print(json.dumps(run_mode(args.mode, load_texts(args.data, args.limit), args.threads, args.dtype)))
        return
    results = {}
    for mode, limit in (("maskaug", None), ("bare", None), ("one-mask", args.baseline_limit)):
        cmd = [sys.executable, __file__, "--data", str(args.data), "--threads", str(args.threads), "--mode", mode]
        if limit:
            cmd += ["--limit", str(limit)]
        if args.dtype:
            cmd += ["--dtype", args.dtype]
        results[mode] = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
        print(json.dumps(results[mode]), flush=True)
    m, b, o = (results[k]["sent_per_s"] for k in ("maskaug", "bare", "one-mask"))
    print(f"substitute: {m} sent/s = {m / o:.1f}x the one-mask-per-pass baseline ({o} sent/s) "
          f"and {m / b:.0%} of the bare forward pass ({b} sent/s); threads={args.threads}")


if __name__ == "__main__":
    main()
