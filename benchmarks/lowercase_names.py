"""Can a lexicon find the names of lowercased text? SNIPS's slot tags against WordNet (issue 35, "every name kept").

    python benchmarks/lowercase_names.py ../shared/data/snips/train.jsonl --rows 3000
    python benchmarks/lowercase_names.py ../shared/data/snips/train.jsonl ../shared/data/snips/test.jsonl \\
        --round benchmarks/judged/round6 --round benchmarks/judged/round8 ...

maskaug keeps a name by its capital letters; SNIPS's commands are lowercased. Two list-free signals a rule could use
for the gap between two lowercased words, read against the file's BIO tags (a gap is inside an entity when the word
after it is tagged ``I-``):

* **both proper**: each word is one WordNet knows only spelled with a capital ("clinton", "england"), or one it does
  not know at all ("westbam", "beyonce");
* **collocation**: WordNet has the two words as one entry ("west virginia", "video game");
* **truecase** (with ``--truecase``; ``pip install truecase==0.0.14`` in its own environment, not a maskaug
  dependency): the n-gram truecaser from PyPI, read through its token API (which needs no NLTK download), gives both
  words a capital (a word it does not know is title-cased).

Prints, per signal, the share of gaps inside an entity it flags (recall) and of gaps outside one (false alarms) on
``--rows`` rows of the files after a seeded shuffle; with ``--round``, how many of the judged ``insert.v5`` outputs
that put a word inside an entity each signal would have caught.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

from entity_edits import inside, word_starts

from maskaug.methods.eda import wordnet
from maskaug.wordclass import closed_class, numeric


def proper(word: str) -> bool:
    """A lowercased word WordNet knows only as a name, or does not know (letters only, 3+ of them)."""
    if not word.isalpha() or closed_class(word) or numeric(word):
        return False
    if not wordnet().synsets(word):
        return len(word) > 2
    return capitalized_only(word)


def capitalized_only(word: str) -> bool:
    """Whether WordNet knows ``word`` only spelled with a capital ("clinton", "indian")."""
    forms = [name for s in wordnet().synsets(word) for name in s.lemma_names() if name.lower() == word.lower()]
    return bool(forms) and all(f[0].isupper() for f in forms)


def collocation(a: str, b: str) -> bool:
    """Whether WordNet has ``a b`` as one entry."""
    return a.isalpha() and b.isalpha() and bool(wordnet().synsets(f"{a}_{b}"))


SIGNALS = {"both proper": lambda a, b: proper(a) and proper(b), "collocation": collocation,
           "either": lambda a, b: (proper(a) and proper(b)) or collocation(a, b)}


def _on_pair(pair):
    """A signal of two words as a signal of the gap before word ``i`` of ``words``."""
    return lambda words, i: pair(words[i - 1], words[i])


def truecase_signal():
    """The truecase signal for the gap before word ``i`` of ``words``: both words cased as names."""
    from truecase.TrueCaser import TrueCaser

    caser, cache = TrueCaser(), {}

    def signal(words: list[str], i: int) -> bool:
        key = tuple(words)
        if key not in cache:
            cache[key] = [k > 0 and w[:1].isupper() for k, w in enumerate(caser.get_true_case_from_tokens(words))]
        return cache[key][i - 1] and cache[key][i]

    return signal


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("tagged", type=Path, nargs="+", help="JSONL files with text and slots (BIO per whitespace word)")
    ap.add_argument("--rows", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--round", type=Path, action="append", default=[], help="a judged round's folder")
    ap.add_argument("--truecase", action="store_true", help="also the truecase package's signal (installed apart)")
    a = ap.parse_args()
    signals = {name: _on_pair(f) for name, f in SIGNALS.items()}
    if a.truecase:
        signals["truecase"] = truecase_signal()
    rows = [r for f in a.tagged for r in map(json.loads, f.open()) if "slots" in r]
    tags = {r["text"]: r["slots"] for r in rows}
    random.Random(a.seed).shuffle(rows)
    counts = {(name, side): 0 for name in signals for side in (True, False)}
    gaps = {True: 0, False: 0}
    for r in rows[: a.rows]:
        words, tagged = r["text"].split(), r["slots"]
        if len(words) != len(tagged):
            continue
        for i in range(1, len(words)):
            side = tagged[i].startswith("I-")
            gaps[side] += 1
            for name, signal in signals.items():
                counts[(name, side)] += signal(words, i)
    print(f"{gaps[True]} gaps inside an entity, {gaps[False]} outside")
    for name in signals:
        print(f"{name}: flags {counts[(name, True)] / gaps[True]:.1%} of the gaps inside an entity, "
              f"{counts[(name, False)] / gaps[False]:.1%} of those outside")
    caught = {name: 0 for name in signals}
    total = 0
    for folder in a.round:
        source = [json.loads(line) for line in (folder / "rows.jsonl").open() if line.strip()]
        for out in map(json.loads, (folder / "out_insert.v5.jsonl").open()):
            text = source[out["aug_source_row"]]["text"]
            if text not in tags:
                continue
            starts, words = word_starts(text), text.split()
            for edit in out["aug_edits"]:
                if edit["old"] == "" and inside(edit, starts, tags[text]):
                    j = starts.index(edit["start"])
                    total += 1
                    for name, signal in signals.items():
                        caught[name] += signal(words, j)
    if a.round:
        print(f"judged insert.v5 insertions inside an entity: {total}; caught: "
              + ", ".join(f"{name} {n}" for name, n in caught.items()))


if __name__ == "__main__":
    main()
