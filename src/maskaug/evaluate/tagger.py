"""The token tagger: an encoder fine-tuned for token classification, scored by entity-level micro F1.

The first sub-token of each word carries the word's tag. It trains through the fine-tuned classifier's loop
(``maskaug.evaluate.learning``): ``epochs`` passes over its rows, or, with ``steps``, exactly that many optimiser
steps whatever the rows (step-matched), and is scored on the test records with seqeval (precision, recall, F1).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from maskaug.evaluate.learning import EncoderLearner

Records = tuple[Sequence[Sequence[str]], Sequence[Sequence[str]]]  # token lists, tag lists


class Tagger(EncoderLearner):
    """Fine-tune an encoder for token classification; micro F1 on test."""

    name = "tagger"

    def __init__(self, tags: Sequence[str], encoder: str | None = None, epochs: int = 10, lr: float = 1e-4,
                 batch_size: int = 16, max_length: int = 128, bf16: bool | None = None, steps: int | None = None):
        super().__init__(encoder, epochs, lr, batch_size, max_length, bf16, steps)
        self.tags = list(tags)

    def settings(self) -> dict[str, Any]:
        """Everything that decides a run's result besides its data and seed."""
        return {"name": "tagger.v1", **self.shared_settings(), "tags": self.tags}

    __fingerprint__ = settings

    def encode(self, tokens: Sequence[Sequence[str]], tags: Sequence[Sequence[str]] | None = None):
        """The records tokenised as words; the tag of each word on its first sub-token (others -100); and per
        record, each word's first sub-token position."""
        import torch

        enc = self.tokenizer([list(t) for t in tokens], is_split_into_words=True, truncation=True,
                             max_length=self.max_length, padding=True, return_tensors="pt")
        firsts = []  # per record: word index -> position of its first sub-token
        labels = torch.full(enc["input_ids"].shape, -100, dtype=torch.long)
        for b in range(len(tokens)):
            first: dict[int, int] = {}
            for j, w in enumerate(enc.word_ids(b)):
                if w is not None and w not in first:
                    first[w] = j
                    if tags is not None:
                        labels[b, j] = self.tags.index(tags[b][w])
            firsts.append(first)
        return enc, labels, firsts

    def evaluate(self, train: Records, dev: Records | None, test: Records, seed: int = 0,
                 weights: Sequence[float] | None = None, score: list | None = None,
                 unlabelled: tuple[list, list] | None = None) -> dict[str, float]:
        """Train on ``train`` and score ``test``: ``{"f1", "precision", "recall"}``. The tagger has no dev-based
        model selection, row weights, scored extra texts or unlabelled rows: those are refused, not ignored."""
        from transformers import AutoModelForTokenClassification

        if weights is not None or score is not None or unlabelled is not None:
            raise ValueError("the tagger takes no row weights, scores no extra texts and reads no unlabelled rows")
        tokens, tags = list(train[0]), list(train[1])
        if not tokens:
            raise ValueError("a tagger needs at least one training sentence")
        model = self.new_model(AutoModelForTokenClassification, len(self.tags), seed)

        def batch_loss(idx):
            enc, labels, _ = self.encode([tokens[i] for i in idx], [tags[i] for i in idx])
            return enc, model(**enc, labels=labels).loss

        self.fit(model, len(tokens), batch_loss, seed, self.bound_terms(seed, None))
        return self.scores(model, test)

    def scores(self, model, test: Records) -> dict[str, float]:
        """Entity-level micro precision, recall and F1 of ``model`` on the test records (seqeval)."""
        import torch
        from seqeval.metrics import f1_score, precision_score, recall_score

        model.eval()
        gold, pred = [], []
        test_tokens, test_tags = list(test[0]), list(test[1])
        order = np.argsort([len(t) for t in test_tokens], kind="stable")
        with torch.inference_mode(), self.autocast()():
            for s in range(0, len(order), 64):
                batch = order[s:s + 64]
                enc, _, firsts = self.encode([test_tokens[i] for i in batch], None)
                best = model(**enc).logits.argmax(-1)
                for b, i in enumerate(batch):
                    gold.append(list(test_tags[i]))
                    pred.append([self.tags[int(best[b, firsts[b][w]])] if w in firsts[b] else "O"
                                 for w in range(len(test_tokens[i]))])
        return {"f1": float(f1_score(gold, pred)), "precision": float(precision_score(gold, pred)),
                "recall": float(recall_score(gold, pred))}
