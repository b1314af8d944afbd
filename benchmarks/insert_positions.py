"""Where a new word goes and what it is, read off insert outputs already judged blind (issue 35, before insert.v6).

    python benchmarks/insert_positions.py --rounds round3 round4 round6 round8 round9 round10 round11

For every judged ``insert`` output (``.v3`` and later, not nlpaug) that only inserts whole words, per round and
pooled: the share judged broken among the outputs that

* insert a word WordNet knows only as a noun or a verb (``maskaug.methods.fluent.modifier`` says no: round 9's
  ``modifiers_only``),
* insert a word right before a preposition (``maskaug.wordclass.preposition``: "ways capable of", "restricted
  directly to") and no noun or verb,
* do neither.

No model is loaded; the rules' own functions decide, on the judged text split on spaces. ``--after`` also reads the
outputs of ``insert.v6`` (rounds 12-14) for two signals no rule uses yet: a new word that is a WordNet antonym of the
word next to it ("young old girl", "the best worst part"), and one WordNet knows only with a capital ("indian",
"english": a new nationality or name, lowercased).
"""

from __future__ import annotations

import argparse
import difflib
from pathlib import Path

from judge_outputs import judged
from lowercase_names import capitalized_only

from maskaug.methods.eda import wordnet
from maskaug.methods.fluent import modifier
from maskaug.text import normalize
from maskaug.wordclass import preposition

JUDGED = Path(__file__).resolve().parent / "judged"


def insertions(original: str, new: str) -> list[tuple[str, str, str]] | None:
    """(word before, inserted word, word after) for each word ``new`` adds to ``original`` ("" at an edge); None when
    ``new`` also deletes or replaces words."""
    src, out = original.split(), new.split()
    ops = difflib.SequenceMatcher(a=src, b=out, autojunk=False).get_opcodes()
    if any(op not in ("equal", "insert") for op, *_ in ops):
        return None
    return [(out[j - 1] if j else "", out[j], out[j + 1] if j + 1 < len(out) else "")
            for op, _, _, b1, b2 in ops if op == "insert" for j in range(b1, b2)]


def _clean(word: str) -> str:
    return normalize(word).strip(".,;:!?\"'()")


def opposite(a: str, b: str) -> bool:
    """Whether WordNet lists one word as an antonym of the other (an adjective satellite through its head)."""
    a, b = _clean(a), _clean(b)
    if not a or not b:
        return False

    def antonyms(word: str) -> set[str]:
        out = set()
        for sense in wordnet().synsets(word):
            heads = [sense, *sense.similar_tos()] if sense.pos() == "s" else [sense]
            for head in heads:
                for lemma in head.lemmas():
                    if head is sense and lemma.name().lower() != word:
                        continue
                    out |= {x.name().lower() for x in lemma.antonyms()}
        return out

    return b in antonyms(a) or a in antonyms(b)


def after(rounds: list[str]) -> None:
    """The two unused signals on insert.v6's judged outputs."""
    outs = []
    for rnd in rounds:
        for k, verdict in judged(JUDGED / rnd):
            if k["system"] in ("insert.v6", "insert.v5-mod-prep"):  # it only inserts
                outs.append((insertions(k["original"], k["new"]), verdict["fluency"] == "broken"))
    print(f"insert.v6, {len(outs)} judged outputs, {sum(b for _, b in outs) / len(outs):.0%} broken")
    for name, signal in (("antonym of a neighbour", lambda left, w, right: opposite(w, left) or opposite(w, right)),
                         ("known only with a capital", lambda left, w, right: capitalized_only(_clean(w)))):
        hit = [b for added, b in outs if any(signal(*x) for x in added)]
        print(f"{name}: {len(hit)} outputs, {sum(hit)} broken")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", nargs="+", default=["round3", "round4", "round6", "round8", "round9", "round10",
                                                    "round11"])
    ap.add_argument("--after", nargs="*", metavar="ROUND", help="insert.v6's rounds (default: round12-14)")
    a = ap.parse_args()
    if a.after is not None:
        after(a.after or ["round12", "round13", "round14"])
        return
    groups: dict[str, dict[str, list[bool]]] = {}
    for rnd in a.rounds:
        for k, verdict in judged(JUDGED / rnd):
            system = k["system"]
            if not system.startswith("insert") or ".v2" in system or ".v1" in system:
                continue
            added = insertions(k["original"], k["new"])
            if not added:
                continue
            head = any(not modifier(normalize(w)) for _, w, _ in added)
            before = any(preposition(nxt) for _, _, nxt in added)
            group = "noun or verb" if head else "before a preposition" if before else "neither"
            broken = verdict["fluency"] == "broken"
            for key in (rnd, "all"):
                groups.setdefault(key, {}).setdefault(group, []).append(broken)
                groups[key].setdefault("every output", []).append(broken)
    names = ("every output", "noun or verb", "before a preposition", "neither")
    print("| rounds | " + " | ".join(names) + " |")
    print("|---" * (len(names) + 1) + "|")
    for key in [*a.rounds, "all"]:
        cells = []
        for name in names:
            got = groups.get(key, {}).get(name, [])
            cells.append(f"{sum(got) / len(got):.0%} of {len(got)}" if got else "-")
        print(f"| {key} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
