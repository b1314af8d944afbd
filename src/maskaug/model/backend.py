"""The model call: logits of a masked LM at chosen positions of a ``Batch``.

Every user of a model (the fill engine, pseudo-log-likelihood, masked-token accuracy, MLM fine-tuning) goes
through a backend's ``logits``. PyTorch is the first backend:

- the vocabulary projection runs only at the selected positions: for the length of one call, a pre-hook on
  the output embedding gathers them, so logits come back as ``[n_selected, vocab]`` instead of
  ``[batch, length, vocab]`` (a model whose head the hook cannot reach returns full logits, indexed here);
- autocast in the loaded dtype (bf16/fp16 on GPUs; fp32 on CPU unless asked) for the encoder only: the
  head (the vocabulary projection at the selected positions) runs in fp32, which keeps top-1 agreement
  with fp32 at 99.4% instead of 98.1% for a few percent of the time (``benchmarks/bench_backends.py``);
- on CUDA out-of-memory the batch is halved and both halves run (the caller sees one result);
- a row's conditioning label is an explicit input: C-BERT models with a segment embedding read it as
  ``token_type_ids``; models without one get maskaug's added label embedding (``LabelEmbedding``) added
  to the input embeddings, passed to the model as ``inputs_embeds``.

Nothing is stored on the model object: the hook is registered and removed inside each call.
"""

from __future__ import annotations

from contextlib import nullcontext
from typing import Protocol

import torch

from maskaug.model.batching import Batch

LABEL_INPUTS = ("token_type", "added")


class Backend(Protocol):
    """What the rest of maskaug needs from a masked LM runtime."""

    device: torch.device

    def logits(self, batch: Batch, grad: bool = False) -> torch.Tensor:
        """Logits ``[n_selected, vocab]`` at ``batch.select``, in row-major order, on ``device``."""
        ...


class LabelEmbedding(torch.nn.Module):
    """One vector per label, added to every position's input embedding (zero-initialised): C-BERT's label for
    models that have no segment (token type) embedding to replace."""

    def __init__(self, n_labels: int, dim: int):
        super().__init__()
        self.table = torch.nn.Embedding(n_labels, dim)
        torch.nn.init.zeros_(self.table.weight)

    def forward(self, labels: torch.Tensor) -> torch.Tensor:
        return self.table(labels)


class TorchBackend:
    """A PyTorch ``*ForMaskedLM`` on one device, with an optional autocast dtype and label input."""

    def __init__(self, model: torch.nn.Module, device: torch.device | str = "cpu", dtype: torch.dtype | None = None,
                 label_input: str | None = None, label_embedding: LabelEmbedding | None = None,
                 fp32_head: bool = True):
        if label_input is not None and label_input not in LABEL_INPUTS:
            raise ValueError(f"label_input must be one of {LABEL_INPUTS}, not {label_input!r}")
        if label_input == "added" and label_embedding is None:
            raise ValueError("label_input='added' needs the label embedding")
        self.model = model
        self.device = torch.device(device)
        self.dtype = dtype
        self.label_input = label_input
        self.label_embedding = label_embedding
        self.fp32_head = fp32_head
        self.calls = 0

    def __repr__(self) -> str:
        dtype = str(self.dtype).replace("torch.", "") if self.dtype else "fp32"
        head = ", fp32 head" if self.dtype is not None and self.fp32_head else ""
        return f"TorchBackend({type(self.model).__name__}, device={self.device}, dtype={dtype}{head})"

    def logits(self, batch: Batch, grad: bool = False) -> torch.Tensor:
        """Logits at the requested positions of a padded batch (the one model call)."""
        try:
            return self._logits(batch, grad)
        except torch.cuda.OutOfMemoryError:
            if batch.rows == 1 or grad:
                raise
            torch.cuda.empty_cache()
            first, second = batch.split()
            return torch.cat([self.logits(first), self.logits(second)])

    def _inputs(self, batch: Batch) -> dict[str, torch.Tensor]:
        dev = self.device
        ids, attn = batch.input_ids.to(dev), batch.attention_mask.to(dev)
        if batch.labels is None or self.label_input is None:
            return {"input_ids": ids, "attention_mask": attn}
        labels = batch.labels.to(dev)
        if self.label_input == "token_type":
            return {"input_ids": ids, "attention_mask": attn, "token_type_ids": labels[:, None] * attn}
        words = self.model.get_input_embeddings()(ids)
        extra = self.label_embedding(labels).unsqueeze(1)
        return {"inputs_embeds": words + extra.to(words.dtype), "attention_mask": attn}

    def _logits(self, batch: Batch, grad: bool) -> torch.Tensor:
        sel = batch.select.to(self.device)
        head = self.model.get_output_embeddings()

        def gather(module, args):
            x = args[0]
            if x.dim() == 3 and tuple(x.shape[:2]) == tuple(sel.shape):
                return (x[sel],) + tuple(args[1:])
            return None

        mode = nullcontext() if grad else torch.inference_mode()
        # no autocast context at all in fp32: a disabled one would switch off a caller's (fine-tuning in bf16)
        autocast = torch.autocast(self.device.type, dtype=self.dtype) if self.dtype is not None else None
        handles = [head.register_forward_pre_hook(gather)] if head is not None else []
        inside = False
        encoder = getattr(self.model, "base_model", None) if self.fp32_head and not grad else None

        def leave(module, args, output):  # the encoder is done: the head runs in fp32
            nonlocal inside
            if inside:
                autocast.__exit__(None, None, None)
                inside = False

        if autocast is not None and encoder is not None and encoder is not self.model:
            handles.append(encoder.register_forward_hook(leave))
        try:
            with mode:
                if autocast is not None:
                    autocast.__enter__()
                    inside = True
                try:
                    out = self.model(**self._inputs(batch)).logits
                finally:
                    if inside:
                        autocast.__exit__(None, None, None)
                        inside = False
        finally:
            for handle in handles:
                handle.remove()
        self.calls += 1
        out = out[sel] if out.dim() == 3 else out
        return out.float() if self.fp32_head and not grad else out
