"""Three signals a rule for insertions could use, read off outputs already judged blind (issue 35, after v5).

    python benchmarks/slot_signals.py --rounds round3 round4 round6 round8

For every judged ``insert`` output (``.v3`` and later) that only inserts words: every gap between two words of the
source is masked alone and read by the built-in model. Per output, the AUC for "broken" of:

* **open slot**: the entropy of the model's distribution at the gap that got the new word (the issue's lever 1:
  prefer gaps where the model spreads its probability); the larger over the output's insertions;
* **generic filler**: the share of the text's gaps where the new word has probability >= 0.04 (a word that fits
  anywhere: "ever", "now", "always"); the larger over the output's insertions;
* **specificity**: log P(word | its gap) - log mean P(word | any gap of the text); the smaller, negated.
"""

from __future__ import annotations

import argparse
import difflib
import math
from pathlib import Path

import torch
from judge_outputs import judged
from sklearn.metrics import roc_auc_score

from maskaug.model.builtin import load_builtin

JUDGED = Path(__file__).resolve().parent / "judged"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", nargs="+", default=["round3", "round4", "round6", "round8"])
    a = ap.parse_args()
    model, tok = load_builtin()
    outputs = []
    for rnd in a.rounds:
        for k, verdict in judged(JUDGED / rnd):
            if not k["system"].startswith("insert") or ".v2" in k["system"]:
                continue
            src, new = k["original"].split(), k["new"].split()
            ops = difflib.SequenceMatcher(a=src, b=new, autojunk=False).get_opcodes()
            if any(op not in ("equal", "insert") for op, *_ in ops):
                continue
            added = [(a1 - 1, new[j]) for op, a1, a2, b1, b2 in ops if op == "insert" for j in range(b1, b2)]
            if added:
                outputs.append((k["original"], added, verdict["fluency"] == "broken"))
    gaps: dict[str, torch.Tensor] = {}
    rows = []
    for text, added, broken in outputs:
        if text not in gaps:
            words = text.split()
            seqs = [" ".join([*words[:i], tok.mask_token, *words[i:]]) for i in range(1, len(words))]
            enc = tok(seqs, return_tensors="pt", padding=True)
            with torch.inference_mode():
                logits = model(**enc).logits
            at = (enc["input_ids"] == tok.mask_token_id).nonzero()
            gaps[text] = logits[at[:, 0], at[:, 1]].softmax(-1)
        p = gaps[text]
        entropy, generic, specific = [], [], []
        for g, word in added:
            if not 0 <= g < len(p):
                continue
            entropy.append(float(-(p[g] * (p[g] + 1e-12).log()).sum()))
            ids = tok(word.lower(), add_special_tokens=False)["input_ids"]
            if len(ids) == 1:
                generic.append(float((p[:, ids[0]] >= 0.04).float().mean()))
                specific.append(math.log(float(p[g, ids[0]]) + 1e-9) - math.log(float(p[:, ids[0]].mean()) + 1e-9))
        if entropy and specific:
            rows.append((max(entropy), max(generic), -min(specific), broken))
    broken = [r[3] for r in rows]
    print(f"{len(rows)} judged insert outputs, {1 - sum(broken) / len(rows):.1%} acceptable")
    for name, i in (("open slot (entropy)", 0), ("generic filler (share of gaps)", 1), ("low specificity", 2)):
        print(f"{name}: AUC {roc_auc_score(broken, [r[i] for r in rows]):.3f}")


if __name__ == "__main__":
    main()
