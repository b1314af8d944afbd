"""Tokenizer conventions read from the tokenizer itself: mask id, specials, word-start pieces, surfaces."""

from __future__ import annotations

import json
import re
import unicodedata

import numpy as np

from maskaug.text import normalize

# Which pieces may fill a slot: a word-initial piece, a continuation piece, or any piece.
START, CONTINUATION, ANY = 0, 1, 2

_PLACEHOLDER = re.compile(r"^(\[[^\]]+\]|<[^>]+>|<\|[^|]+\|>)$")


class TokenizerInfo:
    """Per-vocabulary flags for one tokenizer.

    ``is_start[i]``: piece ``i`` begins a word (WordPiece: no ``##``; byte-level BPE: leading ``Ġ``;
    SentencePiece: leading ``▁``). ``bad[i]``: special, placeholder (``[unused3]``), or beyond the
    tokenizer. ``wordy[i]``: the piece has a letter or digit.
    """

    def __init__(self, tokenizer, vocab_size: int | None = None):
        if not getattr(tokenizer, "is_fast", False):
            raise ValueError("maskaug needs a fast (Rust) tokenizer for character offsets; "
                             "this model only ships a slow one")
        if tokenizer.mask_token_id is None:
            raise ValueError("the tokenizer has no mask token, so it cannot drive a masked LM")
        self.tokenizer = tokenizer
        self.mask_id = int(tokenizer.mask_token_id)
        self.mask_token = tokenizer.mask_token
        self.pad_id = int(tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0)
        self.vocab_size = int(vocab_size or len(tokenizer))
        n_tok = min(len(tokenizer), self.vocab_size)
        pieces = tokenizer.convert_ids_to_tokens(list(range(n_tok)))
        marker, prefix = _word_markers(tokenizer)
        self._ref = tokenizer.convert_ids_to_tokens(tokenizer("x", add_special_tokens=False)["input_ids"])
        self._ref_text = tokenizer.convert_tokens_to_string(self._ref)
        self._surfaces: dict[int, tuple[str, bool]] = {}
        self._pools: dict[int, np.ndarray] = {}
        self._forms: dict[int, str | None] = {}
        self.verdicts: dict[tuple, dict[int, bool]] = {}  # per-piece verdicts of a fixed rule (methods cache them)
        self.is_start = np.zeros(self.vocab_size, dtype=bool)
        self.bad = np.ones(self.vocab_size, dtype=bool)
        self.wordy = np.zeros(self.vocab_size, dtype=bool)
        special = set(tokenizer.all_special_ids)
        for i, p in enumerate(pieces):
            if p is None:
                continue
            if prefix:
                self.is_start[i] = not p.startswith(prefix)
            elif marker:
                self.is_start[i] = p.startswith(marker)
            self.bad[i] = i in special or bool(_PLACEHOLDER.match(p))
            self.wordy[i] = any(ch.isalnum() for ch in p)
        if not prefix and not marker:  # unknown scheme: ask the decoder
            for i, p in enumerate(pieces):
                if p is not None and not self.bad[i]:
                    self.is_start[i] = self.surface_and_start(i)[1]
        self.special_ids = sorted(special)
        self.prefix_ids, self.suffix_ids = _special_frame(tokenizer)

    def wrap(self, ids: list[int]) -> list[int]:
        """Add the tokenizer's own special tokens around a window of piece ids."""
        return self.prefix_ids + ids + self.suffix_ids

    def surface(self, token_id: int) -> str:
        """The text a vocabulary piece writes, without its word-start or continuation marker."""
        return self.surface_and_start(token_id)[0]

    def surface_and_start(self, token_id: int) -> tuple[str, bool]:
        """The text a piece adds after a word, without its word-boundary marker (cached)."""
        hit = self._surfaces.get(token_id)
        if hit is None:
            tok = self.tokenizer
            both = tok.convert_tokens_to_string(self._ref + [tok.convert_ids_to_tokens(token_id)])
            tail = both[len(self._ref_text):] if both.startswith(self._ref_text) else both
            hit = self._surfaces[token_id] = (tail.strip(), tail[:1].isspace())
        return hit

    def fill_form(self, token_id: int) -> str | None:
        """Normalised surface of a piece usable as a fill, or None when it cannot be one
        (empty, broken bytes, control or separator characters). Cached."""
        if token_id not in self._forms:
            surface = self.surface(token_id)
            broken = not surface or "\ufffd" in surface or any(
                unicodedata.category(c)[0] in "CZ" for c in surface)
            self._forms[token_id] = None if broken else normalize(surface)
        return self._forms[token_id]

    def random_pool(self, kind: int) -> np.ndarray:
        """Ids of ordinary wordy pieces of one kind (START, CONTINUATION or ANY), for random corruption."""
        if kind not in self._pools:
            ok = ~self.bad & self.wordy
            if kind == START:
                ok &= self.is_start
            elif kind == CONTINUATION:
                ok &= ~self.is_start
            self._pools[kind] = np.flatnonzero(ok)
        return self._pools[kind]


def _word_markers(tokenizer) -> tuple[str | None, str | None]:
    """(word-start marker, continuation prefix) from the tokenizer's own JSON description."""
    try:
        spec = json.loads(tokenizer.backend_tokenizer.to_str())
    except Exception:  # pragma: no cover - exotic tokenizers
        return None, None
    model = spec.get("model") or {}
    prefix = model.get("continuing_subword_prefix")
    if model.get("type") == "WordPiece" and prefix:
        return None, prefix
    found: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") == "ByteLevel":
                found.append("Ġ")
            elif node.get("type") == "Metaspace":
                found.append(node.get("replacement", "▁"))
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(spec.get("pre_tokenizer"))
    if found:
        return found[0], None
    return None, prefix or None


def _special_frame(tokenizer) -> tuple[list[int], list[int]]:
    enc = tokenizer("x", add_special_tokens=True, return_special_tokens_mask=True)
    ids, special = enc["input_ids"], enc["special_tokens_mask"]
    first = special.index(0)
    last = len(special) - special[::-1].index(0)
    return list(ids[:first]), list(ids[last:])
