"""MaskAugment-style consistency training (Yavuz et al. 2020): two random maskings of the same
(unlabelled) text; the model's prediction on one view, held fixed, teaches its prediction on the other."""

from __future__ import annotations

import torch
from torch import nn
from transformers import Trainer


def mask_tokens(input_ids: torch.Tensor, mask_id: int, rate: float, special_ids: list[int] | tuple[int, ...] = (),
                attention_mask: torch.Tensor | None = None, generator: torch.Generator | None = None) -> torch.Tensor:
    """A copy of ``input_ids`` with each ordinary token replaced by ``mask_id`` with probability ``rate``.

    Args:
        input_ids: Token ids, ``[batch, length]``.
        mask_id: The tokenizer's mask token id.
        rate: The probability of masking each ordinary token.
        special_ids: Token ids never masked.
        attention_mask: Padding is never masked.
        generator: The random generator (for reproducible masks).

    Returns:
        The masked ids.
    """
    draw = torch.rand(input_ids.shape, generator=generator, device="cpu").to(input_ids.device)
    can = ~torch.isin(input_ids, torch.tensor(list(special_ids), dtype=torch.long, device=input_ids.device))
    if attention_mask is not None:
        can &= attention_mask.bool()
    return torch.where(can & (draw < rate), torch.full_like(input_ids, mask_id), input_ids)


def consistency_loss(model: nn.Module, input_ids: torch.Tensor, mask_id: int, rate: float = 0.15,
                     attention_mask: torch.Tensor | None = None, special_ids: list[int] | tuple[int, ...] = (),
                     temperature: float = 1.0, generator: torch.Generator | None = None) -> torch.Tensor:
    """``KL(teacher || student)`` between two maskings; the teacher view carries no gradient.

    Args:
        model: A classifier returning ``logits``.
        input_ids: Token ids, ``[batch, length]``.
        mask_id: The tokenizer's mask token id.
        rate: The probability of masking each ordinary token, in each view.
        attention_mask: Padding is never masked.
        special_ids: Token ids never masked.
        temperature: The temperature of both distributions.
        generator: The random generator (for reproducible masks).

    Returns:
        The mean KL divergence over the batch.
    """
    teacher_ids = mask_tokens(input_ids, mask_id, rate, special_ids, attention_mask, generator)
    student_ids = mask_tokens(input_ids, mask_id, rate, special_ids, attention_mask, generator)
    with torch.no_grad():
        teacher = model(input_ids=teacher_ids, attention_mask=attention_mask).logits.float() / temperature
    student = model(input_ids=student_ids, attention_mask=attention_mask).logits.float() / temperature
    return nn.functional.kl_div(torch.log_softmax(student, -1), torch.log_softmax(teacher, -1), log_target=True,
                                reduction="batchmean")


class ConsistencyTrainer(Trainer):
    """A 🤗 ``Trainer`` that adds ``weight * consistency_loss`` on every training batch's text.

    Rows labelled ``-100`` are unlabelled: they add only to the consistency term (a batch of them only
    has that term), so unlabelled text can be mixed into the training set. Evaluation is unchanged.

    Args:
        *args (Any): ``Trainer``'s positional arguments.
        mask_id: The tokenizer's mask token id.
        special_ids: Token ids never masked.
        rate: The probability of masking each ordinary token, in each view.
        weight: The consistency term's weight.
        temperature: The temperature of both distributions.
        **kwargs (Any): ``Trainer``'s keyword arguments (``model``, ``args``, ``train_dataset``, ...).
    """

    def __init__(self, *args, mask_id: int, special_ids: list[int] | tuple[int, ...] = (), rate: float = 0.15,
                 weight: float = 1.0, temperature: float = 1.0, **kwargs):
        super().__init__(*args, **kwargs)
        self.mask_id, self.special_ids = mask_id, tuple(special_ids)
        self.rate, self.weight, self.temperature = rate, weight, temperature

    def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
        if not model.training:
            return super().compute_loss(model, inputs, return_outputs=return_outputs,
                                        num_items_in_batch=num_items_in_batch)
        inputs = dict(inputs)
        labels = inputs.pop("labels")
        outputs = model(**inputs)
        labelled = labels != -100
        loss = (nn.functional.cross_entropy(outputs.logits[labelled].float(), labels[labelled])
                if labelled.any() else outputs.logits.sum() * 0.0)
        loss = loss + self.weight * consistency_loss(
            model, inputs["input_ids"], self.mask_id, self.rate, inputs.get("attention_mask"), self.special_ids,
            self.temperature)
        return (loss, outputs) if return_outputs else loss
