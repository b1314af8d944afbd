"""Arms whose added rows are a registered method's outputs, made by the augmentation job (EDA among them)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from maskaug.evaluate.arms.base import Arm, Context

if TYPE_CHECKING:
    from maskaug.evaluate.data import Dataset
    from maskaug.evaluate.spec import ArmSpec
    from maskaug.evaluate.splits import Split


class GenerateArm(Arm):
    """The outputs of a registered method, made by the augmentation job; a label-conditional method fine-tunes its
    MLM on each split's own rows first."""

    def __init__(self, spec: ArmSpec):
        super().__init__(spec)
        from maskaug.methods.registry import build, effective_params

        self.method = build(spec.method, **spec.method_params)  # raises on an unknown method or parameter
        self.name, self.params = effective_params(spec.method, **spec.method_params)
        self.kind = self.method.capabilities.requires  # a conditioning: its MLM is fine-tuned per split
        if spec.finetune_params and self.kind != "cbert":
            raise ValueError(f"method spec {spec.label!r}: {sorted(spec.finetune_params)} applies to the per-split "
                             f"fine-tuning of cbert only")

    def check(self, protocol) -> None:
        protocol.check_arm(self)

    @property
    def labelled(self) -> bool:
        """Whether the job reads each row's label (a conditional MLM, a teacher or label words)."""
        c = self.spec.constraint_params
        return bool(self.kind) or "teacher" in c or bool(c.get("label_words"))

    def per_split(self, protocol) -> bool:
        """Whether each split's rows are augmented on their own (its own MLM, teacher or label words)."""
        return self.labelled or not protocol.shared_augmentation

    def outputs(self, ctx, pool, splits, n):
        per_split = self.per_split(ctx.protocol)
        groups = [[s] for s in splits] if per_split else [splits]
        found: dict[int, dict[int, list]] = {}
        total = {"rows": 0, "seconds": 0.0, "forward_passes": 0, "rejected": {}}
        for group in groups:
            rows = sorted({i for s in group for i in s.train})
            outs, stats = self.generate(ctx, pool, rows, n, group[0] if per_split else None)
            for s in group:
                found[s.index] = {i: outs[i] for i in s.train}
            for k in ("rows", "seconds", "forward_passes"):
                total[k] += stats[k]
            for k, v in stats.get("rejected", {}).items():
                total["rejected"][k] = total["rejected"].get(k, 0) + v
        total["rows_per_s"] = total["rows"] / total["seconds"] if total["seconds"] else 0.0
        stats = {"rows": total["rows"], "seconds": total["seconds"], "rows_per_s": total["rows_per_s"],
                 "forward_passes": total["forward_passes"], "rejected": total["rejected"]}
        return [found[s.index] for s in splits], stats

    def generate(self, ctx: Context, pool: Dataset, rows: list[int], n: int, split: Split | None
                 ) -> tuple[dict[int, list], dict]:
        """The outputs of ``rows`` (pool indexes) and their statistics; ``split``: the one split they belong to
        when the method works per split."""
        from maskaug.evaluate.artefacts import finetuned, generated

        protocol, cfg, model = ctx.protocol, ctx.protocol.cfg, ctx.model
        inputs = [pool.texts[i] for i in rows]
        seed = protocol.augment_seed(split)
        if self.kind:
            model = finetuned(ctx.store, self.kind, model, protocol.record, inputs, protocol.targets(pool, rows),
                              protocol.dev_rows_named(pool, split), seed,
                              cfg.label_text if self.kind == "prepend" else None, self.spec.finetune_params)
        ids = protocol.row_ids(rows)
        labelled = self.labelled
        saved = generated(ctx.store, self.name, self.params, self.spec.constraint_params, model, protocol.record,
                          protocol.fields, inputs, ids, protocol.job_labels(pool, rows, labelled),
                          pool.classes if labelled else None, n, seed, cfg.max_attempts, ctx.embedder)
        outputs = {i: [protocol.loaded(o) for o in saved["outputs"][str(rid)]] for i, rid in zip(rows, ids)}
        return outputs, saved["stats"]


class EdaArm(GenerateArm):
    """EDA (Wei & Zou 2019), the registered method ``eda``: an outside baseline beside maskaug's methods."""

    role, reference = "baseline", "eda"
