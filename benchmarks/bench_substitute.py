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


def load_texts(path: Path, limit: int | None, repeat_to: int | None = None) -> list[str]:
    rows = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
    texts = [r["text"] for r in rows]
    if repeat_to:
        texts = [texts[i % len(texts)] for i in range(repeat_to)]
    return texts[:limit]


def bert_base_random(folder: Path) -> str:
    """A randomly initialised BertForMaskedLM of bert-base shape (weights do not change the cost), with the
    built-in model's uncased BERT tokenizer, saved to ``folder``."""
    from transformers import BertConfig, BertForMaskedLM

    from maskaug.model.builtin import base_dir

    if not (folder / "config.json").is_file():
        from transformers import AutoTokenizer

        torch.manual_seed(0)
        BertForMaskedLM(BertConfig()).save_pretrained(folder)
        AutoTokenizer.from_pretrained(str(base_dir())).save_pretrained(folder)
    return str(folder)


def run_mode(mode: str, texts: list[str], threads: int, dtype: str | None, device: str = "cpu",
             model: str | None = None) -> dict:
    torch.set_num_threads(threads)
    from maskaug.augmenter import Augmenter, row_rng
    from maskaug.document import Doc

    if model == "bert-base-random":
        model = bert_base_random(Path("runs/bert-base-random"))
    aug = Augmenter("substitute", model=model, n=1, seed=0, device=device, dtype=dtype, max_attempts=1)
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
                enc = tok(masked, return_tensors="pt", truncation=True).to(mlm.device)
                with torch.inference_mode(), torch.autocast(mlm.device.type, dtype=mlm.dtype or torch.float32,
                                                            enabled=mlm.dtype is not None):
                    logits = model(**enc).logits[0]
                pos = enc["input_ids"][0].tolist().index(tok.mask_token_id)
                top = torch.log_softmax(logits[pos].float(), -1).topk(20)
                p = torch.softmax(top.values.double(), -1).cpu().numpy()
                j = int(rng.choice(20, p=p / p.sum()))
                new = info.surface(int(top.indices[j]))
                current = current[:s] + new + current[e:]
                shift += len(new) - (e - s)
        secs = time.perf_counter() - t0
    if device.startswith("cuda"):
        torch.cuda.synchronize()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    gpu_mb = torch.cuda.max_memory_allocated() / 2**20 if device.startswith("cuda") else 0
    tokens = sum(len(aug.mlm.tokenizer(t)["input_ids"]) for t in texts[:2000]) * len(texts) / min(len(texts), 2000)
    return {"mode": mode, "sentences": len(texts), "seconds": round(secs, 3), "sent_per_s": round(len(texts) / secs, 1),
            "tokens_per_s": round(tokens / secs), "peak_rss_mb": round(peak_mb), "gpu_peak_mb": round(gpu_mb)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--dtype", default=None)
    ap.add_argument("--baseline-limit", type=int, default=300, help="sentences for the slow baseline")
    ap.add_argument("--device", default="cpu", help="cpu or cuda")
    ap.add_argument("--model", default=None, help="a model folder, or bert-base-random (bert-base shape, random)")
    ap.add_argument("--repeat-to", type=int, default=None, help="repeat the data's texts up to this many")
    ap.add_argument("--mode", help=argparse.SUPPRESS)
    ap.add_argument("--limit", type=int, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.mode:
        print(json.dumps(run_mode(args.mode, load_texts(args.data, args.limit, args.repeat_to), args.threads,
                                  args.dtype, args.device, args.model)))
        return
    results = {}
    for mode, limit in (("maskaug", None), ("bare", None), ("one-mask", args.baseline_limit)):
        cmd = [sys.executable, __file__, "--data", str(args.data), "--threads", str(args.threads), "--mode", mode,
               "--device", args.device]
        if args.repeat_to:
            cmd += ["--repeat-to", str(args.repeat_to)]
        if args.model:
            cmd += ["--model", args.model]
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
