"""Arms that learn from the evaluation's unlabelled pool with masked-LM views of its rows: self-training (on
``maskaug.training.self_train``) and UDA (a loss term attached to the fine-tuned classifier)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from maskaug.evaluate.arms.base import Arm, Context, SplitRun
from maskaug.evaluate.arms.training import tapt_learner

if TYPE_CHECKING:
    from maskaug.evaluate.spec import ArmSpec


class UnlabelledArm(Arm):
    """What the semi-supervised arms share: the unlabelled pool, each row's masked-LM views (``view``: any
    registered method spec, ``view_<param>=...`` its parameters; ``view=none``: the row itself, the control that
    shows what the view adds), and optionally an encoder adapted to the pool first (``tapt=true``)."""

    unlabelled, text, prefixes = True, False, ("view_",)
    takes = ("guard",)
    why = "labels its added rows itself"

    def __init__(self, spec: ArmSpec):
        super().__init__(spec)
        from maskaug.evaluate.spec import ArmSpec
        from maskaug.methods.registry import build, effective_params

        view = str(self.setting("view"))
        name, _, inline = view.partition(":")
        params = {**ArmSpec.parse(f"x:{inline}").params, **{k[len("view_"):]: v for k, v in spec.params.items()
                                                              if k.startswith("view_")}}
        if name == "none":
            if params:
                raise ValueError(f"method spec {spec.label!r}: view=none takes no view parameters")
            self.view = None
        else:
            try:
                build(name, **params)  # an unknown method or parameter fails here
            except KeyError as exc:
                raise ValueError(f"method spec {spec.label!r}: view: {exc.args[0]}") from None
            self.view = effective_params(name, **params)
        self.role = "control" if self.view is None else "method"
        self._views: dict[int, dict[int, list]] = {}  # size -> unlabelled row -> its views

    def check(self, protocol) -> None:
        super().check(protocol)
        if self.setting("tapt"):
            self.needs_finetune(protocol, "tapt=true adapts the fine-tuned classifier's encoder")

    def outputs(self, ctx, pool, splits, n):
        """No rows per training row; the views of every unlabelled row these splits use, kept for ``train``."""
        from maskaug.evaluate.artefacts import generated

        u = ctx.unlabelled
        rows = u.used(splits)
        count = int(self.setting("views"))
        nothing, _ = super().outputs(ctx, pool, splits, n)
        if self.view is None:
            self._views[splits[0].size] = {r: [u.texts[r]] * count for r in rows}
            return nothing, {}
        name, params = self.view
        protocol = ctx.protocol
        saved = generated(ctx.store, name, params, {}, ctx.model, protocol.record, protocol.fields,
                          [u.texts[r] for r in rows], rows, None, None, count, protocol.cfg.seed,
                          protocol.cfg.max_attempts, ctx.embedder)
        self._views[splits[0].size] = {r: [protocol.loaded(o) for o in saved["outputs"][str(r)]] for r in rows}
        return nothing, saved["stats"]

    def base_learner(self, ctx: Context, run: SplitRun):
        """The protocol's learner, or with ``tapt=true`` the same learner on the encoder adapted to the pool."""
        if not self.setting("tapt"):
            return run.learner
        return tapt_learner(ctx, run.learner, run.size, int(self.setting("tapt_epochs")))

    def pool_rows(self, ctx: Context, run: SplitRun) -> tuple[list[int], list]:
        """The split's unlabelled rows and their texts."""
        rows = ctx.unlabelled.rows(run.split)
        return rows, [ctx.unlabelled.texts[r] for r in rows]


class SelfTrainArm(UnlabelledArm):
    """Self-training (``maskaug.training.self_train``): the split's supervised learner labels its unlabelled rows;
    the ``per_class`` most confident of each class at or above ``threshold`` join the training set with their
    views, labelled as the teacher says (loss weight ``aug_weight``); the student trains on all of it, the split's
    own rows repeated to half of it (``balance``; UDA keeps a labelled batch beside the unlabelled one for the same
    reason). ``rounds`` > 1: the student is the next teacher."""

    name = "selftrain"
    takes = ("guard", "aug_weight")
    params = {"view": "substitute", "views": 1, "threshold": 0.9, "per_class": 100, "rounds": 1, "balance": True,
              "tapt": False, "tapt_epochs": 3}

    def check(self, protocol) -> None:
        from maskaug.training.selftrain import check_settings

        super().check(protocol)
        try:
            check_settings(self.setting("threshold"), self.setting("per_class"), self.setting("rounds"))
        except ValueError as exc:
            raise ValueError(f"method spec {self.label!r}: {exc}") from None

    def train(self, ctx: Context, run: SplitRun):
        from maskaug.training.selftrain import self_train, softmax

        learner = self.base_learner(ctx, run)
        rows, texts = self.pool_rows(ctx, run)
        rounds, views = int(self.setting("rounds")), self._views[run.size]
        sizes: list[int] = []  # each student's training rows

        def fit(x: list, y: list, weights: list[float] | None = None) -> dict[str, Any]:
            """One learner run (the first: the no-aug run); all but the last also score the unlabelled rows."""
            sizes.append(len(x))
            return ctx.learn(learner, (x, y), run.dev, run.test, run.seed, weights,
                             score=texts if len(sizes) <= rounds else None)

        result = self_train(fit, lambda record, _: softmax(record["scores"]), run.labelled, texts,
                            threshold=float(self.setting("threshold")), per_class=int(self.setting("per_class")),
                            rounds=rounds, balance=bool(self.setting("balance")),
                            views={p: views.get(r, []) for p, r in enumerate(rows)}, weight=self.options.weight)
        info = {k: result.rounds[-1][k] for k in ("rows", "passed", "kept")}
        gold = ctx.unlabelled.gold
        if gold is not None and result.chosen:  # how often the teacher was right (never read by a learner)
            info["pseudo_accuracy"] = sum(gold[rows[p]] == y for p, y in result.chosen) / len(result.chosen)
        return {"train_examples": sizes[-1], **result.model, "unlabelled": info}


class UdaArm(UnlabelledArm):
    """UDA (Xie et al. 2020): the fine-tuned classifier's supervised loss plus, on every step, ``ratio`` unlabelled
    rows per labelled row whose sharpened prediction teaches the prediction on their view (confidence mask
    ``threshold``, sharpening ``temperature``, weight ``weight``): a ``UdaTerm`` attached to the learner."""

    name = "uda"
    params = {"view": "substitute", "views": 1, "weight": 1.0, "ratio": 3, "temperature": 0.4, "threshold": 0.8,
              "tapt": False, "tapt_epochs": 3}

    def check(self, protocol) -> None:
        super().check(protocol)
        self.needs_finetune(protocol, "uda trains the fine-tuned classifier")
        self.settings()

    def settings(self):
        """The UDA term's settings, checked."""
        from maskaug.training.uda import UdaSettings

        return UdaSettings(float(self.setting("weight")), self.setting("ratio"), float(self.setting("temperature")),
                           float(self.setting("threshold"))).check()

    def train(self, ctx: Context, run: SplitRun):
        from maskaug.evaluate.terms import UdaTerm

        learner = self.base_learner(ctx, run).with_terms(UdaTerm(self.settings()))
        rows, texts = self.pool_rows(ctx, run)
        views = [self._views[run.size].get(r, []) for r in rows]
        labelled = run.labelled
        record = ctx.learn(learner, labelled, run.dev, run.test, run.seed, unlabelled=(texts, views))
        return {"train_examples": len(labelled[0]), **record}
