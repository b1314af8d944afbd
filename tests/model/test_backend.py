"""The model call: head-only logits equal full logits, labels as explicit inputs, the OOM back-off."""

from __future__ import annotations

import torch

from maskaug.model.backend import TorchBackend
from maskaug.model.batching import Batch


def _batch(mlm, texts):
    seqs = [mlm.info.wrap(mlm.tokenizer(t, add_special_tokens=False)["input_ids"]) for t in texts]
    return Batch.pad(seqs, mlm.info.pad_id, [list(range(1, len(s) - 1, 2)) for s in seqs])


TEXTS = ["The movie was great and the actors were wonderful.", "Who invented the telephone?", "Play some jazz."]


def test_logits_at_selected_positions_equal_the_full_forward_pass(tiny_mlm):
    batch = _batch(tiny_mlm, TEXTS)
    got = tiny_mlm.backend.logits(batch)
    with torch.inference_mode():
        full = tiny_mlm.model(input_ids=batch.input_ids, attention_mask=batch.attention_mask).logits
    torch.testing.assert_close(got, full[batch.select], atol=1e-5, rtol=1e-5)


class OutOfMemoryAbove(torch.nn.Module):
    """A real model that raises CUDA's out-of-memory error for batches of more than ``rows`` rows."""

    def __init__(self, model, rows: int):
        super().__init__()
        self.model, self.rows, self.calls = model, rows, []

    def get_output_embeddings(self):
        return self.model.get_output_embeddings()

    def forward(self, **inputs):
        self.calls.append(inputs["input_ids"].shape[0])
        if inputs["input_ids"].shape[0] > self.rows:
            raise torch.cuda.OutOfMemoryError("CUDA out of memory (injected)")
        return self.model(**inputs)


def test_out_of_memory_halves_the_batch_and_returns_the_same_logits(tiny_mlms):
    mlm = tiny_mlms["wordpiece"]
    batch = _batch(mlm, TEXTS * 3)
    want = mlm.backend.logits(batch)
    flaky = OutOfMemoryAbove(mlm.model, rows=2)
    got = TorchBackend(flaky, "cpu").logits(batch)
    torch.testing.assert_close(got, want, atol=1e-5, rtol=1e-5)
    assert flaky.calls[0] == 9 and max(flaky.calls[1:]) <= 5 and sum(c for c in flaky.calls if c <= 2) == 9
