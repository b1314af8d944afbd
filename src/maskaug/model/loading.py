"""Load any Hugging Face masked LM by name or folder; choose device and dtype."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import torch
from transformers import AutoModelForMaskedLM, AutoTokenizer

from maskaug.conditioning import Conditioning
from maskaug.model.backend import LabelEmbedding, TorchBackend
from maskaug.model.builtin import BUILTIN_ALIASES, BUILTIN_NAME, load_builtin
from maskaug.model.names import HINT, ModelLoadError, check_model_name
from maskaug.model.vocab import TokenizerInfo

DEFAULT_MODEL = BUILTIN_NAME




def pick_device(device: str | None = None) -> torch.device:
    """``device`` checked against this machine (a ValueError in one line when it has no such device), else
    ``$MASKAUG_DEVICE``, else the best one available."""
    device = device or os.environ.get("MASKAUG_DEVICE") or None
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
    """Autocast dtype: bf16 (or fp16) on GPUs, full precision on CPU unless asked."""
    if dtype and dtype != "auto":
        table = {"fp32": None, "float32": None, "bf16": torch.bfloat16, "bfloat16": torch.bfloat16,
                 "fp16": torch.float16, "float16": torch.float16}
        if dtype not in table:
            raise ValueError(f"unknown dtype {dtype!r}; use auto, fp32, bf16 or fp16")
        return table[dtype]
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
    """A masked LM with its tokenizer conventions, device and autocast dtype."""

    model: torch.nn.Module
    tokenizer: object
    name: str
    device: torch.device
    dtype: torch.dtype | None = None
    conditioning: Conditioning | None = None  # set for models from `maskaug finetune`
    label_embedding: LabelEmbedding | None = None  # C-BERT's added label table (models without token types)
    info: TokenizerInfo = field(init=False)
    backend: TorchBackend = field(init=False)

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
        self.backend = TorchBackend(self.model, self.device, self.dtype, label_input, self.label_embedding)

    def __repr__(self) -> str:
        cond = f", conditioning={self.conditioning.kind}" if self.conditioning is not None else ""
        dtype = str(self.dtype).replace("torch.", "") if self.dtype else "fp32"
        return f"MaskedLM({self.name!r}, device={self.device}, dtype={dtype}{cond})"

    @property
    def max_length(self) -> int:
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


def load_mlm(name_or_path: str | os.PathLike | None = None, device: str | None = None,
             dtype: str | None = None) -> MaskedLM:
    """Load ``name_or_path`` (built-in name, local folder, or hub name when online)."""
    name = str(name_or_path or DEFAULT_MODEL)
    dev = pick_device(device)
    if name in BUILTIN_ALIASES:
        model, tokenizer = load_builtin()
        return MaskedLM(model, tokenizer, BUILTIN_NAME, dev, pick_dtype(dev, dtype))
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
    return MaskedLM(model, tokenizer, name, dev, pick_dtype(dev, dtype), conditioning, table)
