"""An ONNX Runtime backend for CPUs: the same ``logits`` as ``TorchBackend``.

The masked LM is exported once with ``torch.onnx`` into a graph that takes the padded ids, the attention
mask and the flat indexes of the selected positions, and returns logits only there (the vocabulary
projection runs at the masked positions, as with PyTorch). The file is cached under
``cache_root()/onnx/<key>/``, where the key is a digest of the weights actually loaded, the config, and the
torch and exporter versions, so a model retrained into the same folder is exported again and an unchanged
one never is. ``int8`` is the fp32 graph with dynamic int8 quantisation of its matrix products
(``onnxruntime.quantization.quantize_dynamic``): faster, but it changes fills (see the README's speed
section), so it is only ever asked for.

Needs the optional extra: ``pip install ".[onnx]"`` in a clone (onnxruntime, onnx).
"""

from __future__ import annotations

import hashlib
import json
import warnings
from pathlib import Path

import numpy as np
import torch

from maskaug.io.writers import write_atomically
from maskaug.model.batching import Batch
from maskaug.paths import cache_root

EXPORT_VERSION = 1  # bump when the exported graph changes
DTYPES = ("fp32", "int8")
INSTALL = 'the ONNX backend needs onnxruntime: pip install ".[onnx]" in a clone of maskaug'


def weights_key(model: torch.nn.Module) -> str:
    """A digest of what the exported graph depends on: every tensor of ``model`` (names, shapes, bytes), its
    config, and the torch and exporter versions."""
    h = hashlib.sha256()
    config = getattr(model, "config", None)
    h.update(json.dumps(config.to_dict() if config is not None else {}, sort_keys=True, default=str).encode())
    h.update(f"torch {torch.__version__} export {EXPORT_VERSION}".encode())
    for name, tensor in sorted(model.state_dict().items()):
        t = tensor.detach().cpu().contiguous()
        h.update(f"{name} {tuple(t.shape)} {t.dtype}".encode())
        h.update(t.view(torch.uint8).numpy().tobytes() if t.numel() else b"")
    return h.hexdigest()[:24]


class _AtSelected(torch.nn.Module):
    """The masked LM with its vocabulary projection applied only at ``flat`` (indexes into batch × length)."""

    def __init__(self, model: torch.nn.Module):
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask, flat):
        head = self.model.get_output_embeddings()

        def gather(module, args):
            x = args[0]
            return (x.reshape(-1, x.shape[-1]).index_select(0, flat),) + tuple(args[1:])

        handle = head.register_forward_pre_hook(gather)
        try:
            return self.model(input_ids=input_ids, attention_mask=attention_mask).logits
        finally:
            handle.remove()


def export(model: torch.nn.Module, path: Path) -> Path:
    """Export ``model`` to ``path`` (whole or not at all)."""
    if model.get_output_embeddings() is None:
        raise ValueError(f"{type(model).__name__} has no output embedding to run at the masked positions")
    ids = torch.tensor([[101, 2023, 2003, 1037, 3231, 102], [101, 2178, 2028, 102, 0, 0]])
    ids = ids.clamp(max=model.config.vocab_size - 1)
    attn = (torch.arange(6) < torch.tensor([[6], [4]])).long()
    flat = torch.tensor([1, 3, 8])

    def write(tmp: Path) -> None:
        with warnings.catch_warnings(), torch.inference_mode(False), torch.no_grad():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                _AtSelected(model).eval(), (ids, attn, flat), str(tmp),
                input_names=["input_ids", "attention_mask", "flat"], output_names=["logits"], opset_version=17,
                dynamo=False,
                dynamic_axes={"input_ids": {0: "rows", 1: "length"}, "attention_mask": {0: "rows", 1: "length"},
                              "flat": {0: "selected"}, "logits": {0: "selected"}})

    write_atomically(path, write)
    return path


def quantize(src: Path, path: Path) -> Path:
    """Dynamic int8 quantisation of ``src``'s matrix products, written to ``path``."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    write_atomically(path, lambda tmp: quantize_dynamic(src, tmp, weight_type=QuantType.QInt8))
    return path


def exported(model: torch.nn.Module, dtype: str = "fp32", cache: Path | None = None) -> Path:
    """The cached ONNX file of ``model`` in ``dtype``, exported (and quantised) only when missing."""
    if dtype not in DTYPES:
        raise ValueError(f"the ONNX backend runs {' or '.join(DTYPES)}, not {dtype!r}")
    folder = Path(cache or cache_root() / "onnx") / weights_key(model)
    fp32 = folder / "model.onnx"
    if not fp32.is_file():
        export(model, fp32)
    if dtype == "fp32":
        return fp32
    int8 = folder / "model.int8.onnx"
    return int8 if int8.is_file() else quantize(fp32, int8)


class OnnxBackend:
    """Logits at the selected positions from an ONNX Runtime session on the CPU."""

    def __init__(self, model: torch.nn.Module, dtype: str = "fp32", cache: Path | None = None,
                 threads: int | None = None, label_input: str | None = None):
        try:
            import onnxruntime as ort
        except ImportError:
            raise ImportError(INSTALL) from None
        if label_input is not None:
            raise ValueError("the ONNX backend does not take a label input (a C-BERT model); use --backend torch")
        self.dtype = dtype
        self.path = exported(model, dtype, cache)
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or torch.get_num_threads()
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self.session = ort.InferenceSession(str(self.path), options, providers=["CPUExecutionProvider"])
        self.device = torch.device("cpu")
        self.name = type(model).__name__
        self.calls = 0

    def __repr__(self) -> str:
        return f"OnnxBackend({self.name}, device=cpu, dtype={self.dtype})"

    def logits(self, batch: Batch, grad: bool = False) -> torch.Tensor:
        """Logits ``[n_selected, vocab]`` at ``batch.select``, in row-major order (fp32, on the CPU)."""
        if grad:
            raise ValueError("the ONNX backend computes no gradients; fine-tuning runs on PyTorch")
        flat = np.flatnonzero(batch.select.numpy().reshape(-1)).astype(np.int64)
        out = self.session.run(None, {"input_ids": batch.input_ids.numpy(),
                                      "attention_mask": batch.attention_mask.numpy(), "flat": flat})[0]
        self.calls += 1
        return torch.from_numpy(out)
