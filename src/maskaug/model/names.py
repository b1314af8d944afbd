"""Which model a name means, checked without importing PyTorch: so a wrong ``--model`` fails in a second."""

from __future__ import annotations

import os
from pathlib import Path

BUILTIN_NAME = "maskaug/minilm-l6-mlm"
BUILTIN_ALIASES = frozenset({BUILTIN_NAME, "builtin", "default"})
# The runtimes and dtypes a model can run with (checked here, without PyTorch; resolved in loading.py).
BACKENDS = ("torch", "onnx")
DTYPE_NAMES = {"fp32": "fp32", "float32": "fp32", "bf16": "bf16", "bfloat16": "bf16", "fp16": "fp16",
               "float16": "fp16", "int8": "int8"}  # each accepted spelling -> the precision it means


def check_runtime(backend: str | None, dtype: str | None) -> None:
    """A one-line ValueError for a backend or dtype maskaug does not know (``auto``: pick one for the device)."""
    if backend not in (None, *BACKENDS):
        raise ValueError(f"--backend must be {' or '.join(BACKENDS)}, not {backend!r}")
    if dtype not in (None, "auto", *DTYPE_NAMES):
        raise ValueError(f"--dtype must be auto, fp32, bf16, fp16 or int8, not {dtype!r}")


HINT = f"pass a local folder saved with save_pretrained() (--model PATH), or use the built-in {BUILTIN_NAME!r}"


class ModelLoadError(RuntimeError):
    """A model could not be loaded; the message is one line meant for the user."""


def hub_reachable(timeout: float = 2.0) -> bool:
    """Whether the Hugging Face hub answers within ``timeout`` seconds (never when ``HF_HUB_OFFLINE`` is set)."""
    import socket
    from urllib.parse import urlparse

    if os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes"):
        return False
    endpoint = urlparse(os.environ.get("HF_ENDPOINT", "https://huggingface.co"))
    try:
        with socket.create_connection((endpoint.hostname, endpoint.port or 443), timeout=timeout):
            return True
    except OSError:
        return False


def in_hub_cache(name: str) -> bool:
    """Whether the local Hugging Face cache holds a config for hub model ``name``."""
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:  # pragma: no cover - a dependency of transformers
        return False
    try:
        found = try_to_load_from_cache(name, "config.json")
    except Exception:  # a name the hub would refuse (spaces, too many slashes): not cached
        return False
    return isinstance(found, str)


def check_model_name(name: str | os.PathLike | None) -> None:
    """Raise ``ModelLoadError`` now for a model that cannot be loaded: a path that is a file or does not
    exist and is not a hub name, or a hub name neither cached nor reachable."""
    if name is None or str(name) in BUILTIN_ALIASES:
        return
    local = Path(name).expanduser()
    if local.is_dir():
        return
    if local.exists():
        raise ModelLoadError(f"cannot load masked LM {str(name)!r}: it is a file; a model is a folder -- {HINT}")
    if in_hub_cache(str(name)):
        return
    if not hub_reachable():
        raise ModelLoadError(f"cannot load masked LM {str(name)!r}: it is not a local folder, not in the Hugging Face "
                             f"cache, and the hub cannot be reached -- {HINT}")
