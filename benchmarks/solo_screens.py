"""Can a cheaper pass stand in for v3's solo questions (each insertion slot read alone in the text as written)?

    python benchmarks/solo_screens.py --data ../shared/data/trec_cased/test.jsonl --rows 150

For every gap before a word of the first ``--rows`` texts (built-in model), the best fill the v3 word rules allow
(a word start with a letter or digit, not a function word or number, 2+ characters) is read three ways:

* ``solo``: one sequence per gap with only that gap's mask inserted (what ``insert.v3`` asks);
* ``query stream`` (P=0): one sequence per text, the text plus one mask per gap appended; each mask sees the text
  (position of the word before its gap) and itself, the text never sees the masks (a 4-D attention mask);
* ``packed`` (P=2, 3, 4): P sequences per text, every P-th gap masked together (``pack=P``).

Printed per way: agreement of the best fill with solo's (top-1), correlation of its log-probability with solo's,
and, if a screen asked solo only where its best fill reaches ``th``, the share of gaps it would ask and the share
of solo-usable gaps (best fill >= 0.04) it would keep (recall).
"""

from __future__ import annotations

import argparse
import json

import numpy as np
import torch


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True)
    ap.add_argument("--rows", type=int, default=150)
    a = ap.parse_args()

    from maskaug.model.loading import load_mlm
    from maskaug.wordclass import closed_class, numeric

    mlm = load_mlm(None)
    model, info, tok = mlm.model, mlm.info, mlm.tokenizer
    ok = np.zeros(info.vocab_size, bool)
    for t in range(info.vocab_size):
        if info.bad[t] or not info.is_start[t] or not info.wordy[t]:
            continue
        form = info.fill_form(t)
        ok[t] = form is not None and len(form) >= 2 and not closed_class(form) and not numeric(form)
    allowed = torch.from_numpy(ok)
    texts = [json.loads(line)["text"] for line in open(a.data)][: a.rows]
    cls, sep, mask = tok.cls_token_id, tok.sep_token_id, tok.mask_token_id

    def best(logits: torch.Tensor):
        lp = torch.log_softmax(logits.float(), -1).masked_fill(~allowed[: logits.shape[-1]], -1e9)
        return lp.max(-1)

    for packs in (0, 2, 3, 4):
        solo_lp, other_lp, same = [], [], []
        for text in texts:
            ids = tok(text, add_special_tokens=False)["input_ids"]
            gaps = [k for k in range(1, len(ids)) if info.is_start[ids[k]]]
            if not gaps:
                continue
            w = [cls] + ids + [sep]
            with torch.inference_mode():
                out = model(input_ids=torch.tensor([w[: k + 1] + [mask] + w[k + 1:] for k in gaps])).logits
            solo = best(out[torch.arange(len(gaps)), torch.tensor(gaps) + 1])
            vals, idx = torch.zeros(len(gaps)), torch.zeros(len(gaps), dtype=torch.long)
            if packs == 0:
                n, g = len(w), len(gaps)
                att = torch.zeros(1, 1, n + g, n + g, dtype=torch.bool)
                att[0, 0, :, :n] = True
                att[0, 0, n + torch.arange(g), n + torch.arange(g)] = True
                with torch.inference_mode():
                    got = best(model(input_ids=torch.tensor([w + [mask] * g]), attention_mask=att,
                                     position_ids=torch.tensor([list(range(n)) + gaps])).logits[0, n:])
                vals, idx = got.values, got.indices
            else:
                for r in range(packs):
                    mine = [j for j in range(len(gaps)) if j % packs == r]
                    if not mine:
                        continue
                    seq, at, prev = [], [], 0
                    for j in mine:
                        k = gaps[j] + 1
                        seq += w[prev:k]
                        at.append(len(seq))
                        seq.append(mask)
                        prev = k
                    seq += w[prev:]
                    with torch.inference_mode():
                        got = best(model(input_ids=torch.tensor([seq])).logits[0, at])
                    vals[mine], idx[mine] = got.values, got.indices
            solo_lp += solo.values.tolist()
            other_lp += vals.tolist()
            same += (solo.indices == idx).tolist()
        s, q = np.array(solo_lp), np.array(other_lp)
        usable = s >= np.log(0.04)
        line = (f"{'query stream' if packs == 0 else f'packed P={packs}'}: {len(s)} gaps, top-1 {np.mean(same):.2f}, "
                f"correlation {np.corrcoef(s, q)[0, 1]:.2f}")
        for th in (0.04, 0.02, 0.01):
            asked = q >= np.log(th)
            line += f" | >= {th}: asks {asked.mean():.2f}, recall {asked[usable].mean():.2f}"
        print(line, flush=True)


if __name__ == "__main__":
    main()
