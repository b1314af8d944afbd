"""Text Smoothing (Wu et al. 2022): feed a classifier the MLM's distribution mixed with the one-hot input.

For every position the frozen MLM (reading the unmasked sentence) gives ``p = softmax(logits / T)``;
the smoothed input is ``lam * one_hot(ids) + (1 - lam) * p`` and the classifier receives it as
``inputs_embeds = smoothed @ E`` (``E``: the classifier's word embeddings, same vocabulary as the
MLM). Special and padding positions stay one-hot. ``lam = 1`` reproduces the plain input exactly.
"""

from __future__ import annotations

import torch
from torch import nn
from transformers import Trainer


class TextSmoothing(nn.Module):
    """Text Smoothing (Wu et al. 2022): the MLM's soft distribution mixed with the one-hot input.

    The MLM and the classifier must share one tokenizer (one vocabulary).

    Args:
        mlm: The masked LM whose distribution smooths the input (frozen).
        lam: The weight of the one-hot input in the mix (0: the MLM's distribution alone).
        temperature: The temperature of the MLM's distribution.
        special_ids: Token ids kept one-hot (the tokenizer's special tokens).
    """

    def __init__(self, mlm: nn.Module, lam: float = 0.5, temperature: float = 1.0,
                 special_ids: list[int] | tuple[int, ...] = ()):
        super().__init__()
        if not 0.0 <= lam <= 1.0:
            raise ValueError("lam must be in [0, 1]")
        self.mlm = mlm.eval()
        for p in self.mlm.parameters():
            p.requires_grad_(False)
        self.lam, self.temperature = lam, temperature
        self.register_buffer("special_ids", torch.tensor(sorted(special_ids), dtype=torch.long), persistent=False)

    @torch.no_grad()
    def distributions(self, input_ids: torch.Tensor, attention_mask: torch.Tensor | None = None) -> torch.Tensor:
        """Smoothed token distributions ``[batch, length, vocab]`` (rows sum to 1)."""
        logits = self.mlm(input_ids=input_ids, attention_mask=attention_mask).logits.float()
        vocab = logits.shape[-1]
        one_hot = nn.functional.one_hot(input_ids, vocab).float()
        mixed = self.lam * one_hot + (1 - self.lam) * torch.softmax(logits / self.temperature, -1)
        keep = torch.isin(input_ids, self.special_ids.to(input_ids.device))
        if attention_mask is not None:
            keep |= attention_mask == 0
        return torch.where(keep.unsqueeze(-1), one_hot, mixed)

    def forward(self, input_ids: torch.Tensor, embeddings: nn.Embedding,
                attention_mask: torch.Tensor | None = None) -> torch.Tensor:
        """``inputs_embeds`` for a model whose word embeddings are ``embeddings``."""
        dist = self.distributions(input_ids, attention_mask)
        weight = embeddings.weight
        if dist.shape[-1] != weight.shape[0]:
            raise ValueError(f"the MLM's vocabulary ({dist.shape[-1]}) differs from the classifier's "
                             f"({weight.shape[0]}); Text Smoothing needs one shared tokenizer")
        return dist.to(weight.dtype) @ weight


class SmoothingTrainer(Trainer):
    """A 🤗 ``Trainer`` whose training batches go through ``TextSmoothing`` (evaluation does not).

    Args:
        *args (Any): ``Trainer``'s positional arguments.
        smoothing: The ``TextSmoothing`` that makes each training batch's input embeddings.
        **kwargs (Any): ``Trainer``'s keyword arguments (``model``, ``args``, ``train_dataset``, ...).
    """

    def __init__(self, *args, smoothing: TextSmoothing, **kwargs):
        super().__init__(*args, **kwargs)
        self.smoothing = smoothing

    def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
        if model.training:
            inputs = dict(inputs)
            ids = inputs.pop("input_ids")
            self.smoothing.to(ids.device)
            inputs["inputs_embeds"] = self.smoothing(ids, model.get_input_embeddings(), inputs.get("attention_mask"))
        return super().compute_loss(model, inputs, return_outputs=return_outputs, num_items_in_batch=num_items_in_batch)
