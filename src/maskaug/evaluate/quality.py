"""Intrinsic quality of augmented text, per method.

- ``label_kept``: share of outputs the oracle (logistic regression on sentence embeddings of the
  full training set) assigns the source's gold label; ``oracle_on_sources`` is the same for sources;
  ``label_flip``: share of outputs the oracle labels differently from their source (oracle errors
  on the sources cancel out), with its 95% Wilson interval ``label_flip_lo`` / ``label_flip_hi``.
- ``edit_rate``: word-level Levenshtein distance / source length (rapidfuzz).
- ``length_changed``: outputs whose word count (split on whitespace) differs from their source's.
- ``identical``: outputs equal to their source; ``duplicate``: outputs equal to an earlier output
  of the same source; ``shortfall``: requested outputs a method could not produce.
- ``distinct_1`` / ``distinct_2``: unique / total word n-grams over all outputs.
- ``similarity``: cosine between source and output sentence embeddings.
- ``fluency``: mean per-token pseudo-log-likelihood under the MLM, output minus source (0 = as fluent).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from maskaug.evaluate.stats import proportion_ci
from maskaug.methods.registry import family
from maskaug.metrics import distinct_n, edit_rate


def intrinsic(sources: Sequence[str], source_labels: Sequence[int], outputs: Sequence[Sequence[str]],
              requested: int, embedder, oracle, mlm=None, fluency_sample: int = 100, seed: int = 0,
              pll_cache: dict[str, float] | None = None,
              flips: dict[tuple[int, int], bool] | None = None) -> dict[str, float]:
    """Metrics over ``outputs[i]`` (the outputs made for ``sources[i]``).

    ``flips``, when given, receives each output's label flip keyed by (source index, copy index), so
    two methods can be compared output by output.

    Fluency uses the first output of ``fluency_sample`` sources picked by ``seed`` (the same sources for
    every method); ``pll_cache`` (text -> PLL per token) is shared across calls.
    """
    pairs = [(i, o) for i, outs in enumerate(outputs) for o in outs]
    copies = [j for outs in outputs for j in range(len(outs))]
    flat = [o for _, o in pairs]
    res: dict[str, float] = {"sources": len(sources), "outputs": len(flat),
                             "shortfall": float(requested * len(sources) - len(flat))}
    if not flat:
        return res
    src_idx = np.array([i for i, _ in pairs])
    gold = np.asarray(source_labels)
    if isinstance(sources[0], str):
        out_x, src_x = embedder(flat), embedder(list(sources))
        out_pred, src_pred = oracle.predict(out_x), oracle.predict(src_x)
        cosines = (out_x * src_x[src_idx]).sum(1)
    else:  # sentence pairs: the oracle reads pair features, similarity is the mean per-sentence cosine, and the
        # text measures (edit rate, diversity, fluency) read the two sentences joined
        out_pred = oracle.predict(embedder.features(flat))
        src_pred = oracle.predict(embedder.features(list(sources)))
        cosines = np.mean([(embedder([o[f] for o in flat]) * embedder([sources[i][f] for i in src_idx])).sum(1)
                           for f in range(len(sources[0]))], axis=0)
        sources = [" ".join(t) for t in sources]
        outputs = [[" ".join(o) for o in outs] for outs in outputs]
        pairs = [(i, o) for i, outs in enumerate(outputs) for o in outs]
        flat = [o for _, o in pairs]
    res["label_kept"] = float((out_pred == gold[src_idx]).mean())
    res["oracle_on_sources"] = float((src_pred == gold).mean())
    flipped = out_pred != src_pred[src_idx]
    res["label_flip"] = float(flipped.mean())
    res["label_flip_lo"], res["label_flip_hi"] = proportion_ci(int(flipped.sum()), len(flipped))
    if flips is not None:
        flips.update({(int(i), j): bool(f) for i, j, f in zip(src_idx, copies, flipped)})
    res["similarity"] = float(np.mean(cosines))
    res["edit_rate"] = float(np.mean([edit_rate(sources[i], o) for i, o in pairs]))
    res["identical"] = float(np.mean([sources[i] == o for i, o in pairs]))
    res["length_changed"] = float(np.mean([len(sources[i].split()) != len(o.split()) for i, o in pairs]))
    dup = sum(len(outs) - len(set(outs)) for outs in outputs)
    res["duplicate"] = dup / len(flat)
    res["distinct_1"] = distinct_n(flat, 1)
    res["distinct_2"] = distinct_n(flat, 2)
    if mlm is not None and fluency_sample:
        res["fluency"] = fluency(mlm, sources, outputs, fluency_sample, seed, pll_cache)
    return res


def fluency(mlm, sources: Sequence[str], outputs: Sequence[Sequence[str]], sample: int, seed: int,
            pll_cache: dict[str, float] | None) -> float:
    """Mean per-token pseudo-log-likelihood of the first output minus its source's, over ``sample`` sources picked
    by ``seed`` (the same for every method); ``pll_cache`` (text -> PLL per token) is shared across calls."""
    from maskaug.model.pll import pseudo_log_likelihood

    cache = pll_cache if pll_cache is not None else {}
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(sources))
    pick = [i for i in order if outputs[i]][:sample]
    pairs = [(sources[i], outputs[i][0]) for i in pick]
    todo = sorted({t for pair in pairs for t in pair} - set(cache))
    for text, (pll, count) in zip(todo, pseudo_log_likelihood(mlm, todo)):
        cache[text] = pll / max(count, 1)
    return float(np.mean([cache[o] - cache[s] for s, o in pairs]))


def oracle_of(ctx, pool) -> Any:
    """The oracle: a logistic regression on sentence embeddings of the full training pool, kept in the store."""
    from sklearn.linear_model import LogisticRegression

    def fit() -> dict[str, Any]:
        model = LogisticRegression(C=10.0, max_iter=3000).fit(ctx.embedder.features(pool.texts), pool.labels)
        return {"coef": model.coef_, "intercept": model.intercept_, "classes": model.classes_}

    saved = ctx.store.arrays("oracles", {"oracle": "logreg.v1", "encoder": ctx.embedder, "texts": pool.texts,
                                         "labels": pool.labels}, fit)
    oracle = LogisticRegression()
    oracle.coef_, oracle.intercept_, oracle.classes_ = saved["coef"], saved["intercept"], saved["classes"]
    return oracle


def classification_quality(ctx, arms: list, pool, outputs_by, all_splits) -> dict[str, dict[str, Any]]:
    """Intrinsic quality of every text-making arm's outputs for the first size's training rows (a row's outputs
    from the first split that draws it), and each arm's label flips against the reference arm's, output by
    output."""
    from maskaug.evaluate.artefacts import loaded
    from maskaug.evaluate.stats import paired_rate

    cfg = ctx.protocol.cfg
    oracle = oracle_of(ctx, pool)
    size = next(iter(all_splits))
    rows = sorted({i for s in all_splits[size] for i in s.train})
    out: dict[str, dict[str, Any]] = {}
    pll_cache: dict[str, float] = {}
    flips: dict[str, dict[tuple[int, int], bool]] = {}
    mlm = loaded(ctx.model) if cfg.fluency_sample else None
    for arm in arms:
        if not arm.text:
            continue
        flips[arm.label] = {}
        outs: dict[int, list] = {}
        for per_split in outputs_by[arm.label, size]:  # a row's first split (conditional methods)
            for i, o in per_split.items():
                outs.setdefault(i, o)
        out[arm.label] = intrinsic([pool.texts[i] for i in rows], [pool.labels[i] for i in rows],
                                   [[text_of(o) for o in outs[i]] for i in rows], ctx.protocol.n_for(size),
                                   ctx.embedder, oracle, mlm, cfg.fluency_sample, cfg.seed, pll_cache,
                                   flips[arm.label])
    ref = flip_reference(cfg.flip_reference, arms)
    for label in out:
        if ref is not None and label != ref:
            common = sorted(flips[label].keys() & flips[ref].keys())
            cmp = paired_rate([flips[label][k] for k in common], [flips[ref][k] for k in common])
            out[label]["flip_vs_reference"] = {"reference": ref, **cmp.as_dict()}
    return out


def flip_reference(configured: str | None, arms: list) -> str | None:
    """The configured reference, else the first plain ``substitute`` arm (any version), else the first
    ``substitute`` one."""
    if configured is not None:
        return configured
    subs = [a.spec for a in arms if family(a.spec.method) == "substitute"]
    plain = [s for s in subs if not s.constraint_params]
    return (plain or subs)[0].label if subs else None


def text_of(output: Any) -> Any:
    """An output's text (a soft output is ``{"text": ..., "soft": [probabilities]}``)."""
    return output["text"] if isinstance(output, dict) else output
