"""MLM fine-tuning on a dataset: domain-adaptive, or label-conditional (prepend / expand / cbert).

Each example is tokenised as ``[specials] (conditioning) text [specials]``; 15% of the text's tokens
are chosen for prediction with BERT's 80/10/10 rule (🤗 ``DataCollatorForLanguageModeling``), and
the conditioning ids are marked special so they are never masked. A dev split (a stratified
``dev_fraction`` of the rows, at least one per label, or a separate file) gives the early-stopping
signal: training stops after ``patience`` epochs without a lower dev MLM loss (masks on dev are
fixed by the seed), and the best epoch's weights are saved with the conditioning record.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from tqdm.auto import tqdm

from maskaug.conditioning import Conditioning
from maskaug.model.backend import LabelEmbedding, TorchBackend
from maskaug.model.batching import Batch
from maskaug.model.loading import cpu_bf16, load_mlm


@dataclass
class FinetuneReport:
    """What a fine-tuning run did: epochs, best epoch, loss curves, time, rows.

    Args:
        epochs_run: Epochs trained.
        best_epoch: The epoch whose weights were saved (lowest dev loss).
        dev_loss: The dev MLM loss after each epoch.
        train_loss: The mean training loss of each epoch.
        seconds: Time spent.
        train_rows: Training rows.
        dev_rows: Dev rows.
    """

    epochs_run: int
    best_epoch: int
    dev_loss: list[float]
    train_loss: list[float]
    seconds: float
    train_rows: int
    dev_rows: int

    def summary(self) -> str:
        """The fine-tuning in one line: rows, epochs, time, dev loss per epoch."""
        curve = " ".join(f"{x:.3f}" for x in self.dev_loss)
        return (f"{self.train_rows} train / {self.dev_rows} dev rows, {self.epochs_run} epochs in "
                f"{self.seconds:.0f} s; best epoch {self.best_epoch} (dev MLM loss per epoch: {curve})")


def _masked_loss(backend: TorchBackend, batch) -> torch.Tensor:
    """MLM loss with the vocabulary projection run only at the positions being predicted, instead of
    full-vocabulary logits at every position. A C-BERT row's label rides in ``token_type_ids``."""
    labels = batch["labels"]
    sel = labels != -100
    types = batch.get("token_type_ids")
    row_labels = types[:, 0] if types is not None and backend.label_input is not None else None
    logits = backend.logits(Batch(batch["input_ids"], batch["attention_mask"], sel, row_labels), grad=True)
    return torch.nn.functional.cross_entropy(logits.float(), labels[sel])


def _prepare_model(model, tokenizer, cond: Conditioning) -> LabelEmbedding | None:
    """Make room for the conditioning in the model; returns C-BERT's added label table, if it needs one."""
    if cond.kind in ("expand", "melm"):
        tokens = [cond.token_for(label) for label in cond.labels]
        tokenizer.add_special_tokens({"additional_special_tokens": tokens}, replace_extra_special_tokens=False)
        cond.label_tokens = dict(zip(cond.labels, tokens))
        old = model.get_input_embeddings().weight.shape[0]
        model.resize_token_embeddings(len(tokenizer), mean_resizing=True)
        if model.get_input_embeddings().weight.shape[0] < old:
            raise RuntimeError("resizing shrank the vocabulary")
    elif cond.kind == "cbert":
        emb = getattr(getattr(model, model.base_model_prefix, model), "embeddings", None)
        types = getattr(emb, "token_type_embeddings", None)
        if types is None:  # no segment embedding to replace: add a label embedding instead
            cond.label_embedding = "added"
            return cond.label_table(model)
        cond.label_embedding = "token_type"
        n = len(cond.labels)
        new = torch.nn.Embedding(n, types.embedding_dim)
        with torch.no_grad():  # every label starts as segment A
            new.weight.copy_(types.weight[0].expand(n, -1))
        emb.token_type_embeddings = new
        model.config.type_vocab_size = n


# C-BERT's new label embedding learns at its own rate: at the model's 1e-4 it barely moves in a few
# epochs and the fills ignore the label (docs/results.md, "Does the conditional MLM use its label?").
LABEL_LR = 1e-2


def _label_parameters(model, cond: Conditioning, table: LabelEmbedding | None) -> list[torch.nn.Parameter]:
    """The parameters that exist only to carry the label (C-BERT's label embedding), for ``label_lr``."""
    if cond.kind != "cbert":
        return []
    if table is not None:
        return list(table.parameters())
    emb = getattr(getattr(model, model.base_model_prefix, model), "embeddings", None)
    return [emb.token_type_embeddings.weight]


def _encode(texts, labels, tokenizer, info, cond: Conditioning, max_length: int,
            maskable: Sequence[Sequence[tuple[int, int]]] | None = None) -> list[dict]:
    """Token ids with the special frame; ``special_tokens_mask`` covers everything but the text (and,
    with ``maskable``, every piece outside those character spans)."""
    out = []
    for r, (text, label) in enumerate(zip(texts, labels)):
        prefix, type_id = cond.condition(label, tokenizer)
        room = max_length - len(prefix) - len(info.prefix_ids) - len(info.suffix_ids)
        enc = tokenizer(text, add_special_tokens=False, return_offsets_mapping=maskable is not None)
        body = enc["input_ids"][:room]
        ids = info.wrap(list(prefix) + body)
        start = len(info.prefix_ids) + len(prefix)
        if maskable is not None:
            ok = [any(s <= a and b <= e for s, e in maskable[r]) and b > a for a, b in enc["offset_mapping"][:room]]
        else:
            ok = [True] * len(body)
        special = [0 if start <= j < start + len(body) and ok[j - start] else 1 for j in range(len(ids))]
        row = {"input_ids": ids, "special_tokens_mask": special}
        if type_id is not None:
            row["token_type_ids"] = [type_id] * len(ids)
        out.append(row)
    return out


def _split_dev(labels: Sequence, fraction: float, seed: int) -> tuple[list[int], list[int]]:
    rng = np.random.default_rng([seed, 31337])
    train, dev = [], []
    by: dict[str, list[int]] = {}
    for i, y in enumerate(labels):
        by.setdefault(str(y), []).append(i)
    for ix in by.values():
        order = rng.permutation(len(ix))
        cut = max(1, int(round(fraction * len(ix)))) if len(ix) >= 2 else 0
        dev += [ix[j] for j in order[:cut]]
        train += [ix[j] for j in order[cut:]]
    return sorted(train), sorted(dev)


def finetune(texts: Sequence[str], labels: Sequence | None, output: str | Path, conditioning: str = "none",
             model: str | None = None, dev: tuple[Sequence[str], Sequence] | None = None, dev_fraction: float = 0.15,
             max_epochs: int = 20, patience: int = 3, lr: float = 1e-4, label_lr: float = LABEL_LR,
             label_text: dict[str, str] | None = None, batch_size: int = 16, rate: float = 0.15,
             max_length: int = 128, seed: int = 0, max_minutes: float | None = None, label_column: str = "label",
             progress: bool = True, bf16: bool | None = None, classes: Sequence[str] | None = None,
             maskable: Sequence[Sequence[tuple[int, int]]] | None = None) -> FinetuneReport:
    """Fine-tune ``model`` (default: built-in) for MLM on ``texts`` and save it to ``output``.

    Early stopping on the dev rows' MLM loss; the best epoch's weights are saved, with the conditioning, so that
    ``load_mlm(output)`` and the label-conditioned methods read them.

    Args:
        texts: The training texts.
        labels: One label per text; needed by ``prepend``, ``expand`` and ``cbert`` (``None``: no labels).
        output: The folder to save the model in.
        conditioning: ``none`` (plain MLM), ``prepend``, ``expand``, ``cbert`` or ``melm``.
        model: The model to start from (default: the built-in one).
        dev: Dev texts and labels (default: ``dev_fraction`` of the rows, stratified by label).
        dev_fraction: The share of rows held out for dev when ``dev`` is not given.
        max_epochs: Epochs at most.
        patience: Stop after this many epochs without a lower dev loss.
        lr: The learning rate.
        label_lr: The learning rate of C-BERT's label embedding (``cbert`` only).
        label_text: ``prepend``: the words written for each label (``{"1": "positive"}``).
        batch_size: Rows per batch.
        rate: The share of tokens drawn for prediction.
        max_length: Tokens per text at most.
        seed: The randomness of the dev split, masks and order.
        max_minutes: Stop after this many minutes.
        label_column: The label field's name, saved with the conditioning.
        progress: Show a progress bar.
        bf16: Train in bf16 autocast (default: where the CPU supports it well).
        classes: The labels of a conditioning whose labels are not per row (MELM's entity tags, see
            ``finetune_melm``).
        maskable: Per text, the character spans whose pieces may be drawn for prediction.

    Returns:
        The epochs run, the best epoch, the dev and training loss curves, the time and the row counts.
    """
    from transformers import DataCollatorForLanguageModeling

    if conditioning in ("prepend", "expand", "cbert") and labels is None:
        raise ValueError(f"--conditioning {conditioning} needs labels (--label-column)")
    labels = list(labels) if labels is not None else [""] * len(texts)
    torch.manual_seed(seed)
    mlm = load_mlm(model, device="cpu")
    net, tok = mlm.model, mlm.tokenizer
    if mlm.conditioning is not None and mlm.conditioning.kind != "none":
        raise ValueError(f"{mlm.name} is already label-conditioned; fine-tune from its base model")
    if classes is None:
        classes = sorted({str(y) for y in labels}) if conditioning != "none" else []
    cond = Conditioning(conditioning, list(classes), label_column, base_model=mlm.name,
                        label_text=dict(label_text or {}))
    table = _prepare_model(net, tok, cond)
    spans = list(maskable) if maskable is not None else None
    dev_spans = None
    if dev is None:
        train_ix, dev_ix = _split_dev(labels, dev_fraction, seed)
        dev = ([texts[i] for i in dev_ix], [labels[i] for i in dev_ix])
        if spans is not None:
            dev_spans, spans = [spans[i] for i in dev_ix], [spans[i] for i in train_ix]
        texts, labels = [texts[i] for i in train_ix], [labels[i] for i in train_ix]
    elif spans is not None:
        raise ValueError("maskable spans need the dev rows split from the training rows (no dev=)")
    train_rows = _encode(texts, labels, tok, mlm.info, cond, max_length, spans)
    dev_rows = _encode(dev[0], dev[1], tok, mlm.info, cond, max_length, dev_spans)
    if not train_rows or not dev_rows:
        raise ValueError("fine-tuning needs at least 2 rows per label (one goes to the dev split)")
    collate = DataCollatorForLanguageModeling(tok, mlm_probability=rate, return_tensors="pt")
    call = TorchBackend(net, "cpu", None, cond.label_input, table)
    autocast = torch.autocast("cpu", dtype=torch.bfloat16, enabled=cpu_bf16() if bf16 is None else bf16)
    gen = torch.Generator().manual_seed(seed + 1)
    dev_batches = []
    state = torch.random.get_rng_state()
    torch.manual_seed(seed + 2)  # fixed dev masks
    for s in range(0, len(dev_rows), batch_size):
        dev_batches.append(collate([dict(r) for r in dev_rows[s:s + batch_size]]))
    torch.random.set_rng_state(state)
    dev_batches = [b for b in dev_batches if (b["labels"] != -100).any()]
    if not dev_batches:
        raise ValueError(f"the dev split ({len(dev_rows)} rows) has no token drawn for prediction at rate {rate}; "
                         f"give more rows or a --dev file")
    net.train()
    if table is not None:
        table.train()
    label_params = _label_parameters(net, cond, table)
    rest = [p for p in net.parameters() if p.requires_grad and all(p is not q for q in label_params)]
    groups = [{"params": rest, "lr": lr}] + ([{"params": label_params, "lr": label_lr}] if label_params else [])
    opt = torch.optim.AdamW(groups, lr=lr)
    best = (float("inf"), 0, None, None)
    dev_curve, train_curve = [], []
    t0 = time.perf_counter()
    bar = tqdm(total=max_epochs, desc=f"finetune ({conditioning})", unit="epoch", disable=not progress)
    epoch = 0
    for epoch in range(1, max_epochs + 1):
        net.train()
        order = torch.randperm(len(train_rows), generator=gen).tolist()
        losses = []
        for s in range(0, len(order), batch_size):
            batch = collate([dict(train_rows[i]) for i in order[s:s + batch_size]])
            if not (batch["labels"] != -100).any():  # nothing drawn for prediction: no loss to learn from
                continue
            with autocast:
                loss = _masked_loss(call, batch)
            loss.backward()
            opt.step()
            opt.zero_grad()
            losses.append(loss.item())
        net.eval()
        with torch.no_grad():
            with autocast:
                dev_loss = float(np.mean([_masked_loss(call, b).item() for b in dev_batches]))
        dev_curve.append(dev_loss)
        train_curve.append(float(np.mean(losses)) if losses else float("nan"))
        bar.update(1)
        bar.set_postfix(dev_loss=f"{dev_loss:.3f}")
        if dev_loss < best[0]:
            best = (dev_loss, epoch, copy.deepcopy(net.state_dict()),
                    copy.deepcopy(table.state_dict()) if table is not None else None)
        elif epoch - best[1] >= patience:
            break
        if max_minutes is not None and time.perf_counter() - t0 > 60 * max_minutes:
            break
    bar.close()
    net.load_state_dict(best[2])
    if table is not None:
        table.load_state_dict(best[3])
    out = Path(output)
    out.mkdir(parents=True, exist_ok=True)
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    net.save_pretrained(out)
    tok.save_pretrained(out)
    cond.save(out)
    if table is not None:  # saved on its own; from_pretrained would not know it
        cond.save_label_table(table, out)
    report = FinetuneReport(epoch, best[1], dev_curve, train_curve, time.perf_counter() - t0, len(train_rows),
                            len(dev_rows))
    (out / "maskaug_finetune_log.txt").write_text(report.summary() + "\n")
    return report


def finetune_melm(records: Sequence[tuple[Sequence[str], Sequence[str]]], output, rate: float = 0.7, **kwargs):
    """MELM fine-tuning (Zhou et al. 2022): entity tokens between entity-type markers, and only their pieces
    drawn for prediction (``rate`` of them, BERT's 80/10/10).

    Args:
        records: Token/tag sentences: each a list of tokens and their BIO tags.
        output (str | Path): The folder to save the model in.
        rate: The share of entity pieces drawn for prediction.
        **kwargs (Any): ``finetune``'s other settings (``model``, ``max_epochs``, ``seed``, ...).

    Returns:
        report (FinetuneReport): What the fine-tuning did (``finetune``'s report).
    """
    from maskaug.records.tagged import is_entity, linearize, marker_tokens

    tags = sorted({t for _, ts in records for t in ts if is_entity(t)})
    if not tags:
        raise ValueError("MELM fine-tuning needs records with entity tags (anything but O)")
    markers = marker_tokens(tags)
    lins = [linearize(toks, ts, "entities", markers) for toks, ts in records]
    maskable = [[lin.spans[i] for i, t in enumerate(ts) if is_entity(t)] for lin, (_, ts) in zip(lins, records)]
    return finetune([lin.text for lin in lins], None, output, "melm", classes=tags, maskable=maskable, rate=rate,
                    **kwargs)
