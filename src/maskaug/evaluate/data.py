"""The rows an evaluation reads: labelled texts (or sentence pairs) and token/tag records, checked as they are
read (file, row and field named in every error)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass
class Dataset:
    """Rows and their targets: texts (or pairs) with class indices into ``classes``, or token lists with their tag
    lists (``classes``: the tag set)."""

    texts: list[Any]
    labels: list[Any]
    classes: list[str]

    def subset(self, rows: list[int]) -> Dataset:
        """The rows at ``rows``, in that order."""
        return Dataset([self.texts[i] for i in rows], [self.labels[i] for i in rows], self.classes)


def text_columns(text_column: str | list[str]) -> list[str]:
    """The text column(s) as a list (two for sentence pairs)."""
    return [text_column] if isinstance(text_column, str) else list(text_column)


def read_labelled(path: str | Path, text_column: str | list[str], label_column: str,
                  classes: list[str] | None = None) -> Dataset:
    """Texts (a tuple per row for pairs) with class indices; ``classes`` (the training file's) fixes the order,
    and a label outside it is an error naming the row."""
    from maskaug.io import InputError, read_rows, validate

    rows = read_rows(path)
    if not rows:
        raise InputError(path, "no rows")
    cols = text_columns(text_column)
    validate(path, rows, cols, label_column)
    raw = [str(r[label_column]) for r in rows]
    classes = classes or sorted(set(raw))
    index = {c: i for i, c in enumerate(classes)}
    for i, y in enumerate(raw):
        if y not in index:
            raise InputError(path, f"label {y!r} does not occur in the training data", row=i + 1, field=label_column)
    texts = [r[cols[0]] for r in rows] if len(cols) == 1 else [tuple(r[c] for c in cols) for r in rows]
    return Dataset(texts, [index[y] for y in raw], classes)


def read_texts(path: str | Path, text_column: str | list[str]) -> list[Any]:
    """The texts (tuples for pairs) of a file whose labels, if any, are not read: an unlabelled pool."""
    from maskaug.io import InputError, read_rows, validate

    rows = read_rows(path)
    if not rows:
        raise InputError(path, "no rows")
    cols = text_columns(text_column)
    validate(path, rows, cols)
    return [r[cols[0]] for r in rows] if len(cols) == 1 else [tuple(r[c] for c in cols) for r in rows]


@dataclass
class Unlabelled:
    """The unlabelled pool of an evaluation: its texts in a fixed random order, and per split the first
    ``size`` of them that the split did not draw (``rest``: the training pool's own rows, so each split skips
    its training and dev rows). ``gold``: their labels where the pool had them (``rest``), only to report how
    often the pseudo-labels are right; no learner ever reads them."""

    texts: list[Any]  # in the draw order
    source: list[int] | None  # rest: each text's index in the training pool
    gold: list[int] | None
    size: int
    dropped_test: int = 0  # rows left out because the test set holds the same text

    def rows(self, split) -> list[int]:
        """Indexes into ``texts`` of a split's unlabelled rows (the same for every arm and seed)."""
        if self.source is None:
            return list(range(min(self.size, len(self.texts))))
        drawn = set(split.train) | set(split.dev)
        return [i for i, j in enumerate(self.source) if j not in drawn][: self.size]

    def used(self, splits) -> list[int]:
        """The rows any of ``splits`` uses (their union, in draw order)."""
        rows = set().union(*(self.rows(s) for s in splits)) if splits else set()
        return sorted(rows)


def unlabelled_pool(spec: str, pool: Dataset, test: Dataset, text_column: str | list[str], size: int,
                    seed: int) -> Unlabelled:
    """The unlabelled pool ``spec`` names (``rest`` or a file), in a fixed order drawn with ``seed``; a text that
    is also a test text is left out (a learner never reads the test rows)."""
    import numpy as np

    if spec == "rest":
        texts, source, gold = list(pool.texts), list(range(len(pool.texts))), list(pool.labels)
    else:
        texts, source, gold = read_texts(spec, text_column), None, None
    order = np.random.default_rng([seed, 2718]).permutation(len(texts)).tolist()
    held = set(test.texts)
    keep = [i for i in order if texts[i] not in held]
    return Unlabelled([texts[i] for i in keep], None if source is None else [source[i] for i in keep],
                      None if gold is None else [gold[i] for i in keep], size, len(texts) - len(keep))


def read_tagged(path: str | Path, tokens_column: str, tags_column: str) -> Dataset:
    """Token/tag records of a file, each checked; ``classes`` is left empty for the caller to fill with the tag
    set of every file it reads."""
    from maskaug.io import InputError, read_rows
    from maskaug.records.tagged import check_record

    rows = read_rows(path)
    if not rows:
        raise InputError(path, "no rows")
    for i, row in enumerate(rows):
        check_record(path, i + 1, row, tokens_column, tags_column)
    return Dataset([list(r[tokens_column]) for r in rows], [list(r[tags_column]) for r in rows], [])


def joined(text: Any) -> str:
    """One line for a report: a text, a pair joined by `` / ``, tokens joined by spaces."""
    if isinstance(text, str):
        return text
    return " / ".join(text) if isinstance(text, tuple) else " ".join(text)
