"""The controls: no augmentation, and each training row repeated (a method's added rows and steps, no new text)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from maskaug.evaluate.arms.base import Arm, Context, SplitRun

if TYPE_CHECKING:
    from maskaug.evaluate.data import Dataset
    from maskaug.evaluate.splits import Split


class NoneArm(Arm):
    """No augmentation: the split's own rows (every other arm is compared with it)."""

    name, role, reference, takes, why, text = "none", "control", "none", (), "adds no rows", False

    def train(self, ctx: Context, run: SplitRun):
        return ctx.supervised(run)


class CopyArm(Arm):
    """Each training row repeated n times: a method's added rows and steps, with no new text; with ``teacher=soft``
    the repeats carry the split teacher's probabilities (the control for a soft-label method)."""

    name, role, reference, takes, why, text = "copy", "control", "copy", ("aug_weight", "guard"), \
        "repeats the training rows", False

    def ignored(self) -> list[str]:
        soft = self.options.soft  # a soft teacher labels the repeats: the option is honoured
        return [k for k in super().ignored() if not (soft and k.startswith("teacher="))]

    def outputs(self, ctx, pool, splits, n):
        if self.options.teacher == "soft":  # labelled by the split's teacher, as a teacher=soft method's rows are
            return [soft_copies(ctx.embedder, pool, s, n) for s in splits], {}
        return [{i: [pool.texts[i]] * n for i in s.train} for s in splits], {}


def soft_copies(embedder, pool: Dataset, split: Split, n: int) -> dict[int, list[dict]]:
    """``n`` repeats of each training row, labelled by the probabilities the split's teacher (the one a
    ``teacher=soft`` method uses) gives its own text."""
    from maskaug.constraints import Teacher

    rows = sorted(split.train)  # fitted as a teacher=soft method's is (maskaug.constraints.build)
    texts = [pool.texts[i] for i in rows]
    teacher = Teacher(texts, [pool.classes[pool.labels[i]] for i in rows], mode="soft", embedder=embedder)
    return {i: [{"text": pool.texts[i], "soft": [p.get(c, 0.0) for c in pool.classes]}] * n
            for i, p in zip(rows, teacher.soft_labels(texts))}
