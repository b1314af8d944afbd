"""One fingerprint for what a result depends on, and one cache root for every cache.

A fingerprint is the SHA-256 of a canonical JSON description of everything that decides a result, in the
spirit of 🤗 datasets' fingerprints: the input's bytes (``file_digest``), the resolved method
name with its effective parameters (defaults filled in), the model's content (``model_fingerprint``: its
files' bytes, which include a fine-tuned model's conditioning record), the record type, the settings that
change outputs, and maskaug's version. Resumable partial output (``maskaug.checkpoint``) and every
evaluation cache (``maskaug.evaluate``) are keyed by it, so a changed method or a model retrained into the
same folder never reuses a stale result.

Caches live under ``cache_root``: ``$MASKAUG_CACHE``, else ``~/.cache/maskaug``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from maskaug import __version__
from maskaug.paths import cache_root

__all__ = ["cache_root", "content_digest", "fingerprint", "identity", "key", "model_fingerprint"]


def identity(obj: Any) -> Any:
    """What ``obj`` is, as JSON-like values a fingerprint can hash: the value itself for plain data, a digest for
    arrays, every field of a dataclass, and ``obj.__fingerprint__()`` for objects that describe themselves (a
    classifier's settings, a model by its content, device and dtype). Anything else is a TypeError: an argument
    that cannot be described is never silently left out of a key (nor keyed by its address in memory)."""
    if obj is None or isinstance(obj, (bool, int, str)):
        return obj
    if isinstance(obj, float):
        return "nan" if obj != obj else obj
    describe = getattr(obj, "__fingerprint__", None)
    if describe is not None and not isinstance(obj, type):
        return identity(describe())
    if isinstance(obj, dict):
        return {str(k): identity(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [identity(v) for v in obj]
    if isinstance(obj, (set, frozenset)):
        return sorted((identity(v) for v in obj), key=json.dumps)
    if isinstance(obj, Path):
        return str(obj)
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {"type": type(obj).__qualname__,
                **{f.name: identity(getattr(obj, f.name)) for f in dataclasses.fields(obj) if f.compare}}
    kind = type(obj).__module__.split(".")[0]
    if kind == "numpy":
        if hasattr(obj, "tobytes") and hasattr(obj, "shape") and obj.shape != ():
            return {"array": hashlib.sha256(obj.tobytes()).hexdigest(), "dtype": str(obj.dtype),
                    "shape": list(obj.shape)}
        return identity(obj.item())
    if kind == "torch" and type(obj).__name__ in ("device", "dtype"):
        return str(obj)
    raise TypeError(f"cannot fingerprint a {type(obj).__module__}.{type(obj).__qualname__}: give it a "
                    f"__fingerprint__() method that says what decides its results")


def fingerprint(*parts: Any, length: int = 64) -> str:
    """A stable hex digest of ``parts`` (JSON-like values; dict keys sorted; maskaug's version included)."""
    h = hashlib.sha256()
    h.update(f"maskaug {__version__}\0".encode())
    for p in parts:
        h.update(json.dumps(identity(p), sort_keys=True, ensure_ascii=False).encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()[:length]


def key(*parts: Any) -> str:
    """A short fingerprint for a cache file name."""
    return fingerprint(*parts, length=16)


_DIGESTS: dict[tuple, str] = {}


def _stat_key(path: Path) -> tuple:
    files = sorted(f for f in path.rglob("*") if f.is_file()) if path.is_dir() else [path]
    return (str(path.resolve()),) + tuple((str(f), f.stat().st_size, f.stat().st_mtime_ns) for f in files)


def content_digest(path: str | os.PathLike) -> str:
    """SHA-256 of a file or folder's content, memoised per process by path, sizes and modification times."""
    from maskaug.io import file_digest

    p = Path(path)
    stat = _stat_key(p)
    if stat not in _DIGESTS:
        _DIGESTS[stat] = file_digest(p)
    return _DIGESTS[stat]


def model_fingerprint(model: Any) -> dict[str, Any]:
    """What identifies a model's behaviour: the built-in model's shipped files, a local folder's files (weights,
    tokenizer, conditioning record), or, for a hub name that is not a folder, the name."""
    from maskaug.model.builtin import BUILTIN_ALIASES, BUILTIN_NAME, asset_dir, base_dir

    name = getattr(model, "name", model)
    name = str(name) if name is not None else BUILTIN_NAME
    if name in BUILTIN_ALIASES:
        return {"model": BUILTIN_NAME, "delta": content_digest(asset_dir() / "delta.safetensors"),
                "base": content_digest(base_dir())}
    local = Path(name).expanduser()
    if local.exists():
        return {"model": "folder", "content": content_digest(local)}
    return {"model": name}
