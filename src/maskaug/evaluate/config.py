"""The settings of one evaluation, for every protocol (a JSON or TOML file can give them). What a setting left unset
means is the protocol's business (``maskaug.evaluate.protocols``)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

UNLABELLED_SIZE = 2000  # unlabelled rows per split unless --unlabelled-size says


@dataclass
class EvalConfig:
    """What an evaluation depends on. ``None`` means the protocol's default (``Protocol.defaults``)."""

    data: str
    test: str | None = None
    text_column: str | list[str] = "text"  # two columns: sentence pairs (NLI), judged and classified as pairs
    label_column: str = "label"
    tokens_column: str = "tokens"  # token/tag records
    tags_column: str = "tags"
    protocol: str | None = None  # None: the default protocol (``protocols.DEFAULT``)
    k: list[int] | None = None  # examples per class, for a per-class protocol (default [10])
    sizes: list[int] | None = None  # training rows or sentences, for a protocol that draws N of them
    splits: int | None = None
    seeds: int = 1  # learner seeds per split: each split's score is their mean, pairing stays by split
    n: int | None = None  # outputs per training example (default: the protocol's)
    seed: int = 0
    methods: list[Any] | None = None
    classifier: str | None = None  # the learner: logreg or finetune for sentence labels; tagger for token tags
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
        from maskaug.evaluate.protocols import protocol_class

        return protocol_class(self.protocol).resolve(self)

    def quick(self) -> EvalConfig:
        """``--quick``: the resolved config shrunk to a smoke run, as its protocol says."""
        from maskaug.evaluate.protocols import protocol_class

        cfg = self.resolved()
        return protocol_class(cfg.protocol).shrunk(cfg)
