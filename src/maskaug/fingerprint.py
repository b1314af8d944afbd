"""One fingerprint for what a result depends on, and one cache root for every cache.

A fingerprint is the SHA-256 of a canonical JSON description of everything that decides a result, in the
spirit of 🤗 datasets' fingerprints: the input's bytes (:func:`~maskaug.io.file_digest`), the resolved method
name with its effective parameters (defaults filled in), the model's content (:func:`model_fingerprint`: its
files' bytes, which include a fine-tuned model's conditioning record), the record type, the settings that
change outputs, and maskaug's version. Resumable partial output (:mod:`maskaug.checkpoint`) and every
evaluation cache (:mod:`maskaug.evaluate`) are keyed by it, so a changed method or a model retrained into the
same folder never reuses a stale result.

Caches live under :func:`cache_root`: ``$MASKAUG_CACHE``, else ``~/.cache/maskaug``.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from maskaug import __version__
from maskaug.paths import cache_root

__all__ = ["cache_root", "content_digest", "fingerprint", "key", "model_fingerprint"]


def _canonical(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _canonical(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set, frozenset)):
        items = [_canonical(v) for v in obj]
        return sorted(items, key=json.dumps) if isinstance(obj, (set, frozenset)) else items
    if isinstance(obj, Path):
        return str(obj)
    if isinstance(obj, float) and obj != obj:
        return "nan"
    return obj


def fingerprint(*parts: Any, length: int = 64) -> str:
    """A stable hex digest of ``parts`` (JSON-like values; dict keys sorted; maskaug's version included)."""
    h = hashlib.sha256()
    h.update(f"maskaug {__version__}\0".encode())
    for p in parts:
        h.update(json.dumps(_canonical(p), sort_keys=True, default=str, ensure_ascii=False).encode("utf-8"))
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
