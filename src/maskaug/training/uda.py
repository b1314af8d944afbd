"""UDA-style consistency training (Xie et al. 2020) on unlabelled text and its masked-LM views.

For each unlabelled row ``x`` with a view ``x'`` (any maskaug method's output, made offline as UDA's
back-translations are; or ``x`` itself, the ``view=none`` control, where only dropout differs), the model's
prediction on ``x`` — sharpened with ``temperature`` and held fixed — teaches its prediction on ``x'``. Rows whose
prediction on ``x`` is less confident than ``threshold`` are masked out (UDA's confidence-based masking). The
unlabelled batch is ``ratio`` times the labelled one, and the term is added with ``weight``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
from torch import nn
from transformers import Trainer


@dataclass(frozen=True)
class UdaSettings:
    """The consistency term's settings (UDA's defaults for text: ratio 3, temperature 0.4, threshold 0.8).

    Args:
        weight: The unlabelled term's weight (UDA's lambda).
        ratio: Unlabelled rows per labelled row in a batch.
        temperature: The sharpening of the target (lower: sharper).
        threshold: Rows whose target's top probability is lower add nothing.
    """

    weight: float = 1.0  # lambda: the unlabelled term's weight
    ratio: int = 3  # unlabelled rows per labelled row in a batch
    temperature: float = 0.4  # sharpening of the target (lower: sharper)
    threshold: float = 0.8  # rows whose target's top probability is lower add nothing

    def check(self) -> UdaSettings:
        """The settings, or a ValueError naming the first out of range."""
        if not self.weight > 0:
            raise ValueError(f"uda weight is a number above 0, got {self.weight!r}")
        if isinstance(self.ratio, bool) or not isinstance(self.ratio, int) or self.ratio < 1:
            raise ValueError(f"uda ratio is a whole number of unlabelled rows per labelled row, got {self.ratio!r}")
        if not 0 < self.temperature <= 1:
            raise ValueError(f"uda temperature is in (0, 1], got {self.temperature!r}")
        if not 0 <= self.threshold < 1:
            raise ValueError(f"uda threshold is a probability in [0, 1), got {self.threshold!r}")
        return self


def uda_loss(original_logits: torch.Tensor, view_logits: torch.Tensor, temperature: float = 0.4,
             threshold: float = 0.8) -> tuple[torch.Tensor, torch.Tensor]:
    """``mean(mask * KL(sharpen(p(x)) || p(x')))`` over the unlabelled batch, and the mask (which rows count).

    Args:
        original_logits: The logits of the unlabelled rows, computed under ``torch.no_grad`` (no gradient).
        view_logits: The logits of their views (these carry the gradient).
        temperature: The sharpening of the target.
        threshold: Rows whose target's top probability is lower add nothing.

    Returns:
        The loss, and the mask of the rows that counted.
    """
    original = original_logits.detach().float()
    confident = torch.softmax(original, -1).max(-1).values >= threshold
    target = torch.softmax(original / temperature, -1)
    log_q = torch.log_softmax(view_logits.float(), -1)
    per_row = (target * (torch.log(target.clamp_min(1e-12)) - log_q)).sum(-1)
    return (per_row * confident.float()).mean(), confident


class UdaTrainer(Trainer):
    """A 🤗 ``Trainer`` whose training batches hold labelled rows and unlabelled rows with their views.

    Label an unlabelled row ``-100``; give every row ``view_input_ids`` / ``view_attention_mask`` (a labelled
    row's are ignored: repeat its own ids). The loss is the cross-entropy of the labelled rows plus
    ``settings.weight * uda_loss`` of the unlabelled ones. Mix the rows about ``1 : settings.ratio`` when building
    the dataset; evaluation is unchanged. ``unlabelled_pass_rate`` is the share of unlabelled rows seen so far
    that passed the confidence mask.

    Args:
        *args (Any): ``Trainer``'s positional arguments.
        settings: The consistency term's settings (default: ``UdaSettings()``).
        **kwargs (Any): ``Trainer``'s keyword arguments (``model``, ``args``, ``train_dataset``, ``data_collator``:
            a ``UdaCollator``, ...).
    """

    def __init__(self, *args, settings: UdaSettings | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.settings = (settings or UdaSettings()).check()
        self._seen = self._passed = 0

    @property
    def unlabelled_pass_rate(self) -> float | None:
        """Share of the unlabelled rows trained on so far whose prediction passed the confidence threshold."""
        return self._passed / self._seen if self._seen else None

    def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
        inputs = dict(inputs)
        view_ids = inputs.pop("view_input_ids", None)
        view_mask = inputs.pop("view_attention_mask", None)
        if not model.training or view_ids is None:
            return super().compute_loss(model, inputs, return_outputs=return_outputs,
                                        num_items_in_batch=num_items_in_batch)
        labels = inputs.pop("labels")
        outputs = model(**inputs)
        labelled = labels != -100
        loss = (nn.functional.cross_entropy(outputs.logits[labelled].float(), labels[labelled])
                if labelled.any() else outputs.logits.sum() * 0.0)
        unlabelled = ~labelled
        if unlabelled.any():
            view = model(input_ids=view_ids[unlabelled], attention_mask=None if view_mask is None
                         else view_mask[unlabelled]).logits
            term, passed = uda_loss(outputs.logits[unlabelled], view, self.settings.temperature,
                                    self.settings.threshold)
            loss = loss + self.settings.weight * term
            self._seen += int(unlabelled.sum())
            self._passed += int(passed.sum())
        return (loss, outputs) if return_outputs else loss


class UdaCollator:
    """Pads a batch for ``UdaTrainer``: the rows' ``input_ids`` / ``attention_mask`` and their
    ``view_input_ids`` / ``view_attention_mask`` each to their own longest (a row without a view reads its own ids
    as one).

    Args:
        tokenizer: The tokenizer whose pad token fills the rows.
    """

    def __init__(self, tokenizer: Any):
        self.tokenizer = tokenizer

    def __call__(self, features: list[dict[str, Any]]) -> dict[str, torch.Tensor]:
        main = [{"input_ids": f["input_ids"], "attention_mask": f.get("attention_mask", [1] * len(f["input_ids"]))}
                for f in features]
        views = [{"input_ids": f.get("view_input_ids") or f["input_ids"]} for f in features]
        batch = dict(self.tokenizer.pad(main, return_tensors="pt"))
        padded = self.tokenizer.pad(views, return_tensors="pt")
        batch["view_input_ids"], batch["view_attention_mask"] = padded["input_ids"], padded["attention_mask"]
        batch["labels"] = torch.tensor([int(f["labels"]) for f in features])
        return batch
