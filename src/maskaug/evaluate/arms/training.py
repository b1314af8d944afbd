"""Arms that add no rows but train differently: a loss term attached to the fine-tuned classifier (``TermArm``:
masked consistency, ...), or the classifier's encoder first adapted to the unlabelled pool (TAPT)."""

from __future__ import annotations

from typing import Any

from maskaug.evaluate.arms.base import Arm, Context, SplitRun


class TermArm(Arm):
    """An arm that adds no rows and trains the fine-tuned classifier with one more loss term: its ``loss``, known
    in the store by the arm's name and its parameters (each as its default's type)."""

    takes, why, text = ("guard",), "adds no rows", False

    def check(self, protocol) -> None:
        super().check(protocol)
        self.needs_finetune(protocol, f"the {self.name} row trains the fine-tuned classifier")

    def value(self, key: str) -> Any:
        """One of its parameters as its default's type (``weight=3`` is 3.0, the same term as ``weight=3.0``)."""
        return type(self.params[key])(self.setting(key))

    def learner(self, base):
        from maskaug.evaluate.terms import FunctionTerm

        return base.with_terms(FunctionTerm(self.name, tuple(self.value(k) for k in self.params), self.loss))

    def loss(self, model, enc, learner):  # pragma: no cover - each term arm writes its own
        """The weighted term for one batch (``enc``: its encoding; ``learner``: its tokenizer, device, ...)."""
        raise NotImplementedError


class ConsistencyArm(TermArm):
    """No rows; the fine-tuned classifier also trained for agreement between two random maskings (``rate``) of each
    batch (MaskAugment's consistency term, Yavuz et al. 2020; ``weight``)."""

    name = "consistency"
    params = {"weight": 1.0, "rate": 0.15}

    def loss(self, model, enc, learner):
        from maskaug.training.consistency import consistency_loss

        tok = learner.tokenizer
        return self.value("weight") * consistency_loss(model, enc["input_ids"], tok.mask_token_id,
                                                       self.value("rate"), enc["attention_mask"],
                                                       tok.all_special_ids)


class TaptArm(Arm):
    """Task-adaptive pretraining (Gururangan et al. 2020): the classifier's encoder first trained as a masked LM
    on the unlabelled pool (``epochs``), then fine-tuned on the split's rows as the no-aug row is."""

    name, takes, why, text, unlabelled = "tapt", ("guard",), "adds no rows", False, True
    params = {"epochs": 3}

    def check(self, protocol) -> None:
        super().check(protocol)
        self.needs_finetune(protocol, "tapt adapts the fine-tuned classifier's encoder")

    def train(self, ctx: Context, run: SplitRun):
        return ctx.supervised(run, tapt_learner(ctx, run.learner, run.size, int(self.setting("epochs"))))


def tapt_learner(ctx: Context, base, size: int, epochs: int):
    """``base`` on the encoder adapted (masked-LM training, no labels) to every unlabelled row of this size's
    splits; made once per evaluation and size, kept in the store."""
    from maskaug.evaluate.artefacts import adapted

    pool = ctx.unlabelled
    texts = [pool.texts[r] for r in pool.used(ctx.splits[size])]
    texts = [t if isinstance(t, str) else " ".join(t) for t in texts]
    folder = adapted(ctx.store, ctx.model, texts, ctx.protocol.cfg.seed, epochs)
    return base.on_encoder(str(folder))
