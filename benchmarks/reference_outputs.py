"""Every method's ``maskaug augment`` output on the bundled samples, hashed: the check that a refactor changes nothing.

    python benchmarks/reference_outputs.py make runs/ref-new                 # this checkout
    PYTHONPATH=../ref/src python benchmarks/reference_outputs.py make runs/ref-old   # another checkout
    python benchmarks/reference_outputs.py compare runs/ref-old runs/ref-new

``make`` runs each case below in a fresh process (CLI and Python API, every record type, the built-in model;
the label-conditioned methods on models fine-tuned for one epoch from ``examples/``), keeps its output file and
writes ``manifest.json`` (sha256 per case, or the error a case ended with; ``--only a,b`` reruns those cases).
``compare`` prints, per case, identical / same error / different / only in one, and exits 1 on any difference.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE, NER, QA = (str(ROOT / "examples" / f) for f in ("sample.csv", "ner_sample.jsonl", "qa_sample.jsonl"))
CLI = [sys.executable, "-c", "import sys; from maskaug.cli import main; sys.exit(main())"]

# name -> augment arguments (the output path is appended)
AUGMENT = {
    "default": [SAMPLE, "--n", "2"],
    "default-labelled": [SAMPLE, "--n", "2", "--label-column", "label", "--seed", "3"],
    **{m: [SAMPLE, "--method", m, "--n", "2", "--seed", "1"]
       for m in ("substitute", "insert", "iterative", "mask", "ssmba", "infill", "eda")},
    "substitute-protect": [SAMPLE, "--method", "substitute", "--n", "3", "--rate", "0.3", "--protect", r"\w+ing"],
    "insert-topk": [SAMPLE, "--method", "insert", "--n", "2", "--top-k", "5", "--temperature", "0.7"],
    "infill-sketch": [SAMPLE, "--method", "infill", "--param", "sketch=true", "--n", "2"],
    "choose": [SAMPLE, "--method", "substitute", "--n", "2", "--choose", "3", "--choose-by", "fluency"],
    "constraints": [SAMPLE, "--method", "substitute", "--n", "2", "--max-edit-rate", "0.3", "--max-fluency-drop", "2"],
    "keep-original": [SAMPLE, "--method", "substitute", "--keep-original"],
    "ner-substitute": [NER, "--method", "substitute", "--n", "2"],
    "ner-eda": [NER, "--method", "eda", "--n", "2"],
    "qa-substitute": [QA, "--method", "substitute", "--n", "2"],
    "qa-insert": [QA, "--method", "insert", "--n", "2"],
}
# conditioning -> (training file, label arguments, the method it serves)
FINETUNED = {
    "prepend": (SAMPLE, ["--label-column", "label"], "prepend"),
    "expand": (SAMPLE, ["--label-column", "label"], "expand"),
    "cbert": (SAMPLE, ["--label-column", "label"], "cbert"),
    "melm": (NER, [], "melm"),
}
API = {
    "api-strings": "print(json.dumps(maskaug.augment(['A warm, funny and beautifully acted film.', "
                   "'The plot is thin and the jokes fall flat.'], n=2, seed=4)))",
    "api-dicts": "print(json.dumps(maskaug.augment([{'text': 'The plot is thin and the jokes fall flat.', "
                 "'label': 'negative'}], method='iterative', n=2, rate=0.3, label_column='label')))",
    "api-map": "f = maskaug.map_function(maskaug.Augmenter('insert', seed=2), n=2)\n"
               "print(json.dumps(f({'text': ['A warm, funny and beautifully acted film.', 'I checked my watch.']})))",
}


def _run(args: list[str], log: Path) -> str | None:
    proc = subprocess.run(args, capture_output=True, text=True, env={**os.environ, "TOKENIZERS_PARALLELISM": "false"})
    log.write_text(proc.stdout + proc.stderr)
    return None if proc.returncode == 0 else (proc.stderr.strip().splitlines() or [f"exit {proc.returncode}"])[-1]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def make(out: Path, only: set[str] | None = None) -> dict:
    """Run the cases (``only``: these, the others kept from an earlier manifest) and write the manifest."""
    out.mkdir(parents=True, exist_ok=True)
    manifest: dict[str, dict] = {}
    if only and (out / "manifest.json").is_file():
        manifest = json.loads((out / "manifest.json").read_text())

    def wanted(name: str) -> bool:
        return not only or name in only

    def record(name: str, error: str | None, path: Path) -> None:
        manifest[name] = {"error": error} if error or not path.exists() else {"sha256": _digest(path)}
        print(f"{name:22s} {manifest[name].get('sha256', manifest[name].get('error'))}", flush=True)

    for name, args in AUGMENT.items():
        if not wanted(name):
            continue
        target = out / f"{name}.jsonl"
        record(name, _run([*CLI, "augment", *args, "-o", str(target), "--quiet", "--overwrite"], out / f"{name}.log"),
               target)
    for cond, (train, label, method) in FINETUNED.items():
        if not wanted(method):
            continue
        model = out / f"model-{cond}"
        error = _run([*CLI, "finetune", train, *label, "--conditioning", cond, "-o", str(model), "--max-epochs", "1",
                      "--quiet"], out / f"model-{cond}.log")
        target = out / f"{method}.jsonl"
        if not error:
            error = _run([*CLI, "augment", train, *label, "--method", method, "--model", str(model), "--n", "2",
                          "-o", str(target), "--quiet", "--overwrite"], out / f"{method}.log")
        record(method, error, target)
    for name, code in API.items():
        if not wanted(name):
            continue
        target = out / f"{name}.json"
        error = _run([sys.executable, "-c", f"import json, maskaug\n{code}"], out / f"{name}.log")
        if not error:
            target.write_text((out / f"{name}.log").read_text().splitlines()[-1] + "\n")
        record(name, error, target)
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    return manifest


def compare(a: Path, b: Path) -> int:
    old = json.loads((a / "manifest.json").read_text())
    new = json.loads((b / "manifest.json").read_text())
    counts = {"identical": 0, "different": 0}
    for name in sorted(old.keys() | new.keys()):
        x, y = old.get(name), new.get(name)
        if x is None or y is None:
            print(f"{name:22s} only in {a if y is None else b}: {x or y}")
            continue
        same = x == y
        counts["identical" if same else "different"] += 1
        print(f"{name:22s} {('identical' if 'sha256' in x else 'same error') if same else 'DIFFERENT'}"
              + ("" if same else f": {x} -> {y}"))
    print(f"{counts['identical']} identical, {counts['different']} different")
    return 1 if counts["different"] else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    mk = sub.add_parser("make")
    mk.add_argument("out", type=Path)
    mk.add_argument("--only", help="comma-separated case names to (re)run")
    cmp = sub.add_parser("compare")
    cmp.add_argument("a", type=Path)
    cmp.add_argument("b", type=Path)
    args = parser.parse_args()
    if args.command == "make":
        make(args.out, set(args.only.split(",")) if args.only else None)
        return 0
    return compare(args.a, args.b)


if __name__ == "__main__":
    sys.exit(main())
