"""Where a new word goes and what it is, read off insert outputs already judged blind (issue 35, before insert.v6).

    python benchmarks/insert_positions.py --rounds round3 round4 round6 round8 round9 round10 round11

For every judged ``insert`` output (``.v3`` and later, not nlpaug) that only inserts whole words, per round and
pooled: the share judged broken among the outputs that

* insert a word WordNet knows only as a noun or a verb (``maskaug.methods.fluent.modifier`` says no: round 9's
  ``modifiers_only``),
* insert a word right before a preposition (``maskaug.wordclass.preposition``: "ways capable of", "restricted
  directly to") and no noun or verb,
* do neither.

No model is loaded; the rules' own functions decide, on the judged text split on spaces.
"""

from __future__ import annotations

import argparse
import difflib
from pathlib import Path

from judge_outputs import judged

from maskaug.methods.fluent import modifier
from maskaug.text import normalize
from maskaug.wordclass import preposition

JUDGED = Path(__file__).resolve().parent / "judged"


def insertions(original: str, new: str) -> list[tuple[str, str]] | None:
    """(inserted word, the word right after it) for each word ``new`` adds to ``original``; None when ``new``
    also deletes or replaces words."""
    src, out = original.split(), new.split()
    ops = difflib.SequenceMatcher(a=src, b=out, autojunk=False).get_opcodes()
    if any(op not in ("equal", "insert") for op, *_ in ops):
        return None
    return [(out[j], out[j + 1] if j + 1 < len(out) else "") for op, _, _, b1, b2 in ops if op == "insert"
            for j in range(b1, b2)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", nargs="+", default=["round3", "round4", "round6", "round8", "round9", "round10",
                                                    "round11"])
    a = ap.parse_args()
    groups: dict[str, dict[str, list[bool]]] = {}
    for rnd in a.rounds:
        for k, verdict in judged(JUDGED / rnd):
            system = k["system"]
            if not system.startswith("insert") or ".v2" in system or ".v1" in system:
                continue
            added = insertions(k["original"], k["new"])
            if not added:
                continue
            head = any(not modifier(normalize(w)) for w, _ in added)
            before = any(preposition(nxt) for _, nxt in added)
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
