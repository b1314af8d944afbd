"""One store for everything an evaluation caches: augmentations, fine-tuned models, oracles and learner runs.

Every artefact is keyed by the fingerprint (``maskaug.fingerprint.identity``) of what produced it, taken from
the actual arguments of the function that makes it — the way 🤗 datasets' ``fingerprint_transform`` hashes a
transform's real arguments — rather than from a list of fields written beside it. ``cached`` does this for a
function whose first argument is the ``Store``; an argument that cannot be fingerprinted is an error, so a
new setting can never be left out of a key by accident. A model enters a key as a ``ModelRef``: its content,
device, autocast dtype and runtime, resolved without loading it.

Entries live under ``cache_root()/evaluate`` (``$MASKAUG_CACHE``) or ``--cache-dir``, one folder per kind.
"""

from __future__ import annotations

import functools
import inspect
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from maskaug.fingerprint import identity, key, model_fingerprint
from maskaug.io import write_atomically


class Store:
    """Artefacts on disk, each at ``ROOT/KIND/[PREFIX-]KEY`` where KEY is the fingerprint of what made it; counts
    of what was asked for and what was found, per kind."""

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self.asked: Counter[str] = Counter()
        self.found: Counter[str] = Counter()

    def __repr__(self) -> str:
        return f"Store({str(self.root)!r})"

    def path(self, kind: str, deps: Any, suffix: str = ".json", prefix: str = "") -> Path:
        """Where the artefact of ``kind`` made from ``deps`` lives."""
        return self.root / kind / f"{prefix + '-' if prefix else ''}{key(identity(deps))}{suffix}"

    def json(self, kind: str, deps: Any, make: Callable[[], Any], prefix: str = "") -> Any:
        """The JSON value stored for ``deps``, or ``make()``'s, stored first."""
        path = self.path(kind, deps, prefix=prefix)
        self.asked[kind] += 1
        if path.is_file():
            self.found[kind] += 1
            return json.loads(path.read_text())
        text = json.dumps(make())
        write_atomically(path, lambda tmp: tmp.write_text(text))
        return json.loads(text)  # what a rerun reads back, so a first run and a rerun see the same values

    def folder(self, kind: str, deps: Any, make: Callable[[Path], None], done: str, prefix: str = "") -> Path:
        """A folder made by ``make(path)`` for ``deps``; it counts as finished once it holds the file ``done``."""
        path = self.path(kind, deps, suffix="", prefix=prefix)
        self.asked[kind] += 1
        if (path / done).is_file():
            self.found[kind] += 1
        else:
            make(path)
        return path

    def arrays(self, kind: str, deps: Any, make: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        """NumPy arrays stored for ``deps`` (an ``.npz``), or ``make()``'s, stored first."""
        import numpy as np

        path = self.path(kind, deps, suffix=".npz")
        self.asked[kind] += 1
        if path.is_file():
            self.found[kind] += 1
            with np.load(path) as z:
                return {k: z[k] for k in z.files}
        value = make()
        write_atomically(path, lambda tmp: np.savez(tmp, **value))
        return value


def cached(kind: str, version: int = 1, added: tuple[str, ...] = (), name: str | None = None):
    """Keep a function's JSON result in the ``Store`` given as its first argument, keyed by the fingerprint of
    its name, ``version`` and every other argument as called (defaults filled in).

    ``added``: parameters added after results were stored; left at None they are not part of the key, so what was
    stored before they existed is still found. ``name``: the name its results were first stored under (default:
    the function's module and name), so a function that moved still finds them."""

    def wrap(fn):
        sig = inspect.signature(fn)
        key_name = f"{name or f'{fn.__module__}.{fn.__qualname__}'}.v{version}"

        @functools.wraps(fn)
        def inner(store: Store, *args: Any, **kwargs: Any) -> Any:
            bound = sig.bind(store, *args, **kwargs)
            bound.apply_defaults()
            deps = {"fn": key_name, **{k: v for k, v in list(bound.arguments.items())[1:]
                                   if not (k in added and v is None)}}
            return store.json(kind, deps, lambda: fn(store, *args, **kwargs))

        return inner

    return wrap


@dataclass(frozen=True)
class ModelRef:
    """A masked LM as a key sees it: named (None: the built-in model), placed and typed, but not loaded."""

    name: str | None = None
    device: str | None = None
    dtype: str | None = None
    backend: str | None = None

    def resolved(self) -> tuple[str, str, str]:
        """``(device type, autocast dtype, runtime)`` on this machine, as ``load`` would pick them."""
        from maskaug.model.loading import pick_device, pick_runtime

        dev = pick_device(self.device, self.backend)
        runtime, autocast = pick_runtime(self.backend, dev, self.dtype)
        return dev.type, str(autocast).replace("torch.", "") if autocast else "fp32", runtime

    def __fingerprint__(self) -> dict[str, Any]:
        device, dtype, runtime = self.resolved()
        return {**model_fingerprint(self.name), "device": device, "dtype": dtype, "runtime": runtime}

    def load(self):
        """The loaded ``MaskedLM``."""
        from maskaug.model.loading import load_mlm

        return load_mlm(self.name, device=self.device, dtype=self.dtype, backend=self.backend)
