#!/usr/bin/env bash
# GPU check on one H100/H200: the benchmark (official-style pipeline vs plain vs fast
# variants, 3 epochs each) and the 200-epoch CIFAR-10-LT r=100 de-confound and CE runs with the
# fastest fast-path variant the benchmark found.
#
# 1. Here, on the CPU machine, once (reads ../shared/data/cifar10-jpeg):
#        bash benchmarks/gpu_check.sh --prepare
#    -> data/gpu-check/cifar10-r100-jpeg: the r=100 train subset (seed 0) + the test set, ~19 MB
#    (the GPU image has every package lt_causal imports; wheels put in data/gpu-check/wheels,
#    if ever needed, are installed there first)
# 2. On the GPU machine, from the repository root, in one call of the device tool:
#        run(command="bash benchmarks/gpu_check.sh", carry=["data/gpu-check"], timeout_s=540)
#    $OUT receives gpu.txt, bench.txt, bench.json, results.json, summary.md and log.txt (6 files).
#    Expected: ~4-5 min (decode ~5 s, bench ~2 min of which ~1 min compiling, two runs of
#    compile + 200 epochs). Each stage has its own limit (GPU_CHECK_BENCH_TIMEOUT,
#    GPU_CHECK_RUNS_TIMEOUT), so a hang still returns what the earlier stages wrote.
#    Shorter rerun: GPU_CHECK_EPOCHS=100 GPU_CHECK_METHODS=deconfound bash benchmarks/gpu_check.sh
#    (the inductor cache in /tmp makes a rerun on the same warm machine compile faster).
#
# --quick runs the same steps on a CPU in seconds (the tests): GPU_CHECK_SRC names a small image
# tree, the bench runs official,plain,fast:none for 1 epoch, the runs train 2 epochs.
set -euo pipefail
cd "$(dirname "$0")/.."
QUICK=0
PREPARE=0
for arg in "$@"; do
    case "$arg" in
        --quick) QUICK=1 ;;
        --prepare) PREPARE=1 ;;
        *) echo "usage: $0 [--prepare] [--quick]" >&2; exit 2 ;;
    esac
done
PY=${PYTHON:-python3}
SRC=${GPU_CHECK_SRC:-../shared/data/cifar10-jpeg}
DATA=${GPU_CHECK_DATA:-data/gpu-check}
FOLDER="$DATA/cifar10-r100-jpeg"
OUT=${OUT:-gpu-check-out}
IMBALANCE=${GPU_CHECK_IMBALANCE:-100}
METHODS=${GPU_CHECK_METHODS:-deconfound ce}
if [ "$QUICK" = 1 ]; then
    EPOCHS=${GPU_CHECK_EPOCHS:-2}; BENCH_EPOCHS=1; BATCH=16; WORKERS=0; DEVICE=cpu
    PIPELINES=${GPU_CHECK_PIPELINES:-official,plain,fast:none}
else
    EPOCHS=${GPU_CHECK_EPOCHS:-200}; BENCH_EPOCHS=3; BATCH=256; WORKERS=12; DEVICE=cuda
    PIPELINES=${GPU_CHECK_PIPELINES:-official,plain,fast:none+graph,fast:default+graph,fast:reduce-overhead}
fi

if [ "$PREPARE" = 1 ]; then
    "$PY" benchmarks/gpu_check.py subset --src "$SRC" --dst "$FOLDER" --imbalance "$IMBALANCE"
    exit 0
fi

[ -d "$FOLDER/train" ] || { echo "$FOLDER is missing: run 'bash $0 --prepare' first and carry $DATA" >&2; exit 1; }
mkdir -p "$OUT"
export PYTHONUNBUFFERED=1
if ls "$DATA"/wheels/*.whl >/dev/null 2>&1; then
    "$PY" -m pip install -q --no-index --no-deps --no-compile --target /tmp/gpu-check-site "$DATA"/wheels/*.whl
    export PYTHONPATH=/tmp/gpu-check-site${PYTHONPATH:+:$PYTHONPATH}
fi
{ nvidia-smi -L 2>/dev/null || echo "no nvidia-smi"
  "$PY" -c "import torch; print('torch', torch.__version__, 'cuda', torch.cuda.is_available())"; } > "$OUT/gpu.txt"
cat "$OUT/gpu.txt"
if [ "$QUICK" = 0 ] && ! "$PY" -c "import sys, torch; sys.exit(not torch.cuda.is_available())"; then
    echo "no CUDA device here: use --quick on a CPU" >&2
    exit 1
fi

set -o pipefail
status=0
timeout "${GPU_CHECK_BENCH_TIMEOUT:-240}" "$PY" -m lt_causal bench --dataset folder --folder "$FOLDER" \
    --imbalance none --epochs "$BENCH_EPOCHS" --batch-size "$BATCH" --workers "$WORKERS" \
    --pipelines "$PIPELINES" --device "$DEVICE" --json "$OUT/bench.json" 2>&1 | tee "$OUT/log.txt" || status=$?
grep -B 3 -A 20 '^pipeline' "$OUT/log.txt" > "$OUT/bench.txt" || true
# shellcheck disable=SC2086  # METHODS is a list
timeout "${GPU_CHECK_RUNS_TIMEOUT:-300}" "$PY" benchmarks/gpu_check.py runs --folder "$FOLDER" --out "$OUT" \
    --bench-json "$OUT/bench.json" --methods $METHODS --epochs "$EPOCHS" --batch-size "$BATCH" \
    --device "$DEVICE" --runs-dir "${GPU_CHECK_RUNS_DIR:-/tmp/gpu-check-runs}" 2>&1 | tee -a "$OUT/log.txt" || status=$?
exit "$status"
