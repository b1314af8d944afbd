"""The settings of one evaluation, for every protocol (a JSON or TOML file can give them)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

PROTOCOLS = ("kumar2020", "eda2019", "melm2022")
UNLABELLED_SIZE = 2000  # unlabelled rows per split unless --unlabelled-size says
DEFAULT_METHODS = ["none", "copy", "eda", "substitute", "iterative", "insert", "ssmba"]
# What a setting left unset (None) means under each protocol.
DEFAULTS: dict[str, dict[str, Any]] = {
    "kumar2020": {"splits": 15, "sizes": [500], "methods": DEFAULT_METHODS, "classifier": "logreg"},
    "eda2019": {"splits": 15, "sizes": [500], "methods": DEFAULT_METHODS, "classifier": "logreg"},
    "melm2022": {"splits": 5, "sizes": [100], "n": 3, "methods": ["none", "copy", "substitute", "melm"],
                 "classifier": "tagger", "test_limit": 1000},
}


@dataclass
class EvalConfig:
    """What an evaluation depends on. ``None`` means the protocol's default (``DEFAULTS``)."""

    data: str
    test: str | None = None
    text_column: str | list[str] = "text"  # two columns: sentence pairs (NLI), judged and classified as pairs
    label_column: str = "label"
    tokens_column: str = "tokens"  # melm2022: token/tag records
    tags_column: str = "tags"
    protocol: str = "kumar2020"
    k: list[int] | None = None  # kumar2020: examples per class (default [10])
    sizes: list[int] | None = None  # eda2019: training rows; melm2022: training sentences
    splits: int | None = None
    seeds: int = 1  # learner seeds per split: each split's score is their mean, pairing stays by split
    n: int | None = None  # outputs per training example (kumar2020: 1; eda2019: Wei & Zou's table; melm2022: 3)
    seed: int = 0
    methods: list[Any] | None = None
    classifier: str | None = None  # logreg or finetune (kumar2020, eda2019); melm2022 trains a tagger
    encoder: str | None = None  # sentence encoder / learner backbone (default: MiniLM package)
    model: str | None = None  # MLM for the methods (default: built-in)
    device: str | None = None  # where the MLM generates (default: the best device here)
    dtype: str | None = None  # its autocast dtype (default: fp32 on CPU, bf16/fp16 on GPU)
    max_attempts: int = 10  # tries per output before a shortfall
    epochs: int = 10
    steps: int | None = None  # every learner run takes exactly this many optimiser steps (step-matched)
    quality: bool = True
    fluency_sample: int = 100
    label_text: dict[str, str] | None = None  # prepend: words written for each label when fine-tuning
    flip_reference: str | None = None  # method whose label flips the others are compared with, output by output
    test_limit: int | None = None
    cache_dir: str | None = None
    unlabelled: str | None = None  # the unlabelled pool: a file (its labels dropped) or "rest" (rows no split drew)
    unlabelled_size: int | None = None  # at most this many unlabelled rows per split (default 2000)

    def __post_init__(self) -> None:
        if self.k is None:
            self.k = [10]

    @classmethod
    def from_file(cls, path: str | os.PathLike) -> EvalConfig:
        """The config of a JSON (``config.json`` of an earlier run) or TOML file."""
        from maskaug.methods.registry import tomllib

        p = Path(path)
        raw = tomllib.loads(p.read_text()) if p.suffix == ".toml" else json.loads(p.read_text())
        raw = raw.get("config", raw)
        unknown = set(raw) - {f.name for f in fields(cls)}
        if unknown:
            raise ValueError(f"{p}: unknown config key(s) {sorted(unknown)}")
        return cls(**raw)

    def resolved(self) -> EvalConfig:
        """A copy with every unset setting given its protocol's default; settings a protocol cannot honour are
        refused here, in one line."""
        if self.protocol not in PROTOCOLS:
            raise ValueError(f"unknown protocol {self.protocol!r}; use {', '.join(PROTOCOLS)}")
        learners = ("tagger",) if self.protocol == "melm2022" else ("logreg", "finetune")
        if self.classifier is not None and self.classifier not in learners:
            if self.protocol == "melm2022":
                raise ValueError("--classifier is for kumar2020 / eda2019; melm2022 trains a token tagger (the "
                                 "fine-tuned encoder, first sub-token of each word)")
            raise ValueError(f"unknown classifier {self.classifier!r}; use logreg or finetune")
        if self.unlabelled is not None and self.protocol == "melm2022":
            raise ValueError("--unlabelled is for kumar2020 / eda2019 (sentence labels); melm2022 has no "
                             "semi-supervised arms")
        if self.unlabelled is None and self.unlabelled_size is not None:
            raise ValueError("--unlabelled-size caps the unlabelled pool: add --unlabelled FILE or --unlabelled rest")
        size = self.unlabelled_size
        if size is not None and (isinstance(size, bool) or not isinstance(size, int) or size < 1):
            raise ValueError(f"--unlabelled-size is a number of rows, 1 or more; got {size!r}")
        unset = {k: v for k, v in DEFAULTS[self.protocol].items() if getattr(self, k) is None}
        if self.unlabelled is not None and size is None:
            unset["unlabelled_size"] = UNLABELLED_SIZE
        return replace(self, **{k: list(v) if isinstance(v, list) else v for k, v in unset.items()})

    @property
    def size_values(self) -> list[int]:
        """The training sizes the protocol sweeps: k per class (kumar2020) or N rows / sentences."""
        return list(self.k if self.protocol == "kumar2020" else self.sizes)
