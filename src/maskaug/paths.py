"""Where maskaug keeps what it caches: one root for every cache."""

from __future__ import annotations

import os
from pathlib import Path


def cache_root() -> Path:
    """``$MASKAUG_CACHE``, else ``~/.cache/maskaug``."""
    env = os.environ.get("MASKAUG_CACHE")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "maskaug"
