"""Sentences with no sentence label, for judging outputs on other text (round 11): CoNLL-2003's Reuters sentences and
SICK's picture captions, as JSON Lines with a ``label`` of ``news`` or ``caption``.

    python benchmarks/news_captions.py --conll ../shared/data/conll2003/test.jsonl \\
        --sick ../shared/data/sick/test.jsonl --out /tmp
    python benchmarks/judge_outputs.py --data /tmp/news.jsonl --name news --data /tmp/captions.jsonl --name captions \\
        --rows 60 --seed 73 --method insert.v5 --method substitute.v4 --per-file 80 --out benchmarks/judged/round11

News: sentences of 10-40 tokens ending in . ? or !, three quarters of their tokens alphabetic (not the results
tables), detokenized with NLTK's Treebank detokenizer; the first 400 after a seeded shuffle. Captions: SICK's distinct
first sentences of 6+ words, a full stop added where missing; the first 300 after the same shuffle.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path


def news(path: Path, seed: int = 5, keep: int = 400) -> list[dict]:
    from nltk.tokenize.treebank import TreebankWordDetokenizer

    detok = TreebankWordDetokenizer()
    out = []
    for row in map(json.loads, path.open()):
        tokens = row["tokens"]
        if 10 <= len(tokens) <= 40 and tokens[-1] in ".?!" and sum(t.isalpha() for t in tokens) >= 0.75 * len(tokens):
            out.append({"text": detok.detokenize(tokens), "label": "news"})
    random.Random(seed).shuffle(out)
    return out[:keep]


def captions(path: Path, seed: int = 5, keep: int = 300) -> list[dict]:
    seen, out = set(), []
    for row in map(json.loads, path.open()):
        text = row["text_a"]
        if text not in seen and len(text.split()) >= 6:
            seen.add(text)
            out.append({"text": text if text.endswith(".") else text + ".", "label": "caption"})
    random.Random(seed).shuffle(out)
    return out[:keep]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--conll", type=Path, required=True)
    ap.add_argument("--sick", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    a = ap.parse_args()
    for name, rows in (("news", news(a.conll)), ("captions", captions(a.sick))):
        (a.out / f"{name}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))


if __name__ == "__main__":
    main()
