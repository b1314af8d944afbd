"""maskaug: masking-based data generation with masked language models.

The names below load on first use, so ``maskaug --help`` and the checks that run before any work do not wait
for PyTorch to import.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "augment": "maskaug.api", "augment_file": "maskaug.api", "map_function": "maskaug.api",
    "Augmentation": "maskaug.augmenter", "Augmenter": "maskaug.augmenter", "Report": "maskaug.augmenter",
    "AugmentJob": "maskaug.job", "JobConfig": "maskaug.settings", "JobResult": "maskaug.job",
    "DEFAULT_MODEL": "maskaug.model.loading", "MaskedLM": "maskaug.model.loading", "load_mlm": "maskaug.model.loading",
}
__all__ = sorted(_EXPORTS) + ["__version__"]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'maskaug' has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
