"""One way to call a masked LM, shared by the fill engine, pseudo-log-likelihood and fine-tuning.

- The vocabulary projection runs only at the selected positions: a pre-hook on the output embedding
  gathers them, so logits come back as ``[n_selected, vocab]`` instead of ``[batch, length, vocab]``
  (models whose head the hook cannot reach return full logits; callers index those themselves).
- A C-BERT label embedding added by maskaug (models without token types) takes the row's label from
  ``token_type_ids``, which the model itself never receives.
"""

from __future__ import annotations

import torch


class MaskedCall:
    """Use :meth:`of`: one instance, and so one head hook, per model."""

    def __init__(self, model: torch.nn.Module):
        self.model = model
        self._sel: torch.Tensor | None = None
        head = model.get_output_embeddings()
        if head is not None:
            head.register_forward_pre_hook(self._gather)

    @classmethod
    def of(cls, model: torch.nn.Module) -> MaskedCall:
        """The model's one ``MaskedCall`` (every fill engine, PLL scorer and fine-tuning loop on the same
        model shares it, instead of each adding another hook that every forward pass then runs)."""
        if "_maskaug_masked_call" not in model.__dict__:
            model.__dict__["_maskaug_masked_call"] = cls(model)
        return model.__dict__["_maskaug_masked_call"]

    def _gather(self, module, args):
        sel, x = self._sel, args[0]
        if sel is not None and x.dim() == 3 and tuple(x.shape[:2]) == tuple(sel.shape):
            return (x[sel],) + tuple(args[1:])
        return None

    def __call__(self, sel: torch.Tensor, **inputs: torch.Tensor) -> torch.Tensor:
        """Logits at ``sel`` (boolean, the inputs' shape), in row-major order where the hook applies."""
        table = getattr(self.model, "maskaug_label_embedding", None)
        if table is not None and "token_type_ids" in inputs:
            table.labels = inputs.pop("token_type_ids")[:, 0]
        self._sel = sel
        try:
            return self.model(**inputs).logits
        finally:
            self._sel = None
            if table is not None:
                table.labels = None
