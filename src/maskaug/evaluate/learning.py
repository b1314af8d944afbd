"""The one training loop of the fine-tuned learners (the sequence classifier and the token tagger), and what they
share: an encoder with a new head, its tokenizer, how long a run trains, and the loss terms an arm attaches.

A run trains for ``epochs`` passes over its rows, or, with ``steps``, for exactly that many optimiser steps whatever
the rows (step-matched). Each batch's loss is the learner's own plus every attached ``LossTerm`` (the masked
consistency term, UDA's unlabelled term, ...), computed under the same autocast; a learner with dev rows checks
them ``epochs`` times at even intervals (``check``).
"""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from maskaug.fingerprint import model_fingerprint

BatchLoss = Callable[[np.ndarray], tuple[Any, Any]]  # row indexes -> (the batch's encoding, its loss)


@dataclass(frozen=True)
class Schedule:
    """How long a run trains: ``epochs`` passes of ``batch_size`` rows, or exactly ``steps`` optimiser steps."""

    epochs: int
    batch_size: int
    steps: int | None = None

    def per_pass(self, rows: int) -> int:
        """Batches in one pass over ``rows`` rows."""
        return -(-rows // self.batch_size)

    def total(self, rows: int) -> int:
        """The optimiser steps a run on ``rows`` rows takes."""
        return self.steps or self.epochs * self.per_pass(rows)

    def check_every(self, rows: int) -> int:
        """Steps between two dev checks: one pass, or (step-matched) ``epochs`` checks spread evenly."""
        return -(-self.total(rows) // self.epochs) if self.steps else self.per_pass(rows)


def train_loop(model, rows: int, batch_loss: BatchLoss, *, lr: float, schedule: Schedule, seed: int,
               autocast: Callable[[], Any], terms: Sequence[Any] = (),
               check: Callable[[int], None] | None = None) -> int:
    """Train ``model`` on ``rows`` rows in batches drawn with ``seed`` (AdamW, ``lr``): each batch's loss is
    ``batch_loss(indexes)``'s plus every bound loss term's; ``check(step)`` runs (the model in eval mode is the
    caller's business) at each dev check. Returns the optimiser steps taken."""
    import torch

    opt = torch.optim.AdamW(model.parameters(), lr=lr)
    rng = np.random.default_rng(seed)
    total, every = schedule.total(rows), schedule.check_every(rows)
    step = 0
    while step < total:
        model.train()
        order = rng.permutation(rows)
        for s in range(0, rows, schedule.batch_size):
            idx = order[s:s + schedule.batch_size]
            with autocast():
                enc, loss = batch_loss(idx)
                for term in terms:
                    extra = term(model, enc, len(idx))
                    if extra is not None:
                        loss = loss + extra
            loss.backward()
            opt.step()
            opt.zero_grad()
            step += 1
            if check is not None and (step % every == 0 or step == total):
                check(step)
                model.train()
            if step == total:
                break
    return step


class LossTerm:
    """A term added to a fine-tuned learner's loss on every training batch; an arm attaches it
    (``learner.with_terms(term)``). Its ``settings`` are part of the learner's identity in the store. A term with
    no state of its own writes ``loss``; one with state per run (a random stream, counts) writes ``bind``."""

    key: ClassVar[str]  # its entry in the learner's settings
    reads_unlabelled: ClassVar[bool] = False  # it trains on the run's unlabelled rows (UDA)

    def settings(self) -> list:  # pragma: no cover - each term says what decides it
        """The numbers that decide the term."""
        raise NotImplementedError

    def loss(self, model, enc, learner: EncoderLearner):  # pragma: no cover - or bind() is written instead
        """The weighted term for a batch (``enc``: its encoding; ``model``: in training mode)."""
        raise NotImplementedError

    def bind(self, learner: EncoderLearner, seed: int, unlabelled: tuple[list, list] | None) -> BoundTerm:
        """The term for one run."""
        return BoundTerm(lambda model, enc, rows: self.loss(model, enc, learner))


class BoundTerm:
    """A loss term during one run: ``term(model, encoding, batch_rows)`` gives the weighted term, or None for
    nothing; ``info()`` what the run measured about it."""

    def __init__(self, fn: Callable[[Any, Any, int], Any] | None = None):
        self.fn = fn

    def __call__(self, model, enc, rows: int):
        return self.fn(model, enc, rows)

    def info(self) -> dict[str, Any] | None:
        """What the run measured about the term (reported beside the scores), or None."""
        return None


class EncoderLearner:
    """What the fine-tuned classifier and the tagger share: an encoder with a new head, trained by ``train_loop``
    with the loss terms an arm attached."""

    name: ClassVar[str]

    def __init__(self, encoder: str | None, epochs: int, lr: float, batch_size: int, max_length: int,
                 bf16: bool | None, steps: int | None, device: str | None = None):
        from maskaug.embeddings import default_encoder

        self.encoder = encoder or default_encoder()
        self.epochs, self.lr, self.batch_size, self.max_length, self.bf16 = epochs, lr, batch_size, max_length, bf16
        check_steps(steps, "finetune")
        self.steps = steps  # None: ``epochs`` passes over the rows; else exactly this many optimiser steps
        self.device = device or "cpu"
        self.terms: tuple[LossTerm, ...] = ()
        self._tokenizer = None

    def shared_settings(self) -> dict[str, Any]:
        """The settings every fine-tuned learner has (its ``settings`` adds its own)."""
        out = {"encoder": model_fingerprint(self.encoder), "epochs": self.epochs, "lr": self.lr,
               "batch_size": self.batch_size, "max_length": self.max_length, "bf16": self.bf16}
        out.update({t.key: t.settings() for t in self.terms})
        if self.steps:
            out["steps"] = self.steps
        return out

    @property
    def schedule(self) -> Schedule:
        """How long each run trains."""
        return Schedule(self.epochs, self.batch_size, self.steps)

    @property
    def tokenizer(self):
        """The encoder's tokenizer, loaded on first use."""
        if self._tokenizer is None:
            from transformers import AutoTokenizer

            self._tokenizer = AutoTokenizer.from_pretrained(self.encoder)
        return self._tokenizer

    def with_terms(self, *terms: LossTerm) -> EncoderLearner:
        """This learner with ``terms`` added to every batch's loss."""
        variant = copy.copy(self)
        variant.terms = self.terms + terms
        return variant

    def on_encoder(self, encoder: str) -> EncoderLearner:
        """This learner starting from another encoder (an adapted one: ``tapt``)."""
        variant = copy.copy(self)
        variant.encoder, variant._tokenizer = encoder, None
        return variant

    def autocast(self) -> Callable[[], Any]:
        """A factory of the contexts the model runs in (bf16 autocast on a CPU that has it)."""
        return cpu_autocast(self.bf16) if self.device == "cpu" else contextlib.nullcontext

    def new_model(self, auto_class, num_labels: int, seed: int):
        """The encoder with a fresh head of ``num_labels``, drawn with ``seed``, on the learner's device."""
        import torch

        torch.manual_seed(seed)
        model = with_new_head(auto_class, self.encoder, num_labels)
        model.to(self.device)
        return model

    def bound_terms(self, seed: int, unlabelled: tuple[list, list] | None) -> list[BoundTerm]:
        """The attached terms for one run; unlabelled rows go to a term that reads them, and only to one."""
        if (unlabelled is not None) != any(t.reads_unlabelled for t in self.terms):
            raise ValueError("unlabelled rows train a UDA learner only (and a UDA learner needs them)")
        return [t.bind(self, seed, unlabelled) for t in self.terms]

    def fit(self, model, rows: int, batch_loss: BatchLoss, seed: int, terms: Sequence[BoundTerm] = (),
            check: Callable[[int], None] | None = None) -> int:
        """``train_loop`` with this learner's settings; the optimiser steps taken."""
        return train_loop(model, rows, batch_loss, lr=self.lr, schedule=self.schedule, seed=seed,
                          autocast=self.autocast(), terms=terms, check=check)


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
