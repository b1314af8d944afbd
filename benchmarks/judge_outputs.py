"""Outputs for a blind judgement (issue 35): the same held-out rows through maskaug's methods and real nlpaug on
the same model, shuffled into judge items by ``../shared/tools/judge/judge.py``.

    python benchmarks/judge_outputs.py --data ../shared/data/trec_cased/test.jsonl --name trec \\
        --data ../shared/data/sst2_cased/test.jsonl --name sst2 --rows 60 --out benchmarks/judged/round1 \\
        --method insert.v3 --method insert.v2 ... --nlpaug

* Rows: each file shuffled with ``--seed``, the first ``--rows`` rows of 6-40 words (never read while tuning),
  leaving out the texts of earlier rounds (``--exclude benchmarks/judged/round1/rows.jsonl``).
* maskaug: ``maskaug augment ROWS --method M --n 1 --seed 0`` on a JSONL with the label column, so each method
  runs as a user's labelled file does (the row's label words kept); a row that got no output is left out.
* nlpaug 1.1.11 (own virtual environment, ``runs/nlpaug-venv``, as ``benchmarks/vs_nlpaug.py`` builds it):
  ``ContextualWordEmbsAug(action=insert|substitute, aug_p=0.15, top_k=20)`` on the built-in model saved to a
  folder.
* ``--model NAME=FOLDER`` runs each dataset's rows with its own MLM (a label-conditioned method needs the model
  fine-tuned on that dataset's training rows); the outputs are merged, source rows numbered as in ``rows.jsonl``.
* Writes ``OUT/rows.jsonl`` (all rows; ``dataset`` says which file; ``rows_named.jsonl`` shows judges the label's
  name), ``OUT/out_SYSTEM.jsonl`` and, through the
  kit, ``OUT/items_K.txt`` + ``OUT/key.json``. Judges get one ``items_K.txt`` and the rubric, nothing else.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
from pathlib import Path

NLPAUG = r'''
import json, sys
import nlpaug.augmenter.word as naw
model, rows, action, out = sys.argv[1:5]
texts = [json.loads(l)["text"] for l in open(rows)]
aug = naw.ContextualWordEmbsAug(model_path=model, model_type="bert", action=action, aug_p=0.15, top_k=20,
                                batch_size=32, device="cpu")
outs = aug.augment(texts)
with open(out, "w") as f:
    for i, o in enumerate(outs):
        f.write(json.dumps({"i": i, "text": o}) + "\n")
'''


# what a judge reads as the label (SST-2's 0/1 and TREC's codes say nothing by themselves)
LABEL_NAMES = {"0": "negative (movie review)", "1": "positive (movie review)",
               "ABBR": "ABBR (asks for an abbreviation)", "DESC": "DESC (asks for a description or definition)",
               "ENTY": "ENTY (asks for an entity/thing)", "HUM": "HUM (asks for a person or group)",
               "LOC": "LOC (asks for a location)", "NUM": "NUM (asks for a number or date)",
               # SNIPS voice-assistant commands (lowercased, no punctuation, as collected)
               "AddToPlaylist": "AddToPlaylist (add a song or artist to a playlist)",
               "BookRestaurant": "BookRestaurant (book a table at a restaurant)",
               "GetWeather": "GetWeather (ask for a weather forecast)", "PlayMusic": "PlayMusic (play some music)",
               "RateBook": "RateBook (give a book a rating)",
               "SearchCreativeWork": "SearchCreativeWork (find a song, film, book, show or game)",
               "SearchScreeningEvent": "SearchScreeningEvent (find a film's showtimes or a cinema)",
               # rows with no sentence label: CoNLL-2003's Reuters sentences and SICK's picture captions
               "news": "news (a sentence from a Reuters news report)",
               "caption": "caption (a sentence describing a picture or a video)"}


def judged(round_dir: Path) -> list[tuple[dict, dict]]:
    """A judged round's outputs (``key.json`` entries) with each one's judgement (its ``judged_K.jsonl`` line)."""
    verdicts = {}
    for f in sorted(round_dir.glob("judged_*.jsonl")):
        for line in f.open():
            if line.strip():
                d = json.loads(line)
                verdicts[d["item"]] = d
    return [(k, verdicts[k["item"]]) for k in json.loads((round_dir / "key.json").read_text())]


def pick_rows(path: Path, rows: int, seed: int, exclude: frozenset[str] = frozenset()) -> list[dict]:
    """The first ``rows`` rows of 6-40 words of ``path`` after a seeded shuffle, leaving out the texts in
    ``exclude``."""
    all_rows = [json.loads(line) for line in path.open() if line.strip()]
    random.Random(seed).shuffle(all_rows)
    return [r for r in all_rows if 6 <= len(r["text"].split()) <= 40 and r["text"] not in exclude][:rows]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, action="append", required=True)
    ap.add_argument("--name", action="append", required=True)
    ap.add_argument("--rows", type=int, default=60)
    ap.add_argument("--seed", type=int, default=35)
    ap.add_argument("--method", action="append", default=[],
                    help="a method spec; NAME=SPEC names its outputs (insert.v4-context=insert.v4:context_drop=2.0)")
    ap.add_argument("--model", action="append", default=[], metavar="NAME=FOLDER",
                    help="the MLM for one dataset's rows (a label-conditioned method needs the model fine-tuned "
                         "on that dataset); default: the built-in model")
    ap.add_argument("--exclude", type=Path, action="append", default=[], metavar="ROWS.jsonl",
                    help="leave out the texts of earlier rounds (their rows.jsonl), so every row is fresh")
    ap.add_argument("--nlpaug", action="store_true")
    ap.add_argument("--venv", type=Path, default=Path("runs/nlpaug-venv"))
    ap.add_argument("--per-file", type=int, default=210)
    ap.add_argument("--out", type=Path, required=True)
    a = ap.parse_args()
    a.out.mkdir(parents=True, exist_ok=True)
    seen = frozenset(json.loads(line)["text"] for f in a.exclude for line in f.open() if line.strip())
    rows = []
    for path, name in zip(a.data, a.name):
        rows += [{"text": r["text"], "label": str(r["label"]), "dataset": name,
                  "label_name": LABEL_NAMES[str(r["label"])]} for r in pick_rows(path, a.rows, a.seed, seen)]
    src = a.out / "rows.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in rows))
    models = dict(spec.split("=", 1) for spec in a.model)
    outputs = []
    for spec in a.method:
        system, _, m = spec.partition("=") if "=" in spec.split(":")[0] else (spec, "", spec)
        out = a.out / f"out_{system}.jsonl"
        if not models:
            subprocess.run(["maskaug", "augment", str(src), "-o", str(out), "--method", m, "--n", "1", "--seed",
                            "0", "--overwrite"], check=True)
        else:  # each dataset's rows with its own model; source rows renumbered into rows.jsonl
            merged = []
            for name in a.name:
                mine = [i for i, r in enumerate(rows) if r["dataset"] == name]
                part, part_out = a.out / f"rows_{name}.jsonl", a.out / f"out_{system}_{name}.jsonl"
                part.write_text("".join(json.dumps(rows[i]) + "\n" for i in mine))
                subprocess.run(["maskaug", "augment", str(part), "-o", str(part_out), "--method", m, "--n", "1",
                                "--seed", "0", "--overwrite", "--model", models[name]], check=True)
                for line in part_out.read_text().splitlines():
                    r = json.loads(line)
                    merged.append({**r, "aug_source_row": mine[r["aug_source_row"]]})
            out.write_text("".join(json.dumps(r) + "\n" for r in merged))
        outputs.append(f"{system}={out}")
    if a.nlpaug:
        from maskaug.model.loading import load_mlm

        folder = Path("runs/builtin-model")
        if not (folder / "config.json").is_file():
            mlm = load_mlm(None, device="cpu")
            mlm.model.save_pretrained(folder)
            mlm.tokenizer.save_pretrained(folder)
        worker = a.out / "nlpaug_worker.py"
        worker.write_text(NLPAUG)
        for action in ("insert", "substitute"):
            out = a.out / f"out_nlpaug-{action}.jsonl"
            subprocess.run([str(a.venv / "bin" / "python"), str(worker), str(folder), str(src), action, str(out)],
                           check=True)
            outputs.append(f"nlpaug-{action}={out}")
        worker.unlink()
    named = a.out / "rows_named.jsonl"  # the kit shows the "label" column: the label's name
    named.write_text("".join(json.dumps({**r, "label": r["label_name"]}) + "\n" for r in rows))
    kit = Path(__file__).resolve().parents[2] / "shared" / "tools" / "judge" / "judge.py"
    subprocess.run([sys.executable, str(kit), "items", str(named), *outputs, "-o", str(a.out),
                    "--per-file", str(a.per_file)], check=True)


if __name__ == "__main__":
    main()
