"""Does a label-conditional MLM use its label? Fill the same masks conditioned on each row's own label
and on another label; an oracle classifier says how often the output's label moved.

    python benchmarks/label_sensitivity.py --data ../shared/data/sst2_cased/train.jsonl \\
        --variant cbert --variant cbert:label_lr=1e-2 --variant prepend \\
        --variant "prepend:label_text=0=negative;1=positive" --work runs/sensitivity

The labelled file is shuffled once (``--seed``) and cut into three disjoint parts: ``--oracle-rows`` for
the oracle (logistic regression on MiniLM sentence embeddings), ``--probe-rows`` that are augmented,
and ``--finetune-rows`` that each variant's MLM is fine-tuned on (``maskaug.finetune`` defaults, 15%
of them held out as dev). Every variant fills the probe rows once conditioned on their own label and
once on another label (the next one in sorted order), with the same seed, so the masks are the same.
A model that ignores its label flips as often either way; one that uses it flips more with the other
label. Fine-tuned models are kept under ``--work`` and reused.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np


def parse_variant(spec: str) -> tuple[str, str, dict]:
    """``cbert``, ``cbert:label_lr=1e-2`` or ``prepend:label_text=0=negative;1=positive``."""
    kind, _, rest = spec.partition(":")
    kw: dict = {}
    for item in filter(None, rest.split(",")):
        key, _, value = item.partition("=")
        if key == "label_text":
            kw[key] = dict(pair.split("=", 1) for pair in value.split(";"))
        else:
            kw[key] = float(value)
    name = spec.replace(":", "_").replace("=", "-").replace(";", "_").replace(",", "_")
    return kind, name, kw


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--variant", action="append", required=True, help="conditioning[:key=value,...]")
    ap.add_argument("--work", type=Path, default=Path("label-sensitivity"))
    ap.add_argument("--oracle-rows", type=int, default=4000)
    ap.add_argument("--probe-rows", type=int, default=900)
    ap.add_argument("--finetune-rows", type=int, default=2000)
    ap.add_argument("--top-k", type=int, default=20)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()

    from sklearn.linear_model import LogisticRegression

    from maskaug.augmenter import Augmenter
    from maskaug.embeddings import Embedder
    from maskaug.evaluate.stats import paired_rate, proportion_ci
    from maskaug.finetune import finetune
    from maskaug.io import read_rows

    rows = read_rows(args.data)
    order = np.random.default_rng(args.seed).permutation(len(rows))
    a, b = args.oracle_rows, args.oracle_rows + args.probe_rows
    c = b + args.finetune_rows
    if c > len(rows):
        raise SystemExit(f"{args.data}: {len(rows)} rows, fewer than the {c} the three parts need")
    part = {"oracle": order[:a], "probe": order[a:b], "finetune": order[b:c]}
    text = {k: [rows[i]["text"] for i in v] for k, v in part.items()}
    label = {k: [str(rows[i]["label"]) for i in v] for k, v in part.items()}
    classes = sorted(set(label["oracle"]))
    other = {y: classes[(classes.index(y) + 1) % len(classes)] for y in classes}

    emb = Embedder()
    oracle = LogisticRegression(C=10, max_iter=3000).fit(emb(text["oracle"]), label["oracle"])
    source_pred = oracle.predict(emb(text["probe"]))
    for spec in args.variant:
        kind, name, kw = parse_variant(spec)
        folder = args.work / name
        if not (folder / "maskaug_conditioning.json").is_file():
            finetune(text["finetune"], label["finetune"], folder, conditioning=kind, progress=False, **kw)
        flips = {}
        for mode, labels in (("own", label["probe"]), ("other", [other[y] for y in label["probe"]])):
            aug = Augmenter(kind, model=str(folder), n=1, seed=0, top_k=args.top_k)
            outs = [o[0].texts["text"] for _, o in aug.iter_rows(({"text": t} for t in text["probe"]),
                                                                  labels=labels)]
            flips[mode] = oracle.predict(emb(outs)) != source_pred
        cmp = paired_rate(flips["other"], flips["own"])
        res = {"variant": spec, "outputs": len(flips["own"])}
        for mode in ("own", "other"):
            k = int(flips[mode].sum())
            lo, hi = proportion_ci(k, len(flips[mode]))
            res[f"flip_{mode}"] = round(k / len(flips[mode]), 4)
            res[f"flip_{mode}_ci"] = [round(lo, 4), round(hi, 4)]
        res["other_minus_own"] = round(cmp.rate_diff, 4)
        res["mcnemar_p"] = round(cmp.pvalue, 4)
        print(json.dumps(res), flush=True)


if __name__ == "__main__":
    main()
