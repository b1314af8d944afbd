"""Obvious defects a reader spots in an output at once, found by comparing it with its source.

The checker is independent of the rules that generation follows (``maskaug.masking``, the closing-
punctuation check in ``maskaug.methods.mask_fill``): it reads only the two strings. Each kind is counted
only when the output has it and its source does not.

- ``start``: a new word before the source's first word (the output is longer and its second word is the
  source's first);
- ``lowercase_start``: the source starts with a capital letter and the output with a lower-case one;
- ``after_end``: a word after the punctuation that ends the source (``. ! ?``);
- ``repeat``: a word next to an equal word ("not not"), more often than in the source;
- ``dangling``: the last word before the closing punctuation (or the text's end) is a word that cannot end
  a clause (an article, a possessive determiner, a conjunction, "of", "very", a form of "be") and was not
  the source's last word;
- ``artefact``: a sub-word marker (``##``), a special token (``[UNK]``, ``<unk>``, ``[MASK]``, ``<mask>``) or
  a doubled space that the source does not have.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

KINDS = ("start", "lowercase_start", "after_end", "repeat", "dangling", "artefact")

_TOKEN = re.compile(r"\w+(?:[’']\w+)*|[^\w\s]")
_FINAL = re.compile(r"[.!?…][\"'”’)\]]*\s*$")
# words that do not end a clause in English; the checker's list, not a generation rule
_CANNOT_END = frozenset(
    "a an the my your our their its and or but nor of very than if because although whether whose "
    "is are was were".split())
_ARTEFACTS = ("##", "[UNK]", "<unk>", "[MASK]", "<mask>", "  ")


def _words(text: str) -> list[str]:
    return [t for t in _TOKEN.findall(text) if t[0].isalnum() or t[0] == "_"]


def _last_word(text: str) -> str | None:
    tokens = _TOKEN.findall(text)
    while tokens and not tokens[-1][0].isalnum():
        tokens.pop()
    return tokens[-1].casefold() if tokens else None


def _repeats(words: Sequence[str]) -> int:
    w = [x.casefold() for x in words]
    return sum(1 for a, b in zip(w, w[1:]) if a == b)


def _first_letter(text: str) -> str | None:
    return next((c for c in text if c.isalpha()), None)


def defects(source: str, output: str) -> list[str]:
    """The kinds of obvious defect ``output`` has that ``source`` does not (see the module doc)."""
    if output == source:
        return []
    found = []
    src_words, out_words = _words(source), _words(output)
    if (src_words and len(out_words) > len(src_words) and out_words[0].casefold() != src_words[0].casefold()
            and out_words[1].casefold() == src_words[0].casefold()):
        found.append("start")
    s, o = _first_letter(source), _first_letter(output)
    if s and o and s.isupper() and o.islower():
        found.append("lowercase_start")
    end = _FINAL.search(source)
    if end:
        tail = source[: end.start() + 1]
        idx = output.rfind(tail[-1]) if tail else -1
        if idx >= 0 and any(c.isalnum() for c in output[idx + 1:]):
            found.append("after_end")
    if _repeats(out_words) > _repeats(src_words):
        found.append("repeat")
    last = _last_word(output)
    if last in _CANNOT_END and last != _last_word(source):
        found.append("dangling")
    if any(a in output and output.count(a) > source.count(a) for a in _ARTEFACTS):
        found.append("artefact")
    return found


def defect_rates(pairs: Iterable[tuple[str, str]]) -> dict[str, float]:
    """Over (source, output) pairs: ``outputs``, ``defective`` (share with at least one defect) and the share of
    each kind in ``KINDS``."""
    counts: Counter[str] = Counter()
    total = bad = 0
    for source, output in pairs:
        total += 1
        found = defects(source, output)
        bad += bool(found)
        counts.update(found)
    out = {"outputs": float(total), "defective": bad / total if total else 0.0}
    out.update({k: counts[k] / total if total else 0.0 for k in KINDS})
    return out
