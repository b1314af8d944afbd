"""Training/dev splits of the published low-resource protocols.

``kumar2020`` (Kumar et al. 2020): per split, ``k`` training and ``k`` dev examples per class drawn
without overlap from the training pool. ``eda2019`` (Wei & Zou 2019): a random training subset of
``N`` examples, no dev set. ``melm2022`` (Zhou et al. 2022): ``N`` token/tag sentences, no dev set.
Splits depend only on ``(seed, split index)`` and the pool, so every method sees the same splits.
Test rows come from a separate file, or, when there is none, a stratified held-out part of the pool that
no split ever draws from.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Split:
    """One split: its training rows and dev rows (indexes into the pool)."""

    index: int
    train: tuple[int, ...]  # indices into the training pool
    dev: tuple[int, ...]
    size: int  # k per class (kumar2020) or N (eda2019)


def _by_class(labels: Sequence) -> dict[object, list[int]]:
    groups: dict[object, list[int]] = defaultdict(list)
    for i, y in enumerate(labels):
        groups[y].append(i)
    return dict(sorted(groups.items(), key=lambda kv: str(kv[0])))


def kumar2020(labels: Sequence, k: int, n_splits: int, seed: int = 0, names: Sequence[str] | None = None
              ) -> list[Split]:
    """``k`` train + ``k`` dev examples per class for each of ``n_splits`` splits (``names[label]``, when
    given, is how an error message names a class)."""
    groups = _by_class(labels)
    small = {str(names[c] if names else c): len(ix) for c, ix in groups.items() if len(ix) < 2 * k}
    if small:
        raise ValueError(f"kumar2020 with k={k} needs {2 * k} examples per class; too few in {small}")
    splits = []
    for s in range(n_splits):
        rng = np.random.default_rng([seed, s, k])
        train, dev = [], []
        for ix in groups.values():
            pick = rng.choice(len(ix), size=2 * k, replace=False)
            train += [ix[j] for j in pick[:k]]
            dev += [ix[j] for j in pick[k:]]
        splits.append(Split(s, tuple(sorted(train)), tuple(sorted(dev)), k))
    return splits


def eda2019(labels: Sequence, size: int, n_splits: int, seed: int = 0) -> list[Split]:
    """A random training subset of ``size`` examples per split (no dev set)."""
    if size > len(labels):
        raise ValueError(f"eda2019 with N={size} needs at least {size} training rows; the pool has {len(labels)}")
    splits = []
    for s in range(n_splits):
        rng = np.random.default_rng([seed, s, size])
        splits.append(Split(s, tuple(sorted(rng.choice(len(labels), size=size, replace=False).tolist())), (), size))
    return splits


def melm2022(rows: int, size: int, n_splits: int, seed: int = 0) -> list[Split]:
    """``size`` of the ``rows`` token/tag sentences per split (no dev set), as Zhou et al. draw low-resource sets."""
    if size > rows:
        raise ValueError(f"melm2022 with N={size} needs at least {size} training sentences; the file has {rows}")
    return [Split(s, tuple(sorted(np.random.default_rng([seed, size, s]).choice(rows, size, replace=False).tolist())),
                  (), size) for s in range(n_splits)]


def hold_out(labels: Sequence, fraction: float = 0.2, seed: int = 0) -> tuple[list[int], list[int]]:
    """Stratified (pool, test) index lists for data without a test file."""
    rng = np.random.default_rng([seed, 7919])
    pool, test = [], []
    for ix in _by_class(labels).values():
        order = rng.permutation(len(ix))
        cut = max(1, int(round(fraction * len(ix)))) if len(ix) > 1 else 0
        test += [ix[j] for j in order[:cut]]
        pool += [ix[j] for j in order[cut:]]
    return sorted(pool), sorted(test)
