"""What the context check would have caught in outputs already judged blind (issue 35, the read-off before v5).

    python benchmarks/context_check.py --rounds round2 round3 round3b round4 round5

For every judged output of ``insert``, ``substitute`` and ``iterative`` (``.v3`` and later; the ``.v2`` outputs
are left out) in ``benchmarks/judged/ROUND``: the words the output inserted or replaced (a word-level diff on
spaces), and for each of them the words within ``W`` positions on either side that it left alone. Each such word is
masked whole (all its pieces) in the source and in the output, with the built-in model; its loss is how many nats
its summed log-probability fell (0 when it rose). An output's score is the sum of the losses within ``W`` of its
edits. Printed per method family and window: the AUC of the score for "broken", and per limit how many broken and
acceptable outputs a check at that limit would refuse and how many of the rest are acceptable. The check in
``maskaug.methods.fluent`` works per fill, on the model's pieces, with the words that have a letter or digit.
"""

from __future__ import annotations

import argparse
import difflib
from pathlib import Path

import torch
from judge_outputs import judged
from sklearn.metrics import roc_auc_score

from maskaug.model.builtin import load_builtin

JUDGED = Path(__file__).resolve().parent / "judged"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", nargs="+", default=["round2", "round3", "round3b", "round4", "round5"])
    ap.add_argument("--window", type=int, default=3, help="the widest window scored (1..window are printed)")
    a = ap.parse_args()
    model, tok = load_builtin()
    cache: dict = {}

    def word_lp(words: list[str], k: int) -> float:
        key = (tuple(words), k)
        if key not in cache:
            ids, spans = [], []
            for w in words:
                p = tok(w, add_special_tokens=False)["input_ids"]
                spans.append((len(ids) + 1, len(ids) + 1 + len(p)))
                ids += p
            x = [tok.cls_token_id, *ids, tok.sep_token_id]
            first, last = spans[k]
            masked = [tok.mask_token_id if first <= j < last else t for j, t in enumerate(x)]
            with torch.inference_mode():
                lp = model(torch.tensor([masked])).logits[0].log_softmax(-1)
            cache[key] = float(sum(lp[j, x[j]] for j in range(first, last)))
        return cache[key]

    rows = []
    for rnd in a.rounds:
        for k, verdict in judged(JUDGED / rnd):
            family = k["system"].split(".")[0]
            if family not in ("insert", "substitute", "iterative") or ".v2" in k["system"]:
                continue
            src, new = k["original"].split(), k["new"].split()
            ops = difflib.SequenceMatcher(a=src, b=new, autojunk=False).get_opcodes()
            if any(op not in ("equal", "insert") and not (op == "replace" and a2 - a1 == b2 - b1)
                   for op, a1, a2, b1, b2 in ops):
                continue  # not an insertion or a one-to-one replacement
            edited = [j for op, a1, a2, b1, b2 in ops if op != "equal" for j in range(b1, b2)]
            kept = {b1 + t: a1 + t for op, a1, a2, b1, b2 in ops if op == "equal" for t in range(b2 - b1)}
            if not edited:
                continue
            losses = [(nb - i, max(0.0, word_lp(src, kept[nb]) - word_lp(new, nb)))
                      for i in edited for nb in range(i - a.window, i + a.window + 1) if nb in kept]
            rows.append((family, verdict["fluency"] == "broken", losses))
    for family in ("insert", "substitute", "iterative"):
        mine = [r for r in rows if r[0] == family]
        if not mine:
            continue
        broken = [r[1] for r in mine]
        print(f"== {family}: {len(mine)} judged outputs, {1 - sum(broken) / len(mine):.1%} acceptable")
        for w in range(1, a.window + 1):
            scores = [sum(x for o, x in r[2] if abs(o) <= w) for r in mine]
            line = f"W={w} AUC {roc_auc_score(broken, scores):.3f}"
            for limit in (1.5, 2.0, 3.0, 4.0):
                out = [b for b, s in zip(broken, scores) if s > limit]
                rest = [b for b, s in zip(broken, scores) if s <= limit]
                line += (f" | >{limit:g}: refuses {sum(out)} broken, {len(out) - sum(out)} acceptable; rest "
                         f"{1 - sum(rest) / max(1, len(rest)):.0%}")
            print(line)


if __name__ == "__main__":
    main()
