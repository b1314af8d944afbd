#!/usr/bin/env bash
# One prepared run on a lent GPU machine (issue 14): install, test on CUDA, benchmark, retrain the built-in model.
#
#   here:   benchmarks/gpu_prepare.sh            # wheels the GPU image lacks -> .carry/wheels (ignored by git)
#   there:  device.run(command="bash benchmarks/gpu_check.sh", carry=[".carry"], timeout_s=590)
#
# Everything lands in $OUT (logs, JSON results, the new delta); each stage has its own time box so the whole
# script ends inside the 10-minute limit even when a stage hangs. SMOKE=1 runs the same stages on CPU, small.
set -uo pipefail
OUT=${OUT:-runs/gpu}
mkdir -p "$OUT"
PY=${PY:-python3}
export PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1
[ -d .carry/minilm-base ] && export MASKAUG_BASE_MODEL=$PWD/.carry/minilm-base
log() { echo "[$(date +%H:%M:%S)] $*" | tee -a "$OUT/steps.log"; }

log "install"
if [ -d .carry/wheels ]; then
  $PY -m pip install -q --no-index --find-links .carry/wheels -r .carry/wheels/requirements.txt 2>&1 | tail -3
fi
$PY -m pip install -q --no-deps --no-build-isolation -e . 2>&1 | tail -3
$PY - <<'PY' | tee "$OUT/env.txt"
import torch, transformers
print("torch", torch.__version__, "cuda", torch.cuda.is_available(),
      torch.cuda.get_device_name() if torch.cuda.is_available() else "-", "transformers", transformers.__version__)
PY

if [ "${SMOKE:-0}" = 1 ]; then DEV=cpu; ROWS=2000; STEPS=20; else DEV=cuda; ROWS=60000; STEPS=0; fi

if [ "${SKIP_TESTS:-0}" != 1 ]; then
  log "tests on $DEV (the suite with MASKAUG_DEVICE=$DEV, and the gpu-marked tests)"
  MASKAUG_DEVICE=$DEV timeout 200 $PY -m pytest -q -x -p no:cacheprovider -m "not slow" \
    --junitxml="$OUT/tests.xml" 2>&1 | tail -5 | tee "$OUT/tests.txt"
  timeout 60 $PY -m pytest -q -p no:cacheprovider -m gpu -rA tests/model/test_gpu.py 2>&1 | tail -15 \
    | tee "$OUT/gpu_tests.txt"
fi

log "speed: substitute vs the bare pass and the one-mask baseline, bf16, $ROWS sentences"
DATA=${DATA:-.carry/sst2_test.jsonl}
timeout 150 $PY benchmarks/bench_substitute.py --data "$DATA" --repeat-to "$ROWS" --dtype bf16 --device $DEV \
  --baseline-limit 300 2>&1 | tee "$OUT/bench_builtin.txt"
timeout 120 $PY benchmarks/bench_substitute.py --data "$DATA" --repeat-to "$ROWS" --dtype bf16 --device $DEV \
  --model bert-base-random --baseline-limit 200 2>&1 | tee "$OUT/bench_bert_base.txt"

log "retrain the built-in model (continued), then score it"
if [ -f .carry/corpus.txt ]; then
  timeout 240 $PY tools/default_model/train.py --corpus .carry/corpus.txt --minutes 3 --steps "$STEPS" \
    --eval "$DATA" --out "$OUT/delta.safetensors" 2>&1 | tail -8 | tee "$OUT/train.txt"
fi
if [ -d .carry/data ] && [ "${SKIP_SEMISUP:-0}" != 1 ]; then
  log "semi-supervised sweep (issue 28): S=15, 300 steps, U=4000, on $DEV; resumable from \$OUT/semisup/cache"
  DATA=.carry/data OUT="$OUT/semisup" S=${SEMI_S:-15} STEPS=300 U=4000 DEVICE=$DEV \
    timeout "${SEMI_SECONDS:-300}" bash benchmarks/semisup.sh 2>&1 | tail -5 | tee "$OUT/semisup.txt"
fi
log "done"
