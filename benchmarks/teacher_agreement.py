"""How soft are a soft-label method's labels? For each ``teacher=soft`` / ``teacher=classifier`` method of an
evaluation, over every split's generated rows: how often the teacher's top class differs from the source row's
label, the mean probability it gives that label, and its mean top probability.

    python benchmarks/teacher_agreement.py runs/steps-trec6/config.json

It reads the evaluation's config (``maskaug evaluate ... -o DIR`` writes ``DIR/config.json``) and its cache:
the outputs and the teacher runs are read back, nothing is trained when the evaluation has run (a missing
teacher run is trained, as ``maskaug evaluate`` would).
"""

from __future__ import annotations

import argparse

import numpy as np

from maskaug.evaluate.arms import SplitRun
from maskaug.evaluate.config import EvalConfig
from maskaug.evaluate.runner import Evaluation


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("config", help="an evaluation's config.json")
    args = ap.parse_args()
    ev = Evaluation(EvalConfig.from_file(args.config), progress=False)
    pool, test, all_splits, learner = ev.prepare()
    test_xy = (test.texts, test.labels)
    arms = [a for a in ev.arms if a.options.teacher]
    print("| method | size | generated rows | top class ≠ source label | p(source label) | top probability |")
    print("|---|---|---|---|---|---|")
    for size, splits in all_splits.items():
        for arm in arms:
            per_split = arm.outputs(ev.context, pool, splits, ev.protocol.n_for(size))[0]
            probs, source = [], []
            for split in splits:
                run = SplitRun(split, size, ev.protocol.run_seed(split), pool, per_split[split.index], learner,
                               ev.protocol.dev_rows(pool, split), test_xy)
                texts, labels, _ = arm.training_set(ev.context, run)
                real = len(split.train)
                probs += labels[real:]
                source += [pool.labels[i] for i in split.train for _ in per_split[split.index][i]]
            p, y = np.asarray(probs, dtype=float), np.asarray(source)
            print(f"| {arm.label} | {size} | {len(y)} | {(p.argmax(-1) != y).mean():.1%} | "
                  f"{p[np.arange(len(y)), y].mean():.3f} | {p.max(-1).mean():.3f} |")


if __name__ == "__main__":
    main()
