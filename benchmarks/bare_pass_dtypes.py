"""How fast can the built-in model's bare forward pass get on this CPU? fp32, bf16 autocast, int8.

    python benchmarks/bare_pass_dtypes.py --data ../shared/data/sst2_cased/test.jsonl

The same length-sorted batches of SST-2 test sentences (64 per batch, no masking, no LM head) through
the encoder in fp32, under bf16 autocast, and with torch's dynamic int8 quantization of every Linear
layer (``torch.ao.quantization.quantize_dynamic``, deprecated in recent torch but still shipped).
Prints seconds and sentences per second for each: the ceiling any fill engine on this model has,
whatever it does outside the model.
"""

from __future__ import annotations

import argparse
import copy
import json
import time
import warnings
from pathlib import Path

import torch


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--limit", type=int, default=1000)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=64)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    from maskaug.model.loading import load_mlm

    texts = [json.loads(x)["text"] for x in args.data.read_text(encoding="utf-8").splitlines() if x.strip()]
    texts = sorted(texts[: args.limit], key=len)
    mlm = load_mlm(None, device="cpu")
    encoder = mlm.model.base_model.eval()
    batches = [mlm.tokenizer(texts[i:i + args.batch_size], return_tensors="pt", padding=True)
               for i in range(0, len(texts), args.batch_size)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        int8 = torch.ao.quantization.quantize_dynamic(copy.deepcopy(encoder), {torch.nn.Linear}, dtype=torch.qint8)
    runs = (("fp32", encoder, False), ("bf16 autocast", encoder, True), ("int8 dynamic", int8, False))
    for name, model, bf16 in runs:
        with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            model(**batches[0])  # warm-up
            t0 = time.perf_counter()
            for b in batches:
                model(**b)
            secs = time.perf_counter() - t0
        print(f"{name:14s} {secs:6.2f} s  {len(texts) / secs:7.1f} sent/s  ({len(texts)} sentences, "
              f"{args.threads} threads)")


if __name__ == "__main__":
    main()
