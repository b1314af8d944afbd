#!/usr/bin/env bash
# Issue 28's measurements: learning from unlabelled text, paired against none / copy and each arm's view=none control.
#
#   benchmarks/semisup.sh                                  # 2-core CPU here: S=5, 100 steps, U=1000
#   S=15 STEPS=300 U=4000 DEVICE=cuda benchmarks/semisup.sh  # the full sweep, for a lent GPU (gpu_check.sh)
#
# Three settings, each one `maskaug evaluate` (resumable: every run is kept in $CACHE):
#   trec, sst2: kumar2020 k=10, --unlabelled rest (the training rows a split did not draw);
#   sst2->pc:   domain adaptation, source eda_sst2 (k=$K_DA per class), target eda_pc (unlabelled: its train file,
#               labels dropped; test: its test file).
# Arms: none, copy, tapt, selftrain and uda with a masked-LM view (substitute) and with view=none.
set -euo pipefail
DATA=${DATA:-../shared/data}
OUT=${OUT:-runs/semisup}
CACHE=${CACHE:-$OUT/cache}
S=${S:-5} STEPS=${STEPS:-100} U=${U:-1000} K_DA=${K_DA:-10} TEST_LIMIT=${TEST_LIMIT:-1000}
ONLY=${ONLY:-trec sst2 sst2-pc}
DEVICE_ARGS=()
[ -n "${DEVICE:-}" ] && DEVICE_ARGS=(--device "$DEVICE")
# SPECS: the arms, space-separated (each spec's parameters comma-separated, as --method takes them)
SPECS=${SPECS:-copy tapt selftrain selftrain:view=none uda uda:view=none}
ARMS=(--methods none)
for spec in $SPECS; do ARMS+=(--method "$spec"); done
run() {  # name, evaluate arguments...
  local name=$1; shift
  mkdir -p "$OUT"
  echo "[$(date +%H:%M:%S)] $name" | tee -a "$OUT/steps.log"
  python -m maskaug.cli evaluate "$@" --classifier finetune --steps "$STEPS" --splits "$S" \
    --unlabelled-size "$U" --test-limit "$TEST_LIMIT" --cache-dir "$CACHE" --no-quality "${DEVICE_ARGS[@]}" \
    "${ARMS[@]}" -o "$OUT/$name" --quiet > "$OUT/$name.log" 2>&1 || { tail -5 "$OUT/$name.log"; return 1; }
}
for which in $ONLY; do
  case $which in
    trec) run trec "$DATA/trec_cased/train.jsonl" --test "$DATA/trec_cased/test.jsonl" --unlabelled rest ;;
    sst2) run sst2 "$DATA/sst2_cased/train.jsonl" --test "$DATA/sst2_cased/test.jsonl" --unlabelled rest ;;
    sst2-pc) run sst2-pc "$DATA/eda_sst2/train_orig.jsonl" --test "$DATA/eda_pc/test.jsonl" --k "$K_DA" \
               --unlabelled "$DATA/eda_pc/train_orig.jsonl" ;;
  esac
done
echo "[$(date +%H:%M:%S)] done" | tee -a "$OUT/steps.log"
