"""How often a judged round's outputs edit inside a tagged entity of a lowercased text (issue 35's "every name kept").

    python benchmarks/entity_edits.py benchmarks/judged/round10 ../shared/data/snips/{train,test}.jsonl

maskaug keeps names by their capital letters; SNIPS's commands are lowercased, so a title or a place ("this is
england", "cold creek conservation area") looks like any other words. The SNIPS file's BIO tags (``slots``, one per
whitespace word) say where the entities are: per system, the outputs of the round's rows found in that file, how many
put a new word between two words of one entity or replace a word of one, and how many of those a judge still kept.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from judge_outputs import judged


def word_starts(text: str) -> list[int]:
    """Where each whitespace-separated word of ``text`` starts."""
    out, pos = [], 0
    for word in text.split():
        pos = text.index(word, pos)
        out.append(pos)
        pos += len(word)
    return out


def inside(edit: dict, starts: list[int], tags: list[str]) -> bool:
    """Whether ``edit`` (an ``aug_edits`` entry) inserts between two words of one entity or replaces one's word."""
    if edit["start"] not in starts:
        return False
    j = starts.index(edit["start"])
    return tags[j].startswith("I-") if edit["old"] == "" else tags[j] != "O"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("round", type=Path)
    ap.add_argument("tagged", type=Path, nargs="+", help="JSONL files with text and slots (BIO per whitespace word)")
    a = ap.parse_args()
    tags = {r["text"]: r["slots"] for f in a.tagged for r in map(json.loads, f.open()) if "slots" in r}
    rows = [json.loads(line) for line in (a.round / "rows.jsonl").open() if line.strip()]
    verdicts = {(k["system"], k["i"]): v for k, v in judged(a.round)}
    for path in sorted(p for p in a.round.glob("out_*.jsonl") if not p.name.endswith(".shortfall.jsonl")):
        system = path.name.removeprefix("out_").removesuffix(".jsonl")
        found = hit = kept = 0
        for out in map(json.loads, path.open()):
            i = out["aug_source_row"]
            text = rows[i]["text"]
            if text not in tags:
                continue
            found += 1
            starts = word_starts(text)
            if any(inside(e, starts, tags[text]) for e in out["aug_edits"]):
                hit += 1
                kept += verdicts[(system, i)]["fluency"] != "broken"
        if found:
            print(f"{system}: {found} outputs of tagged rows, {hit} edit inside an entity ({hit / found:.0%}), "
                  f"{kept} of those judged acceptable")


if __name__ == "__main__":
    main()
