"""Load any Hugging Face masked LM by name or folder; choose device and dtype."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import torch
from transformers import AutoModelForMaskedLM, AutoTokenizer

from maskaug.conditioning import Conditioning
from maskaug.model.backend import Backend, LabelEmbedding, TorchBackend
from maskaug.model.builtin import BUILTIN_ALIASES, BUILTIN_NAME, load_builtin
from maskaug.model.names import BACKENDS, DTYPE_NAMES, HINT, ModelLoadError, check_model_name
from maskaug.model.vocab import TokenizerInfo

DEFAULT_MODEL = BUILTIN_NAME




def pick_device(device: str | None = None, backend: str | None = None) -> torch.device:
    """``device`` checked against this machine (a ValueError in one line when it has no such device), else the
    CPU for ``backend="onnx"``, else ``$MASKAUG_DEVICE``, else the best one available."""
    device = device or ("cpu" if backend == "onnx" else None) or os.environ.get("MASKAUG_DEVICE") or None
    if device and device != "auto":
        try:
            dev = torch.device(device)
        except (RuntimeError, ValueError):
            raise ValueError(f"unknown device {device!r}; use cpu, cuda, cuda:N or mps") from None
        if dev.type == "cuda":
            count = torch.cuda.device_count() if torch.cuda.is_available() else 0
            if count == 0:
                raise ValueError(f"device {device!r}: CUDA is not available on this machine; use --device cpu")
            if dev.index is not None and dev.index >= count:
                raise ValueError(f"device {device!r}: this machine has {count} CUDA device(s) (cuda:0..cuda:"
                                 f"{count - 1})")
        elif dev.type == "mps" and not (getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()):
            raise ValueError(f"device {device!r}: MPS is not available on this machine; use --device cpu")
        elif dev.type not in ("cpu", "cuda", "mps"):
            raise ValueError(f"device {device!r}: maskaug runs on cpu, cuda or mps")
        return dev
    if torch.cuda.is_available():
        return torch.device("cuda")
    if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def pick_dtype(device: torch.device, dtype: str | None = None) -> torch.dtype | None:
    """Autocast dtype: bf16 (or fp16) on GPUs, full precision on CPU unless asked.

    The CPU default stays fp32 even where bf16 is twice as fast: bf16 makes fills depend on which rows share a
    batch (22 of 400 SST-2 rows changed between token budgets 8192 and 1024, none in fp32), which would break
    the promise that output does not depend on batching.
    """
    if dtype == "int8":
        raise ValueError("--dtype int8 runs on the ONNX backend: add --backend onnx")
    if dtype and dtype != "auto":
        table = {"fp32": None, "bf16": torch.bfloat16, "fp16": torch.float16}
        if DTYPE_NAMES.get(dtype) not in table:
            raise ValueError(f"unknown dtype {dtype!r}; use auto, fp32, bf16 or fp16")
        return table[DTYPE_NAMES[dtype]]
    if device.type == "cuda":
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    if device.type == "mps":
        return torch.float16
    return None


def cpu_bf16() -> bool:
    """Whether bf16 autocast pays off on this CPU (AVX-512: about 2.3x faster MLM training here)."""
    return torch.backends.cpu.get_cpu_capability() == "AVX512"


@dataclass
class MaskedLM:
    """A masked LM with its tokenizer conventions, device and autocast dtype (``load_mlm`` builds one).

    Args:
        model: The 🤗 masked-LM module.
        tokenizer: Its tokenizer; mask token, special tokens and word boundaries are read from it.
        name: The model's name (the built-in ``maskaug/minilm-l6-mlm``, a folder or a hub name).
        device: Where it runs.
        dtype: Its autocast dtype (``None``: full precision).
        conditioning: The label conditioning of a model from ``maskaug finetune`` (``None``: none).
        label_embedding: C-BERT's added label table, for models without token types.
        runtime: ``torch``, or ``onnx`` / ``onnx-int8`` (the logits from ONNX Runtime).
    """

    model: torch.nn.Module
    tokenizer: object
    name: str
    device: torch.device
    dtype: torch.dtype | None = None
    conditioning: Conditioning | None = None  # set for models from `maskaug finetune`
    label_embedding: LabelEmbedding | None = None  # C-BERT's added label table (models without token types)
    runtime: str = "torch"  # "torch", or "onnx" / "onnx-int8" (the logits from ONNX Runtime)
    info: TokenizerInfo = field(init=False)
    backend: Backend = field(init=False)

    def __post_init__(self) -> None:
        vocab = self.model.get_output_embeddings()
        size = getattr(vocab, "out_features", None) or self.model.config.vocab_size
        self.info = TokenizerInfo(self.tokenizer, size)
        if self.conditioning is not None:
            for token in self.conditioning.label_tokens.values():  # never a fill
                self.info.bad[self.tokenizer.convert_tokens_to_ids(token)] = True
        self.model.to(self.device).eval()
        if self.label_embedding is not None:
            self.label_embedding.to(self.device).eval()
        label_input = self.conditioning.label_input if self.conditioning is not None else None
        if self.runtime == "torch":
            self.backend = TorchBackend(self.model, self.device, self.dtype, label_input, self.label_embedding)
        elif self.runtime in ("onnx", "onnx-int8"):
            from maskaug.model.onnx_backend import OnnxBackend

            if self.device.type != "cpu" or self.dtype is not None:
                raise ValueError("the ONNX backend runs on the CPU in fp32 or int8")
            self.backend = OnnxBackend(self.model, "int8" if self.runtime == "onnx-int8" else "fp32",
                                       label_input=label_input)
        else:
            raise ValueError(f"unknown runtime {self.runtime!r}")

    def __repr__(self) -> str:
        cond = f", conditioning={self.conditioning.kind}" if self.conditioning is not None else ""
        dtype = str(self.dtype).replace("torch.", "") if self.dtype else "fp32"
        if self.runtime != "torch":
            return f"MaskedLM({self.name!r}, backend=onnx, device=cpu, dtype={self.precision}{cond})"
        return f"MaskedLM({self.name!r}, device={self.device}, dtype={dtype}{cond})"

    @property
    def precision(self) -> str:
        """What the logits are computed in: fp32, bf16, fp16 or int8."""
        if self.runtime == "onnx-int8":
            return "int8"
        return str(self.dtype).replace("torch.", "").replace("bfloat16", "bf16").replace("float16", "fp16") \
            if self.dtype else "fp32"

    @property
    def max_length(self) -> int:
        """The longest sequence the model reads, special tokens included."""
        limit = getattr(self.model.config, "max_position_embeddings", 512) or 512
        tok_limit = getattr(self.tokenizer, "model_max_length", limit) or limit
        if self.model.config.model_type in ("roberta", "xlm-roberta", "camembert"):
            limit -= 2  # position ids start after the padding index
        return int(min(limit, tok_limit))


def _from_hub(name: str, hint: str):
    """Tokenizer and model for a hub name: from the local cache, else downloaded once if the hub answers; a
    one-line error within seconds when it does not (no retries)."""
    try:
        return (AutoTokenizer.from_pretrained(name, local_files_only=True),
                AutoModelForMaskedLM.from_pretrained(name, local_files_only=True))
    except (OSError, ValueError):
        pass
    check_model_name(name)
    return AutoTokenizer.from_pretrained(name), AutoModelForMaskedLM.from_pretrained(name)


def pick_runtime(backend: str | None, device: torch.device, dtype: str | None) -> tuple[str, torch.dtype | None]:
    """The runtime (torch, onnx, onnx-int8) and autocast dtype for ``--backend`` and ``--dtype`` on ``device``;
    one-line ValueErrors for combinations that do not exist."""
    backend = backend or "torch"
    if backend not in BACKENDS:
        raise ValueError(f"--backend must be {' or '.join(BACKENDS)}, not {backend!r}")
    if backend == "torch":
        return "torch", pick_dtype(device, dtype)
    if device.type != "cpu":
        raise ValueError(f"--backend onnx runs on the CPU, not {device}; use --backend torch on a GPU")
    if dtype not in (None, "auto", "fp32", "float32", "int8"):
        raise ValueError(f"--backend onnx runs fp32 or int8, not {dtype!r}")
    return ("onnx-int8" if dtype == "int8" else "onnx"), None


def load_mlm(name_or_path: str | os.PathLike | None = None, device: str | None = None,
             dtype: str | None = None, backend: str | None = None) -> MaskedLM:
    """Load a masked LM with its tokenizer conventions.

    Args:
        name_or_path: The built-in name (default), a local folder saved with ``save_pretrained``, or a hub name
            when online or cached.
        device: ``cpu``, ``cuda``, ``cuda:1`` or ``mps`` (default: the best available).
        dtype: ``auto``, ``fp32``, ``bf16`` or ``fp16``; ``int8`` with ``backend="onnx"`` (default: fp32 on CPU,
            bf16/fp16 on GPU).
        backend: ``torch`` (default) or ``onnx`` (ONNX Runtime on the CPU).

    Returns:
        The model, ready for an ``Augmenter`` (``Augmenter(method, model=mlm)``).
    """
    name = str(name_or_path or DEFAULT_MODEL)
    dev = pick_device(device, backend)
    runtime, autocast = pick_runtime(backend, dev, dtype)
    if name in BUILTIN_ALIASES:
        model, tokenizer = load_builtin()
        return MaskedLM(model, tokenizer, BUILTIN_NAME, dev, autocast, runtime=runtime)
    local = Path(name).expanduser()
    offline = not local.exists()
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # a "Loading weights" bar per load is noise in a CLI
    hint = HINT
    if local.exists() and not local.is_dir():
        check_model_name(local)
    try:
        if offline:  # the local Hugging Face cache first, then the hub once, and only when it answers
            tokenizer, model = _from_hub(name, hint)
        else:
            tokenizer = AutoTokenizer.from_pretrained(str(local))
            model = AutoModelForMaskedLM.from_pretrained(str(local))
    except (OSError, ValueError) as exc:
        where = "folder" if not offline else "name"
        raise ModelLoadError(f"cannot load masked LM {name!r} ({where}): {str(exc).splitlines()[0][:160]} -- "
                             f"{hint}") from exc
    conditioning = Conditioning.load(local) if not offline else None
    table = conditioning.label_table(model, local) if conditioning is not None else None
    return MaskedLM(model, tokenizer, name, dev, autocast, conditioning, table, runtime)
