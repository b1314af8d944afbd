"""Token-and-tag (NER) records: written out as one text for the masked LM, and mapped back.

A record is a list of tokens with one BIO tag each. It becomes the text ``" ".join(tokens)`` (with
MELM's entity markers around each entity token when the model was fine-tuned with them), plus the
character spans the masker must leave alone:

* ``where="context"`` (every method but MELM): entity tokens are protected, so entities stay
  byte-exact and only the words around them change;
* ``where="entities"`` (MELM, Zhou et al. 2022): everything but entity tokens is protected, so only
  entities change, and the markers tell the model which entity type to write.

Fills are single vocabulary pieces without whitespace (see ``maskaug.methods.mask_fill``) placed
inside one word, so every edit lies inside one token: the output has the same number of tokens, and
each keeps its tag. ``realign`` checks that and maps edits back to tokens.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from maskaug.io.errors import InputError
from maskaug.methods.base import Capabilities
from maskaug.records.base import Options, RecordType, View, register
from maskaug.splice import Edit

OUTSIDE = "O"
WHERE = ("context", "entities")


def is_entity(tag: str) -> bool:
    """Whether a BIO tag marks an entity token."""
    return tag != OUTSIDE


@dataclass
class Linearized:
    """A record as text: where each original token sits, and what may not be masked."""

    text: str
    spans: list[tuple[int, int]]  # character span of each original token in ``text``
    protected: list[tuple[int, int]]


def linearize(tokens: Sequence[str], tags: Sequence[str], where: str = "context",
              markers: dict[str, str] | None = None) -> Linearized:
    """Join ``tokens`` with spaces; ``markers`` (tag -> marker token) go before and after each entity token."""
    if where not in WHERE:
        raise ValueError(f"where must be one of {WHERE}, not {where!r}")
    parts: list[str] = []
    spans: list[tuple[int, int]] = []
    protected: list[tuple[int, int]] = []
    pos = 0

    def put(s: str) -> tuple[int, int]:
        nonlocal pos
        if parts:
            parts.append(" ")
            pos += 1
        parts.append(s)
        pos += len(s)
        return pos - len(s), pos

    for token, tag in zip(tokens, tags):
        marker = markers.get(tag) if markers and is_entity(tag) else None
        if marker:
            protected.append(put(marker))
        span = put(token)
        spans.append(span)
        if is_entity(tag) == (where == "context"):
            protected.append(span)
        if marker:
            protected.append(put(marker))
    return Linearized("".join(parts), spans, protected)


def realign(lin: Linearized, tokens: Sequence[str], edits: Sequence[Edit],
            tags: Sequence[str] | None = None) -> tuple[list[str], list[str], list[dict[str, Any]]]:
    """The output's tokens and tags and its edits as ``{token, old, new}``.

    An edit inside one token changes that token (its tag is copied). An edit that covers whole tokens (span
    infill: a run of words becomes a run of another length, with the spaces between them) replaces those
    tokens by the words of its new text, each tagged ``O``; the tokens it replaces must all be outside
    entities. Anything else raises."""
    tags = list(tags) if tags is not None else ["O"] * len(tokens)
    by_token: dict[int, list[Edit]] = {}
    runs: dict[int, tuple[int, list[str], Edit]] = {}  # first token -> (end token, new tokens, edit)
    for e in edits:
        i = next((i for i, (s, t) in enumerate(lin.spans) if s <= e.start and e.end <= t), None)
        if i is not None and not any(c.isspace() for c in e.new) and (e.new or e.start > lin.spans[i][0]
                                                                          or e.end < lin.spans[i][1]):
            by_token.setdefault(i, []).append(e)
            continue
        covered = [i for i, (s, t) in enumerate(lin.spans) if s < e.end and e.start < t]
        text_ok = covered and lin.spans[covered[0]][0] >= e.start and lin.spans[covered[-1]][1] <= e.end
        if text_ok:
            rest = lin.text[e.start:lin.spans[covered[0]][0]] + lin.text[lin.spans[covered[-1]][1]:e.end]
            text_ok = not rest.strip() and covered == list(range(covered[0], covered[-1] + 1))
        if not text_ok:
            raise RuntimeError(f"an edit {e.old!r} -> {e.new!r} at {e.start}:{e.end} neither stays inside one "
                               f"token nor covers whole tokens")
        if any(is_entity(tags[i]) for i in covered):
            raise RuntimeError(f"an edit {e.old!r} -> {e.new!r} replaces entity tokens")
        runs[covered[0]] = (covered[-1] + 1, e.new.split(), e)
    new_tokens: list[str] = []
    new_tags: list[str] = []
    changes: list[dict[str, Any]] = []
    i = 0
    while i < len(tokens):
        if i in runs:
            end, words, _ = runs[i]
            new_tokens += words
            new_tags += ["O"] * len(words)
            if words != list(tokens[i:end]):  # a run written back as it was is no change
                changes.append({"field": "tokens", "tokens": [i, end], "old": list(tokens[i:end]), "new": words})
            i = end
            continue
        token = tokens[i]
        start = lin.spans[i][0]
        for e in sorted(by_token.get(i, []), key=lambda e: e.start, reverse=True):
            token = token[: e.start - start] + e.new + token[e.end - start:]
        if token != tokens[i]:
            if not token:
                raise RuntimeError(f"token {i} ({tokens[i]!r}) became empty")
            changes.append({"field": "tokens", "token": i, "old": tokens[i], "new": token})
        new_tokens.append(token)
        new_tags.append(tags[i])
        i += 1
    return new_tokens, new_tags, changes


def record_problem(row: dict[str, Any], tokens_column: str, tags_column: str,
                   tag_set: Sequence[str] | None = None) -> tuple[str, str] | None:
    """``(field, problem)`` for a malformed token/tag record, or None."""
    tokens, tags = row.get(tokens_column), row.get(tags_column)
    for name, value in ((tokens_column, tokens), (tags_column, tags)):
        if not isinstance(value, list):
            return name, f"expected a list of strings, got {type(value).__name__}"
        bad = [x for x in value if not isinstance(x, str)]
        if bad:
            odd = bad[0]
            hint = (" (tag ids? give the tags' names: a 🤗 dataset maps them with its features' ClassLabel "
                    "int2str)" if name == tags_column and isinstance(odd, int) else "")
            return name, f"expected a list of strings, got a list with {type(odd).__name__} {odd!r}{hint}"
    if not tokens:
        return tokens_column, "no tokens"
    if len(tokens) != len(tags):
        return tags_column, f"{len(tokens)} tokens but {len(tags)} tags"
    for j, t in enumerate(tokens):
        if not t or any(c.isspace() for c in t):
            return tokens_column, f"token {j} ({t!r}) is empty or contains whitespace"
    if tag_set is not None:
        unknown = sorted({t for t in tags if is_entity(t)} - set(tag_set))
        if unknown:
            return tags_column, f"tags {unknown} are not ones the model was fine-tuned on ({', '.join(tag_set)})"
    return None


def check_record(path: Any, row_no: int, row: dict[str, Any], tokens_column: str, tags_column: str,
                 tag_set: Sequence[str] | None = None) -> None:
    """One clear error for a malformed token/tag record (file, 1-based row, field)."""
    problem = record_problem(row, tokens_column, tags_column, tag_set)
    if problem:
        raise InputError(path, problem[1], row=row_no, field=problem[0])


def marker_tokens(tags: Sequence[str]) -> dict[str, str]:
    """MELM's marker token for each entity tag."""
    from maskaug.conditioning import Conditioning

    return {t: Conditioning.token_for(t) for t in tags}


@register
class TaggedRecord(RecordType):
    """A list of tokens and one BIO tag per token; outputs keep the token count and every tag."""

    name = "tagged"
    priority = 10
    sentence_label = False

    def __init__(self, tokens_column: str = "tokens", tags_column: str = "tags", names: Sequence[str] | None = None):
        self.tokens_column, self.tags_column = tokens_column, tags_column
        self.names = list(names) if names is not None else None  # a 🤗 dataset's tag names, when tags are ids
        self.where = "context"
        self.markers: dict[str, str] | None = None
        self.tag_set: list[str] | None = None

    @classmethod
    def detect(cls, row, options: Options):
        if options.record not in (None, cls.name):
            return None
        # "ner_tags": 🤗 datasets' name for them (conll2003, wikiann, wnut_17), when a row has no "tags"
        default = "ner_tags" if row is not None and "tags" not in row and "ner_tags" in row else "tags"
        tokens, tags = options.tokens_column or "tokens", options.tags_column or default
        explicit = bool(options.tokens_column or options.tags_column) or options.record == cls.name
        if explicit and options.text_columns:
            raise ValueError("give either --text-column (text records) or --tokens-column/--tags-column "
                             "(token/tag records)")
        looks = row is not None and isinstance(row.get(tokens), list) and tags in row
        if explicit or (looks and not options.text_columns):
            return cls(tokens, tags, dict(options.tag_names).get(tags))
        return None

    @property
    def fields(self) -> list[str]:
        return [self.tokens_column]

    def columns(self) -> list[str]:
        return [self.tokens_column, self.tags_column]

    def describe(self) -> str:
        return f"token/tag records ({self.tokens_column}, {self.tags_column})"

    def accepts(self, caps: Capabilities, constraints=()) -> str | None:
        if caps.inserts:
            return "insertion adds tokens without tags; use a substituting method on token/tag records"
        judged = [c for c in constraints if c in ("teacher", "similarity")]
        if judged:
            return "the teacher and similarity constraints judge sentence labels; NER records have tags"
        return None

    def bind(self, caps: Capabilities, conditioning=None) -> None:
        self.where = "entities" if caps.edits == "entities" else "context"
        melm = conditioning is not None and conditioning.kind == "melm"
        self.markers = dict(conditioning.label_tokens) if melm else None
        self.tag_set = list(conditioning.labels) if melm else None
        if self.where == "entities" and self.markers is None:
            raise ValueError("this method needs a model fine-tuned with `maskaug finetune --conditioning melm`")

    def _ids(self, row) -> bool:
        """Whether ``row``'s tags are ids of the dataset's tag names (a 🤗 ``ClassLabel``), not names."""
        tags = row.get(self.tags_column)
        return self.names is not None and isinstance(tags, list) and bool(tags) and all(
            isinstance(t, int) and not isinstance(t, bool) for t in tags)

    def _named(self, row) -> list[str]:
        tags = row[self.tags_column]
        return [self.names[t] for t in tags] if self._ids(row) else tags

    def check(self, row):
        if self._ids(row):
            wrong = [t for t in row[self.tags_column] if not 0 <= t < len(self.names)]
            if wrong:
                return self.tags_column, f"tag id {wrong[0]} is not one of the dataset's {len(self.names)} tag names"
            row = {**row, self.tags_column: self._named(row)}
        return record_problem(row, self.tokens_column, self.tags_column, self.tag_set)

    def view(self, row) -> View:
        lin = linearize(row[self.tokens_column], self._named(row), self.where, self.markers)
        return View({"text": lin.text}, {"text": lin.protected}, lin)

    def rebuild(self, row, view, texts, edits):
        tokens, tags, changes = realign(view.state, row[self.tokens_column], edits, self._named(row))
        out = {**row, self.tokens_column: tokens}
        if len(tokens) != len(row[self.tokens_column]):
            out[self.tags_column] = [self.names.index(t) for t in tags] if self._ids(row) else tags
        return out, changes

    def judged(self, texts):
        return texts["text"]

    def preview(self, row, out):
        return [(" ".join(row[self.tokens_column]), " ".join(out[self.tokens_column]))]
