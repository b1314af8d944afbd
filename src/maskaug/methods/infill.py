"""Variable-length span infill with a masked LM (the Mask-then-Fill / GENIUS family).

``infill.v1`` replaces a contiguous run of words with a run of a *different or equal* length:

1. **Span.** ``spans`` runs of adjacent eligible words (the masker's rules: never punctuation, negations,
   protected spans such as a row's label words or a QA answer or NER entities; a run never crosses them),
   each of ``m = clamp(round(rate × eligible words), 1, max_span)`` words where the text has that many.
2. **Length.** The new length is ``m' = m + d`` with ``d`` drawn from ``shift`` (default: −2 … +2 with
   probabilities 0.1 / 0.2 / 0.4 / 0.2 / 0.1), at least 0 and at most ``max_span + 2``. ``m' = 0`` deletes
   the run, but only when the text still reads well without it by the model's score: the word after the gap
   (before it, at the end of a text), masked with the run removed, must be among the model's
   ``delete_top_k`` best fills; otherwise ``m' = 1``.
3. **Fill.** The run is removed and refilled by sequential mask insertion: one mask where the next word
   goes, after the words already placed, filled, then the next, ``m'`` times, so each new word is conditioned
   on the ones before it and on the text after the run (a run not reached yet shows one mask); every round is
   one batched pass over all rows. The first word of a run of the same length never repeats the word it
   replaces, so the run changes, and no new word repeats the word before it.

``sketch=true`` is the GENIUS-style sketch mode: the text's anchors are kept — protected spans (label words,
negations, entities, answers), punctuation, and the ``keep`` share of the remaining words that carry the most
content (not stopwords, longest first) — and every run of words between anchors is regenerated at once,
each with its own length draw, within ``budget`` × the source's word count in total.

Each run becomes one ``Edit`` that may change the text's length (a deletion takes the
space before or after the run with it), so outputs splice back byte-exactly from their edits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from maskaug.fill import Sampler, normalize
from maskaug.masking import Masker
from maskaug.methods.base import Capabilities, Draft, Job
from maskaug.methods.fluent import ClosingQuery, closing_failures, masked_at
from maskaug.methods.mask_fill import draft_of, mark_short
from maskaug.model.vocab import CONTINUATION, START, TokenizerInfo
from maskaug.sentence import closing_piece, neighbours, opens_sentence
from maskaug.splice import Edit, match_case
from maskaug.text import has_alnum
from maskaug.wordclass import closed_class, numeric

if TYPE_CHECKING:  # torch is imported only when a method fills with a model
    from maskaug.document import Doc
    from maskaug.model.engine import FillEngine

SHIFT = ((-2, 0.1), (-1, 0.2), (0, 0.4), (1, 0.2), (2, 0.1))
SKIP = -1  # a mask no acceptable candidate could fill: dropped


@dataclass
class Run:
    """One run of words of one field to regenerate: words ``[first, last)`` and the new length."""

    field: str
    first: int  # word indexes
    last: int
    length: int  # m'
    fills: list[int | None] = field(default_factory=list)  # token ids, None while masked
    scores: list[float] = field(default_factory=list)
    check: bool = False  # a deletion that waits for the model's verdict
    allowed: int | None = None  # sketch: new words all runs of this field may have together


@dataclass
class SpanInfill:
    """Replace runs of words with model-filled runs of a drawn length (see the module's description)."""

    name: str = "infill.v1"
    masker: Masker = field(default_factory=Masker)
    sampler: Sampler = field(default_factory=Sampler)
    spans: int = 1
    max_span: int = 6
    shift: tuple[tuple[int, float], ...] = SHIFT
    delete_top_k: int = 5
    sketch: bool = False
    keep: float = 0.6
    budget: float = 1.2
    stopwords: frozenset[str] = frozenset()  # what sketch mode never counts as content
    repeats: bool = True  # False: a run's last word never equals the word after the run either
    edges: bool = True  # False: a run that opens a sentence is never deleted (the next word would open it)
    closing_drop: float | None = None  # the closing check (maskaug.methods.fluent); None: off
    min_prob: float | None = None  # a run with a word the model gives less probability is left as it was

    def __post_init__(self) -> None:
        if self.spans < 1 or self.max_span < 1:
            raise ValueError("spans and max_span must be >= 1")
        probs = [p for _, p in self.shift]
        if not self.shift or min(probs) < 0 or not math.isclose(sum(probs), 1.0, abs_tol=1e-6):
            raise ValueError("shift must be (offset, probability) pairs whose probabilities sum to 1")
        if not 0.0 <= self.keep <= 1.0 or self.budget <= 0:
            raise ValueError("keep must be in [0, 1] and budget > 0")
        if self.delete_top_k < 0:
            raise ValueError("delete_top_k must be >= 0 (0: never delete)")

    @property
    def capabilities(self) -> Capabilities:
        """Needs the masked LM; any word may change and the text may grow or shrink."""
        return Capabilities(needs_model=True, edits="any", resizes=True)

    def describe(self) -> str:
        """One line: what is regenerated and how."""
        sampler = repr(self.sampler).removeprefix("Sampler(").removesuffix(")")
        if self.sketch:
            what = f"sketch: keep anchors and {self.keep:.0%} of content words, regenerate the rest"
        else:
            what = f"{self.spans} span{'s' if self.spans != 1 else ''} of ~{self.masker.rate:.0%} of words"
        return f"{self.name} ({what}, length shift {self._shift_text()}, filled one by one, {sampler})"

    def _shift_text(self) -> str:
        return "/".join(f"{d:+d}:{p:g}" for d, p in self.shift)

    def __repr__(self) -> str:
        lines = [f"SpanInfill({self.name}", f"  masker={self.masker!r}", f"  sampler={self.sampler!r}",
                 f"  shift={self._shift_text()}", f"  delete_top_k={self.delete_top_k}"]
        lines.append(f"  sketch keep={self.keep:g} budget={self.budget:g}" if self.sketch
                     else f"  spans={self.spans} max_span={self.max_span}")
        if not self.repeats:
            lines.append("  no twin neighbours")
        if not self.edges:
            lines.append("  a sentence's first word is never deleted")
        if self.closing_drop is not None:
            lines.append(f"  closing check: punctuation may fall {self.closing_drop:g} nats")
        if self.min_prob is not None:
            lines.append(f"  a run is used when each new word has probability >= {self.min_prob:g}")
        return ",\n".join(lines) + ")"

    # ------------------------------------------------------------------ planning
    def _eligible(self, doc: Doc, protected) -> list[int]:
        return self.masker.eligible_words(doc, self.masker.protected_spans(doc.text, protected))

    @staticmethod
    def _runs_of(words: list[int]) -> list[list[int]]:
        """Maximal runs of consecutive word indexes."""
        runs: list[list[int]] = []
        for w in words:
            if runs and runs[-1][-1] == w - 1:
                runs[-1].append(w)
            else:
                runs.append([w])
        return runs

    def _length(self, m: int, rng: np.random.Generator) -> int:
        offsets, probs = zip(*self.shift)
        d = offsets[int(rng.choice(len(offsets), p=np.asarray(probs) / sum(probs)))]
        return int(min(max(0, m + d), self.max_span + 2))

    def _plan_spans(self, f: str, doc: Doc, job: Job) -> list[Run]:
        words = self._eligible(doc, job.protected.get(f, ()))
        if not words:
            return []
        m = min(self.max_span, max(1, self.masker.count(len(words))))
        free = self._runs_of(words)
        runs: list[Run] = []
        for _ in range(self.spans):
            starts = [(ri, k) for ri, run in enumerate(free) for k in range(max(1, len(run) - m + 1))]
            if not starts:
                break
            ri, k = starts[int(job.rng.integers(len(starts)))]
            run = free[ri]
            chosen = run[k : k + m]
            runs.append(Run(f, chosen[0], chosen[-1] + 1, self._length(len(chosen), job.rng)))
            free = [r for r in free[:ri] + [run[: max(0, k - 1)], run[k + m + 1:]] + free[ri + 1:] if r]
        return sorted(runs, key=lambda r: r.first)

    def _plan_sketch(self, f: str, doc: Doc, job: Job) -> list[Run]:
        words = self._eligible(doc, job.protected.get(f, ()))
        content = [w for w in words if doc.words[w].text(doc).casefold() not in self.stopwords]
        n_keep = math.floor(self.keep * len(content) + 0.5)
        order = sorted(content, key=lambda w: (-len(doc.words[w].text(doc)), w))
        kept = set(order[:n_keep])
        gaps = self._runs_of([w for w in words if w not in kept])
        total = sum(1 for w in doc.words if has_alnum(w.text(doc)))
        allowed = math.floor(self.budget * total + 0.5) - (total - sum(len(g) for g in gaps))
        runs = [Run(f, gap[0], gap[-1] + 1, self._length(len(gap), job.rng), allowed=max(0, allowed))
                for gap in gaps]
        self._trim(runs)
        return runs

    @staticmethod
    def _trim(runs: list[Run]) -> None:
        """Shorten the longest runs, one word at a time, until the field's runs fit their budget (a run the
        model would not let go keeps one word, so a budget smaller than the runs' count cannot be met)."""
        if not runs or runs[0].allowed is None:
            return
        while sum(r.length for r in runs) > runs[0].allowed:
            longest = max(runs, key=lambda r: (r.length, -r.first))
            if longest.length <= 1:
                break
            longest.length -= 1
            longest.fills = [None] * longest.length

    def plan(self, job: Job) -> list[Run]:
        """The runs one attempt regenerates (empty for a text too short to change)."""
        runs: list[Run] = []
        for f, doc in job.docs.items():
            if self.masker.too_short(doc):
                continue
            runs += self._plan_sketch(f, doc, job) if self.sketch else self._plan_spans(f, doc, job)
        for run in runs:
            if run.length == 0:
                doc = job.docs[run.field]
                run.check = (self.delete_top_k > 0 and len(doc.words) > run.last - run.first
                             and (self.edges or not opens_sentence(doc, run.first)))
                if not run.check:
                    run.length = 1
            if run.length == 0 and not self.repeats:  # a deletion that would make "the the" keeps one word
                before, after = self._around(job.docs[run.field], run)
                if before is not None and after is not None and normalize(before) == normalize(after):
                    run.length, run.check = 1, False
            run.fills = [None] * run.length
        return runs

    @staticmethod
    def _around(doc: Doc, run: Run) -> tuple[str | None, str | None]:
        """The nearest words with a letter or digit before and after ``run``."""
        words = doc.words
        return neighbours(doc, words[run.first].start, words[run.last - 1].end)

    # ------------------------------------------------------------------ model queries
    @staticmethod
    def _ids(doc: Doc, runs: list[Run], info: TokenizerInfo, masked: tuple[Run, int] | None = None,
             closed: Run | None = None) -> tuple[list[int], int | None]:
        """Piece ids of ``doc`` with each run replaced by its fills (masks where not yet filled); with
        ``closed``, that run removed and the word after (or before) the gap masked. Returns the ids and the
        position to predict."""
        out: list[int] = []
        at = None
        pos = 0
        words = doc.words
        for run in runs:
            first, last = words[run.first].first, words[run.last - 1].last
            out.extend(doc.ids[pos:first])
            if run is closed:
                pos = last
                if run.last < len(words):  # mask the word after the gap: its first piece
                    nxt = words[run.last]
                    at = len(out)
                    out.append(info.mask_id)
                    out.extend(doc.ids[nxt.first + 1 : nxt.last])
                    pos = nxt.last
                else:  # at the end: mask the word before the gap
                    prev = words[run.first - 1]
                    start = len(out) - (prev.last - prev.first)
                    out[start] = info.mask_id
                    at = start
                continue
            current = masked is not None and masked[0] is run
            if current:  # the fills so far and one mask: sequential mask insertion
                out.extend(t for t in run.fills[: masked[1]] if t != SKIP)
                at = len(out)
                out.append(info.mask_id)
            elif all(t is None for t in run.fills):  # not reached yet: one mask says "something goes here"
                out.extend([info.mask_id] if run.fills else [])
            else:
                out.extend(t for t in run.fills if t is not None and t != SKIP)
            pos = last
        out.extend(doc.ids[pos:])
        return out, at

    def _deletions(self, jobs, plans, info, engine) -> None:
        from maskaug.model.engine import FillRequest

        keys, requests = [], []
        for job, runs in zip(jobs, plans):
            for run in runs:
                if not run.check:
                    continue
                doc = job.docs[run.field]
                mine = [r for r in runs if r.field == run.field]
                ids, at = self._ids(doc, mine, info, closed=run)
                word = doc.words[run.last] if run.last < len(doc.words) else doc.words[run.first - 1]
                keys.append((run, doc.ids[word.first]))
                requests.append(FillRequest(ids, [at], [START if info.is_start[doc.ids[word.first]] else CONTINUATION],
                                            [False], job.prefix, job.label_id))
        for (run, original), cand in zip(keys, engine.predict(requests) if requests else []):
            ids, _ = cand[0]
            run.check = False
            if original not in ids[: self.delete_top_k].tolist():
                run.length, run.fills = 1, [None]

    def _reject(self, info: TokenizerInfo, old: str | None, before: str | None, after: str | None = None):
        no_closed, no_numbers = self.masker.function_words, self.masker.numbers

        def reject(token_id: int) -> bool:
            form = info.fill_form(token_id)
            if form is None or not any(c.isalnum() for c in form):
                return True
            if (no_closed and (closed_class(form) or len(form) < 2)) or (no_numbers and numeric(form)):
                return True
            # never the replaced word's twin, never "again again" (nor "river River" with repeats=False)
            return form == old or form == before or (after is not None and form == after)

        return reject

    # ------------------------------------------------------------------ main
    def generate(self, jobs: list[Job], info: TokenizerInfo, engine: FillEngine | None) -> list[Draft]:
        """One candidate per job: each chosen span replaced by a run of drawn length, filled left to right."""
        if engine is None:
            raise ValueError(f"method {self.name} needs a masked LM")
        from maskaug.model.engine import FillRequest

        plans = [self.plan(job) for job in jobs]
        self._deletions(jobs, plans, info, engine)
        for runs in plans:  # a refused deletion took a word: the sketch's budget again
            for f in {r.field for r in runs}:
                self._trim([r for r in runs if r.field == f])
        slots = [[(run, j) for run in runs for j in range(run.length)] for runs in plans]
        rounds = max((len(s) for s in slots), default=0)
        for step in range(rounds):  # the step-th mask of every text, left to right
            keys, requests = [], []
            for job, runs, mine in zip(jobs, plans, slots):
                if step >= len(mine):
                    continue
                run, j = mine[step]
                if run.fills[j] == SKIP:  # the run was given up (min_prob)
                    continue
                doc = job.docs[run.field]
                ids, at = self._ids(doc, [r for r in runs if r.field == run.field], info, masked=(run, j))
                keys.append((job, run, j))
                requests.append(FillRequest(ids, [at], [START], [True], job.prefix, job.label_id))
            for (job, run, j), cand in zip(keys, engine.predict(requests)):
                doc = job.docs[run.field]
                same = j == 0 and run.length == run.last - run.first
                old = normalize(doc.words[run.first].text(doc)) if same else None
                placed = [t for t in run.fills[:j] if t != SKIP]
                before = info.fill_form(placed[-1]) if placed else (
                    normalize(doc.words[run.first - 1].text(doc)) if run.first > 0 else None)
                after = None
                if not self.repeats:  # the nearest words, across punctuation ("heart, heart")
                    edge_before, edge_after = self._around(doc, run)
                    if not placed and edge_before is not None:
                        before = normalize(edge_before)
                    if j == run.length - 1 and edge_after is not None:
                        after = normalize(edge_after)
                ids, lps = cand[0]
                pick = self.sampler.choose(ids, lps, job.rng, self._reject(info, old, before, after))
                if pick is not None and self.min_prob is not None and lps[pick] < np.log(self.min_prob):
                    pick = None
                if pick is None:
                    if self.min_prob is not None:  # no probable word: the whole run stays as it was
                        run.fills = [SKIP] * run.length
                        run.scores = []
                    run.fills[j] = SKIP
                    continue
                run.fills[j] = int(ids[pick])
                run.scores.append(float(lps[pick]))
        self._closing(jobs, plans, info, engine)
        drafts = [draft_of(job, [e for run in runs if (e := self._edit(job, run, info)) is not None],
                           [s for run in runs for s in run.scores]) for job, runs in zip(jobs, plans)]
        mark_short(jobs, drafts, self.masker)
        return drafts

    def _closing(self, jobs, plans, info, engine) -> None:
        """Undo the runs that fail the closing check (``maskaug.methods.fluent``): their fills are dropped."""
        if self.closing_drop is None:
            return
        keys, queries = [], []
        for job, runs in zip(jobs, plans):
            for run in runs:
                doc = job.docs[run.field]
                k = doc.words[run.last - 1].last  # the piece after the run
                if run.length == 0 or not any(t is not None and t != SKIP for t in run.fills):
                    continue
                if not closing_piece(doc, k):
                    continue
                mine = [r for r in runs if r.field == run.field]
                upto = mine[: mine.index(run) + 1]
                edited, _ = self._ids(doc, upto, info)
                at = len(edited) - (len(doc.ids) - k)
                edited, _ = self._ids(doc, mine, info)
                keys.append(run)
                queries.append(ClosingQuery(masked_at(doc.ids, k, info.mask_id), k,
                                            masked_at(edited, at, info.mask_id), at, doc.ids[k],
                                            job.prefix, job.label_id))
        for run, failed in zip(keys, closing_failures(engine, info, queries, [self.closing_drop] * len(queries))):
            if failed:
                run.fills = [SKIP] * run.length
                run.scores = []

    @staticmethod
    def _edit(job: Job, run: Run, info: TokenizerInfo) -> Edit | None:
        doc = job.docs[run.field]
        text = doc.text
        words = doc.words
        start, end = words[run.first].start, words[run.last - 1].end
        if run.length == 0:  # deletion: the run and the space on one side (before it when what follows is
            # attached to it, like a full stop)
            if run.last < len(words) and (run.first == 0 or text[end:words[run.last].start].strip() == ""
                                          and end < words[run.last].start):
                end = words[run.last].start
            else:
                start = words[run.first - 1].end
            return Edit(run.field, start, end, text[start:end], "")
        surfaces = [info.surface(t) for t in run.fills if t is not None and t != SKIP]
        if not surfaces:
            return None
        surfaces[0] = match_case(surfaces[0], words[run.first].text(doc))
        old = text[start:end]
        new = ("" if _unspaced(old) else " ").join(surfaces)
        return Edit(run.field, start, end, old, new) if new != old else None


def _unspaced(text: str) -> bool:
    """Whether ``text`` is written without spaces between words (Chinese, Japanese, Thai, ...)."""
    import unicodedata

    from maskaug.masking import UNSPACED

    return not any(c.isspace() for c in text) and any(
        c.isalpha() and unicodedata.name(c, "").startswith(UNSPACED) for c in text)


def parse_shift(spec: str) -> tuple[tuple[int, float], ...]:
    """``"-1:0.25,0:0.5,1:0.25"`` -> ((-1, 0.25), (0, 0.5), (1, 0.25)); a ValueError naming the bad part."""
    out = []
    for part in filter(None, (p.strip() for p in str(spec).split(","))):
        d, sep, p = part.partition(":")
        try:
            out.append((int(d), float(p)))
        except ValueError:
            raise ValueError(f"parameter lengths: {part!r} is not OFFSET:PROBABILITY (e.g. -1:0.25)") from None
        if not sep:
            raise ValueError(f"parameter lengths: {part!r} is not OFFSET:PROBABILITY (e.g. -1:0.25)")
    return tuple(out)


def _register() -> None:
    from maskaug.methods.registry import _MASKING, _SAMPLING, FLUENT, PARAM_HELP, PARAM_TYPES, register

    PARAM_TYPES.update({"spans": (int,), "max_span": (int,), "lengths": (str,), "delete_top_k": (int,),
                        "sketch": (bool,), "keep": (float,), "budget": (float,)})
    PARAM_HELP.update({
        "spans": "how many runs of words one output regenerates",
        "max_span": "longest run regenerated (words); new runs are at most max_span + 2",
        "lengths": "the new run's length: offsets from the old length and their probabilities",
        "delete_top_k": "a run drawn to length 0 is deleted only if the word after the gap is among the model's "
                        "top k fills without it (0: never delete)",
        "sketch": "GENIUS-style sketch: keep anchors and the keep share of content words, regenerate every run "
                  "between them",
        "keep": "sketch: share of content words (not stopwords, longest first) kept as anchors",
        "budget": "sketch: at most this many times the source's words in the output"})
    masking = {k: v for k, v in _MASKING.items() if k not in ("min_count", "max_count", "stopwords")}
    params = {**masking, "rate": 0.2, **_SAMPLING, "spans": 1, "max_span": 6,
              "lengths": ",".join(f"{d}:{p:g}" for d, p in SHIFT), "delete_top_k": 5, "sketch": False, "keep": 0.6,
              "budget": 1.2}
    params.pop("rank")
    params.pop("strategy")

    doc = ("Variable-length span infill (Mask-then-Fill, Gao et al. 2022; GENIUS sketches, Guo et al. 2022): a run of "
           "~20% of the words becomes a run of a drawn length (often shorter or longer), filled left to right; "
           "sketch=true keeps anchors and regenerates the rest.")

    def build(name: str, kw: dict) -> SpanInfill:
        from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS  # here: scikit-learn takes seconds to import

        masker = Masker(unit="span", rate=kw["rate"], skip_punct=kw["skip_punct"], protect=tuple(kw["protect"]),
                        negations=kw["negations"], min_words=kw["min_words"], names=kw.get("names", False),
                        numbers=kw.get("numbers", False), function_words=kw.get("function_words", False),
                        whole_words=kw.get("whole_words", False))
        sampler = Sampler(top_k=kw["top_k"], top_p=kw["top_p"], temperature=kw["temperature"])
        return SpanInfill(name, masker, sampler, spans=kw["spans"], max_span=kw["max_span"],
                          shift=parse_shift(kw["lengths"]), delete_top_k=kw["delete_top_k"], sketch=kw["sketch"],
                          keep=kw["keep"], budget=kw["budget"], stopwords=frozenset(ENGLISH_STOP_WORDS),
                          repeats=kw.get("repeats", True), edges=kw.get("edges", True),
                          closing_drop=kw.get("closing_drop"), min_prob=kw.get("min_prob"))

    register("infill.v1", params, doc)(lambda **kw: build("infill.v1", kw))
    register("infill.v2", {**params, "edges": False, **FLUENT},
             doc + " v2: no run's last word equal to the word after it, no deleted first word of a sentence, no new "
             "word that leaves a clause unfinished before its punctuation.")(lambda **kw: build("infill.v2", kw))
    keeper = {"names": True, "numbers": True, "function_words": True, "whole_words": True, "min_prob": 0.04}
    register("infill.v3", {**params, "edges": False, **FLUENT, **keeper, "max_span": 2, "spans": 2,
                           "lengths": "-1:0.2,0:0.6,1:0.2"},
             doc + " v3: the v2 rules; names, numbers and function words kept and never made, whole words only, "
             "two runs of at most 2 words each, every new word probable (min_prob)."
             )(lambda **kw: build("infill.v3", kw))


_register()
