"""maskaug against the real nlpaug, side by side, at equal work; and maskaug's cost against n and length.

    python benchmarks/vs_nlpaug.py --data ../shared/data/sst2_cased/test.jsonl --out runs/vs_nlpaug.json \\
        --plot docs/figures/speed_scaling.png

* nlpaug 1.1.11 needs transformers < 5, so it runs from its own virtual environment (``--venv``; built on
  first use with ``pip install torch==2.13.0 "transformers<5" nlpaug==1.1.11``).
* The model under test (the built-in model by default) is saved once to a folder that both tools load.
* Workloads: the first ``--sentences`` sentences of ``--data``, and documents of ~50, ~200 and ~1,000 words
  made by joining consecutive sentences of the same file (no new data).
* Equal work: nlpaug runs ``ContextualWordEmbsAug(action="substitute", aug_p=0.1, top_k=20, batch_size=32,
  aug_max=None)``; maskaug's ``substitute`` rate is then calibrated until its words changed per text
  (lower-cased, punctuation ignored: a word diff of ``\\w+`` tokens) is within 10% of nlpaug's.
* Rounds alternate nlpaug, maskaug, nlpaug, maskaug, ...; each is a fresh process, timed around the augment
  call only (loading excluded), with ``torch.set_num_threads(--threads)``. Median and range of ``--rounds``.
* What nlpaug does to the text besides the edits is counted: outputs lower-cased, and spacing changed around
  punctuation (`` ,``/`` .``/``n't`` split) where the source had none.
* Scaling: maskaug's seconds per row for n = 1, 4, 16 on each workload, against tokens per row (plot).
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

NLPAUG_WORKER = r'''
import json, sys, time
import torch
torch.set_num_threads(int(sys.argv[5]))
import nlpaug.augmenter.word as naw
model, texts_path, aug_p, out_path = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
texts = json.load(open(texts_path))
aug = naw.ContextualWordEmbsAug(model_path=model, model_type="bert", action="substitute", aug_p=aug_p,
                                aug_max=None, top_k=20, batch_size=32, device="cpu")
aug.augment(texts[:2])
t0 = time.perf_counter()
outs = aug.augment(texts)
secs = time.perf_counter() - t0
json.dump({"seconds": secs, "outputs": outs}, open(out_path, "w"))
'''

WORD = re.compile(r"\w+")


def words_changed(src: str, out: str) -> int:
    """Words replaced, inserted or deleted between two texts, lower-cased, punctuation ignored."""
    a, b = WORD.findall(src.lower()), WORD.findall(out.lower())
    ops = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    return sum(max(i2 - i1, j2 - j1) for tag, i1, i2, j1, j2 in ops if tag != "equal")


def text_effects(srcs: list[str], outs: list[str]) -> dict:
    """Shares of outputs lower-cased (the source had capitals) and with punctuation spacing the source lacked."""
    spaced = re.compile(r" [,.!?;:]| n't| '")
    lower = sum(o == o.lower() and s != s.lower() for s, o in zip(srcs, outs))
    spacing = sum(len(spaced.findall(o)) > len(spaced.findall(s)) for s, o in zip(srcs, outs))
    return {"lowercased": round(lower / len(outs), 4), "spacing_changed": round(spacing / len(outs), 4)}


def workloads(path: Path, sentences: int, docs: dict[int, int]) -> dict[str, list[str]]:
    rows = [json.loads(x)["text"] for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
    out = {"sentences": rows[:sentences]}
    for size, count in docs.items():
        made, cur, i = [], [], 0
        while len(made) < count:
            cur.append(rows[i % len(rows)])
            i += 1
            if sum(len(s.split()) for s in cur) >= size:
                made.append(" ".join(cur))
                cur = []
        out[f"docs{size}"] = made
    return out


def ensure_venv(venv: Path) -> Path:
    py = venv / "bin" / "python"
    if not py.is_file():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(py), "-m", "pip", "install", "-q", "torch==2.13.0", "transformers<5", "nlpaug==1.1.11"],
                       check=True)
    return py


def save_model(model: str | None, folder: Path) -> Path:
    if not (folder / "config.json").is_file():
        from maskaug.model.loading import load_mlm

        mlm = load_mlm(model, device="cpu")
        mlm.model.save_pretrained(folder)
        mlm.tokenizer.save_pretrained(folder)
    return folder


def run_nlpaug(py: Path, model: Path, texts_path: Path, aug_p: float, work: Path, threads: int) -> dict:
    worker = work / "nlpaug_worker.py"
    worker.write_text(NLPAUG_WORKER)
    out = work / "nlpaug_out.json"
    env = {**os.environ, "TOKENIZERS_PARALLELISM": "false"}
    subprocess.run([str(py), str(worker), str(model), str(texts_path), str(aug_p), str(out), str(threads)],
                   check=True, env=env, capture_output=True)
    return json.loads(out.read_text())


def run_maskaug(model: Path, texts_path: Path, rate: float, n: int, work: Path, threads: int) -> dict:
    out = work / "maskaug_out.json"
    subprocess.run([sys.executable, __file__, "--_maskaug", str(model), str(texts_path), str(rate), str(n), str(out),
                    str(threads)], check=True, capture_output=True)
    return json.loads(out.read_text())


def maskaug_worker(model: str, texts_path: str, rate: str, n: str, out_path: str, threads: str) -> None:
    import torch

    torch.set_num_threads(int(threads))
    from maskaug.augmenter import Augmenter

    texts = json.loads(Path(texts_path).read_text())
    aug = Augmenter("substitute", model=model, n=int(n), seed=0, rate=float(rate))
    aug.augment(texts[:2])
    t0 = time.perf_counter()
    outs = aug.augment(texts)
    secs = time.perf_counter() - t0
    tokens = sum(len(aug.mlm.tokenizer(t, add_special_tokens=False)["input_ids"]) for t in texts)
    outputs = [o[0] if o else t for o, t in zip(outs, texts)]
    Path(out_path).write_text(json.dumps({"seconds": secs, "outputs": outputs, "tokens": tokens}))


def mean_changed(srcs: list[str], outs: list[str]) -> float:
    return statistics.mean(words_changed(s, o) for s, o in zip(srcs, outs))


def summary(xs: list[float]) -> dict:
    return {"median": round(statistics.median(xs), 3), "min": round(min(xs), 3), "max": round(max(xs), 3)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, help="JSONL with a text column (sentences)")
    ap.add_argument("--model", default=None, help="the model under test (default: the built-in model)")
    ap.add_argument("--venv", type=Path, default=Path("runs/nlpaug-venv"))
    ap.add_argument("--work", type=Path, default=Path("runs/vs_nlpaug"))
    ap.add_argument("--sentences", type=int, default=300)
    ap.add_argument("--docs", default="50:40,200:20,1000:4", help="words:count of each document workload")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--aug-p", type=float, default=0.1)
    ap.add_argument("--only", action="append", help="run only these workloads (sentences, docs50, ...)")
    ap.add_argument("--scaling-n", default="1,4,16")
    ap.add_argument("--out", type=Path)
    ap.add_argument("--plot", type=Path)
    ap.add_argument("--_maskaug", nargs=6, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args._maskaug:
        maskaug_worker(*args._maskaug)
        return
    if args.data is None:
        ap.error("--data is required")
    args.work.mkdir(parents=True, exist_ok=True)
    py = ensure_venv(args.venv)
    model = save_model(args.model, args.work / "model")
    docs = {int(a): int(b) for a, b in (x.split(":") for x in args.docs.split(","))}
    results = {"machine": machine(), "threads": args.threads, "aug_p": args.aug_p, "workloads": {}}
    for name, texts in workloads(args.data, args.sentences, docs).items():
        if args.only and name not in args.only:
            continue
        texts_path = args.work / f"{name}.json"
        texts_path.write_text(json.dumps(texts))
        words = statistics.mean(len(t.split()) for t in texts)
        print(f"== {name}: {len(texts)} texts, {words:.0f} words each", flush=True)
        try:
            nl = [run_nlpaug(py, model, texts_path, args.aug_p, args.work, args.threads)]
        except subprocess.CalledProcessError as exc:  # say what nlpaug did, keep maskaug's scaling
            err = exc.stderr.decode(errors="replace").strip().splitlines()[-1:] if exc.stderr else []
            res = {"texts": len(texts), "words_per_text": round(words, 1), "nlpaug_failed": " ".join(err)[:300],
                   "maskaug_scaling": scaling_of(model, texts_path, args, len(texts))}
            results["workloads"][name] = res
            print(json.dumps(res), flush=True)
            continue
        target = mean_changed(texts, nl[0]["outputs"])
        rate, tries = 0.15, []
        for _ in range(6):  # calibrate maskaug's rate to nlpaug's words changed per text
            ma = run_maskaug(model, texts_path, rate, 1, args.work, args.threads)
            got = mean_changed(texts, ma["outputs"])
            tries.append({"rate": round(rate, 4), "words_changed": round(got, 2)})
            if abs(got - target) <= 0.1 * target:
                break
            rate = min(0.9, rate * target / max(got, 1e-6))
        mas = [ma]
        for _ in range(args.rounds - 1):
            nl.append(run_nlpaug(py, model, texts_path, args.aug_p, args.work, args.threads))
            mas.append(run_maskaug(model, texts_path, rate, 1, args.work, args.threads))
        n_texts = len(texts)
        nl_rate = [n_texts / r["seconds"] for r in nl]
        ma_rate = [n_texts / r["seconds"] for r in mas]
        nl_changed = statistics.mean(mean_changed(texts, r["outputs"]) for r in nl)
        ma_changed = statistics.mean(mean_changed(texts, r["outputs"]) for r in mas)
        res = {"texts": n_texts, "words_per_text": round(words, 1),
               "nlpaug_texts_per_s": summary(nl_rate), "maskaug_texts_per_s": summary(ma_rate),
               "ratio": round(statistics.median(ma_rate) / statistics.median(nl_rate), 1),
               "nlpaug_words_changed": round(nl_changed, 2), "maskaug_words_changed": round(ma_changed, 2),
               "nlpaug_edits_per_s": round(statistics.median(nl_rate) * nl_changed, 1),
               "maskaug_edits_per_s": round(statistics.median(ma_rate) * ma_changed, 1),
               "maskaug_rate": round(rate, 4), "calibration": tries,
               "nlpaug_text_effects": text_effects(texts, nl[0]["outputs"]),
               "maskaug_text_effects": text_effects(texts, mas[0]["outputs"]),
               "examples": [{"source": s, "nlpaug": a, "maskaug": b}
                            for s, a, b in list(zip(texts, nl[0]["outputs"], mas[0]["outputs"]))[:2]
                            if len(s) < 400]}
        res["maskaug_scaling"] = scaling_of(model, texts_path, args, n_texts)
        results["workloads"][name] = res
        print(json.dumps({k: v for k, v in res.items() if k != "examples"}), flush=True)
        if args.out:
            args.out.write_text(json.dumps(results, indent=1))
    if args.plot:
        plot(results, args.plot)


def scaling_of(model: Path, texts_path: Path, args, n_texts: int) -> list[dict]:
    """maskaug's seconds per row at its default rate for each n of ``--scaling-n``."""
    out = []
    for n in [int(x) for x in args.scaling_n.split(",")]:
        r = run_maskaug(model, texts_path, 0.15, n, args.work, args.threads)
        out.append({"n": n, "seconds_per_row": round(r["seconds"] / n_texts, 5),
                    "tokens_per_row": round(r["tokens"] / n_texts, 1)})
    return out


def machine() -> str:
    try:
        name = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        name = "unknown CPU"
    return f"{name}, {os.cpu_count()} cores"


def plot(results: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    loads = results["workloads"]
    for name, res in loads.items():
        xs = [s["n"] for s in res["maskaug_scaling"]]
        left.plot(xs, [s["seconds_per_row"] * 1000 for s in res["maskaug_scaling"]], marker="o",
                  label=f"{name} ({res['words_per_text']:.0f} words)")
    left.set_xlabel("outputs per row (n)")
    left.set_ylabel("ms per row")
    left.set_xscale("log", base=2)
    left.set_yscale("log")
    left.set_title("maskaug: cost per row against n")
    left.legend()
    ns = sorted({s["n"] for res in loads.values() for s in res["maskaug_scaling"]})
    for n in ns:
        pts = sorted((s["tokens_per_row"], s["seconds_per_row"] * 1000) for res in loads.values()
                     for s in res["maskaug_scaling"] if s["n"] == n)
        right.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", label=f"maskaug n={n}")
    pts = sorted((res["maskaug_scaling"][0]["tokens_per_row"], 1000 / res["nlpaug_texts_per_s"]["median"])
                 for res in loads.values() if "nlpaug_texts_per_s" in res)
    right.plot([p[0] for p in pts], [p[1] for p in pts], marker="s", color="black", label="nlpaug 1.1.11 (n=1)")
    right.set_xlabel("tokens per row")
    right.set_ylabel("ms per row")
    right.set_xscale("log")
    right.set_yscale("log")
    right.set_title("cost against length")
    right.legend()
    fig.suptitle(f"{results['machine']}, {results['threads']} threads", fontsize=9)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)


if __name__ == "__main__":
    main()
