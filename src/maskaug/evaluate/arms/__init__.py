"""Arms: each row of an evaluation's table is one arm, which says what a split trains on besides its own rows.

An arm has one job: the rows it adds to each split (``outputs``: per split, the added rows of each training row),
and, for one that trains differently, the learner it trains (``learner``: the protocol's with a loss term attached).
How the learner weights and labels the added rows is the spec's ``TrainOptions``.

- ``none``: nothing added (a control, the reference of every comparison);
- ``copy``: each training row repeated n times: the added rows' count and steps, no new text (a control); with
  ``teacher=soft`` the repeats carry the split teacher's probabilities (the control for a soft-label method);
- ``consistency``: no rows; the fine-tuned classifier also trains for agreement between two random maskings of
  each batch (MaskAugment's consistency term; ``weight``, ``rate``);
- ``eda``: Wei & Zou's EDA, the registered method ``eda.v1`` (an outside baseline);
- ``selftrain``, ``uda``, ``tapt``: learn from the unlabelled pool (``--unlabelled``);
- any registered method (``substitute``, ``insert:rate=0.3``, ``prepend``, ``melm``, ...): its outputs, made by the
  augmentation job; a label-conditional method fine-tunes its MLM on each split's own rows first.

A new arm is one class (``Arm``'s subclass) and one entry in ``ARMS``. An arm sees a ``Context`` (store, MLM,
embedder, protocol, unlabelled pool, splits, learner runs), never the evaluation; what it makes is kept in the
store by ``maskaug.evaluate.artefacts``. A report shows each arm by its ``role``; comparisons ("vs none", "vs copy",
"vs EDA") are with the plain arm of the class that is each ``REFERENCES`` entry.
"""

from __future__ import annotations

from typing import Any

from maskaug.evaluate.arms.base import REFERENCES, ROLES, Arm, Context, SplitRun
from maskaug.evaluate.arms.controls import CopyArm, NoneArm, soft_copies
from maskaug.evaluate.arms.generate import EdaArm, GenerateArm
from maskaug.evaluate.arms.training import ConsistencyArm, TaptArm, TermArm, tapt_learner
from maskaug.evaluate.arms.unlabelled import SelfTrainArm, UdaArm, UnlabelledArm

ARMS: dict[str, type[Arm]] = {"none": NoneArm, "copy": CopyArm, "consistency": ConsistencyArm, "eda": EdaArm,
                              "selftrain": SelfTrainArm, "uda": UdaArm, "tapt": TaptArm}


def arm_for(spec: Any) -> Arm:
    """The arm a spec names: a registered arm, else a registered method (``GenerateArm``, or the arm registered for
    its family: ``eda.v1`` is ``eda``'s)."""
    from maskaug.evaluate.spec import ArmSpec

    spec = spec if isinstance(spec, ArmSpec) else ArmSpec.parse(spec)
    cls = ARMS.get(spec.method)
    if cls is None:
        family = ARMS.get(_family(spec.method))
        cls = family if family is not None and issubclass(family, GenerateArm) else GenerateArm
    return cls(spec)


def _family(method: str) -> str:
    """``eda`` for ``eda.v1``: a registered method's name without its version (the registry is imported here, not
    at the top: building the CLI's parser loads this package and must not load numpy)."""
    from maskaug.methods.registry import family

    return family(method)


def references(arms: list[Arm]) -> dict[str, str]:
    """Each comparison's reference arm, by label: the first plain arm of the class that serves it (``REFERENCES``
    order), for the ones this evaluation has."""
    out = {}
    for ref in REFERENCES:
        found = next((a for a in arms if a.reference == ref and a.plain), None)
        if found is not None:
            out[ref] = found.label
    return out


def arms_help() -> str:
    """The registered arms in one line, for ``--methods``' help."""
    needs = [name for name, cls in ARMS.items() if cls.unlabelled]
    return f"{', '.join(ARMS)} ({', '.join(needs)}: with --unlabelled)"


__all__ = ["ARMS", "REFERENCES", "ROLES", "Arm", "ConsistencyArm", "Context", "CopyArm", "EdaArm", "GenerateArm",
           "NoneArm", "SelfTrainArm", "SplitRun", "TaptArm", "TermArm", "UdaArm", "UnlabelledArm", "arm_for",
           "arms_help", "references", "soft_copies", "tapt_learner"]
