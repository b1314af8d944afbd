"""Build the English training corpus for the built-in MLM from Debian packages.

Sources (install with ``apt-get install wordnet-base dict-gcide fortunes fortunes-min``):

* WordNet 3.0 glosses and usage examples (``/usr/share/wordnet/data.*``, WordNet licence);
* GCIDE, the GNU Collaborative International Dictionary of English
  (``/usr/share/dictd/gcide.dict.dz``, GPL): definitions and literary quotations;
* the ``fortunes`` collections (``/usr/share/games/fortunes``, public domain / BSD).

None of these contain the benchmark datasets under ``shared/data``, so the model never sees
SST-2, TREC, SNIPS, SICK or CoNLL text. Output: one sentence per line, deduplicated, shuffled
with a fixed seed.

    python tools/default_model/corpus.py -o corpus.txt
"""

from __future__ import annotations

import argparse
import gzip
import random
import re
from pathlib import Path

WORDNET = Path("/usr/share/wordnet")
GCIDE = Path("/usr/share/dictd/gcide.dict.dz")
FORTUNES = Path("/usr/share/games/fortunes")
_WORDY = re.compile(r"^[A-Za-z][A-Za-z0-9 ,;:'\"()!?.\-]+$")


def wordnet_sentences() -> list[str]:
    out = []
    for pos in ("noun", "verb", "adj", "adv"):
        for line in (WORDNET / f"data.{pos}").read_text(encoding="latin-1").splitlines():
            if line.startswith("  ") or "|" not in line:
                continue
            gloss = line.split("|", 1)[1].strip()
            for part in gloss.split(";"):
                part = part.strip()
                if part.startswith('"') and part.endswith('"'):
                    part = part.strip('"')
                if len(part.split()) >= 4:
                    out.append(part)
    return out


def gcide_sentences() -> list[str]:
    text = gzip.open(GCIDE, "rt", encoding="utf-8", errors="replace").read()
    out = []
    for block in re.split(r"\n\s*\n", text):
        lines = [ln.strip() for ln in block.splitlines()]
        lines = [ln for ln in lines if ln and not ln.startswith("[") and "\\" not in ln]
        joined = " ".join(lines)
        joined = re.sub(r"--\s*[A-Z][\w. ]*\.?$", "", joined)  # trailing "--Author."
        joined = re.sub(r"\[[^\]]*\]|\{|\}", "", joined)
        joined = re.sub(r"^\d+\.\s*", "", joined)
        joined = re.sub(r"\s+", " ", joined).strip()
        if len(joined.split()) >= 5 and _WORDY.match(joined):
            out.append(joined)
    return out


def fortune_sentences() -> list[str]:
    out = []
    for path in sorted(FORTUNES.iterdir()):
        if path.suffix or not path.is_file():
            continue
        raw = path.read_text(encoding="utf-8", errors="replace")
        for entry in raw.split("\n%\n"):
            body = re.sub(r"\s+", " ", entry).strip()
            body = re.sub(r"\s*--\s*[^-]+$", "", body)
            if 5 <= len(body.split()) <= 80:
                out.append(body)
    return out


def build(seed: int = 0) -> list[str]:
    seen: set[str] = set()
    lines = []
    for sent in wordnet_sentences() + gcide_sentences() + fortune_sentences():
        key = sent.lower()
        if key not in seen:
            seen.add(key)
            lines.append(sent)
    random.Random(seed).shuffle(lines)
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-o", "--output", type=Path, required=True)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    lines = build(args.seed)
    args.output.write_text("\n".join(lines) + "\n", encoding="utf-8")
    words = sum(len(s.split()) for s in lines)
    print(f"wrote {len(lines)} sentences, {words} words to {args.output}")


if __name__ == "__main__":
    main()
