"""Self-training on unlabelled text with masked-LM views, for any model (a loop around the user's own fit/predict).

Each round, the current model (first: trained on the labelled rows alone) labels the unlabelled rows; per class
the ``per_class`` most confident at or above ``threshold`` are kept (class-balanced, as UDA's and SFLM's
confidence masks are); each kept row and its views (an ``Augmenter``'s outputs, or none)
join the labelled rows under the pseudo-label, the labelled rows repeated to about half of the set (``balance``),
and a new model is fitted on all of it::

    from maskaug import Augmenter
    from maskaug.training import self_train

    result = self_train(fit, predict_proba, (texts, labels), unlabelled, Augmenter("substitute", n=1))
    model = result.model

``fit(texts, labels)`` returns a model; ``predict_proba(model, texts)`` its class probabilities (a row per text,
columns by class index; labels are class indices).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np


def pseudo_labels(probabilities: Any, threshold: float, per_class: int) -> tuple[list[tuple[int, int]], dict]:
    """The rows a teacher labels confidently, as ``(row, class)`` in row order: per class, its ``per_class`` most
    confident rows whose top probability is at least ``threshold``.

    Args:
        probabilities: The teacher's class probabilities, a row per unlabelled text.
        threshold: The least top probability a row needs.
        per_class: Rows kept per class at most.

    Returns:
        The chosen ``(row, class)`` pairs, and ``{"rows", "passed", "kept"}`` (the share of rows at or above the
        threshold, the count kept).
    """
    p = np.asarray(probabilities, dtype=np.float64)
    if p.size == 0:
        return [], {"rows": 0, "passed": 0.0, "kept": 0}
    label, conf = p.argmax(-1), p.max(-1)
    order = np.argsort(-conf, kind="stable").tolist()
    chosen = []
    for c in sorted(set(label.tolist())):
        idx = [i for i in order if label[i] == c and conf[i] >= threshold]
        chosen += [(i, int(c)) for i in idx[:per_class]]
    chosen.sort()
    return chosen, {"rows": len(p), "passed": float((conf >= threshold).mean()), "kept": len(chosen)}


def softmax(logits: Any) -> np.ndarray:
    """Class probabilities of each row of logits."""
    z = np.asarray(logits, dtype=np.float64)
    p = np.exp(z - z.max(-1, keepdims=True))
    return p / p.sum(-1, keepdims=True)


def training_rows(labelled: tuple[Sequence, Sequence], unlabelled: Sequence, chosen: list[tuple[int, int]],
                  views: dict[int, list] | None = None, balance: bool = True) -> tuple[list, list, int]:
    """The next student's rows: the labelled rows (repeated to about half of the set when ``balance``), then each
    chosen unlabelled row and its ``views`` under its pseudo-label; and how many rows are labelled ones."""
    added = [(text, label) for i, label in chosen for text in [unlabelled[i], *(views or {}).get(i, [])]]
    real_x, real_y = list(labelled[0]), list(labelled[1])
    reps = max(1, round(len(added) / len(real_x))) if balance and real_x else 1
    return real_x * reps + [t for t, _ in added], real_y * reps + [y for _, y in added], len(real_x) * reps


@dataclass
class SelfTrainResult:
    """The last model and, per round, what its teacher labelled.

    Args:
        model: The last student.
        rounds: Per round: unlabelled rows, the share that passed the threshold, rows kept, training rows.
        chosen: The last round's pseudo-labelled rows, as ``(unlabelled row, class)``.
    """

    model: Any
    rounds: list[dict] = field(default_factory=list)  # per round: rows, passed, kept, training rows
    chosen: list[tuple[int, int]] = field(default_factory=list)  # the last round's (unlabelled row, pseudo-label)


def check_settings(threshold: float, per_class: int, rounds: int) -> None:
    """Refuse, in one line, a confidence threshold, per-class count or number of rounds self-training cannot use.

    Args:
        threshold: The least top probability a pseudo-labelled row needs, in [0, 1).
        per_class: Rows kept per class and round at most, 1 or more.
        rounds: Rounds, 1 or more.

    Raises:
        ValueError: naming the first setting out of range.
    """
    if not 0 <= threshold < 1:
        raise ValueError(f"threshold is a probability in [0, 1), got {threshold!r}")
    if isinstance(per_class, bool) or not isinstance(per_class, int) or per_class < 1:
        raise ValueError(f"per_class is a count of rows, 1 or more; got {per_class!r}")
    if isinstance(rounds, bool) or not isinstance(rounds, int) or rounds < 1:
        raise ValueError(f"rounds is a count, 1 or more; got {rounds!r}")


def self_train(fit: Callable[..., Any], predict_proba: Callable[[Any, list], Any],
               labelled: tuple[Sequence, Sequence], unlabelled: Sequence, augmenter: Any = None,
               threshold: float = 0.9, per_class: int = 100, rounds: int = 1, balance: bool = True,
               progress: bool = False, views: dict[int, list] | None = None,
               weight: float | None = None) -> SelfTrainResult:
    """Self-training with masked-LM views (see the module's docstring); ``augmenter=None`` is the control that
    trains on the pseudo-labelled rows alone.

    Args:
        fit: ``fit(texts, labels)`` returns a model (labels are class indices); with ``weight``, each student is
            fitted as ``fit(texts, labels, weights)``.
        predict_proba: ``predict_proba(model, texts)`` returns a row of class probabilities per text.
        labelled: The labelled texts and their class indices.
        unlabelled: The unlabelled texts.
        augmenter: The ``Augmenter`` whose outputs are each kept row's views (``None``: no views).
        threshold: The least top probability a pseudo-labelled row needs.
        per_class: Rows kept per class and round at most.
        rounds: Rounds; after the first, the student is the next teacher.
        balance: Repeat the labelled rows to about half of each training set.
        progress: Print a line per round.
        views: The views already made (unlabelled row index -> its outputs), instead of an ``augmenter``.
        weight: The loss weight of the pseudo-labelled rows and their views (a labelled row's is 1).

    Returns:
        The last model and, per round, what its teacher labelled.

    Examples:
        >>> aug = Augmenter("substitute")                                               # doctest: +SKIP
        >>> result = self_train(fit, predict_proba, (texts, labels), unlabelled, aug)  # doctest: +SKIP
        >>> result.rounds                                                              # doctest: +SKIP
    """
    check_settings(threshold, per_class, rounds)
    if views is not None and augmenter is not None:
        raise ValueError("give views or an augmenter that makes them, not both")
    unlabelled = list(unlabelled)
    if views is None:
        views = dict(enumerate(augmenter.augment(unlabelled))) if augmenter is not None and unlabelled else {}
    model = fit(list(labelled[0]), list(labelled[1]))
    result = SelfTrainResult(model)
    for _ in range(rounds):
        chosen, info = pseudo_labels(predict_proba(model, unlabelled), threshold, per_class)
        x, y, real = training_rows(labelled, unlabelled, chosen, views, balance)
        if weight is None:
            model = fit(x, y)
        else:
            model = fit(x, y, [1.0] * real + [weight] * (len(x) - real))
        result.rounds.append({**info, "training_rows": len(x), "labelled_rows": real})
        result.chosen = chosen
        if progress:
            print(f"self-training round {len(result.rounds)}: {info['kept']} of {info['rows']} unlabelled rows kept "
                  f"({info['passed']:.0%} past {threshold:g}), {len(x)} training rows")
    result.model = model
    return result
