#!/usr/bin/env bash
# The one prepared check for a GPU machine (no .NET there): run from the repository root with
#   bench/gpu-check.sh [catsdogs binary] [training data tarball]
# defaults: publish/gpu/catsdogs (bench/publish-for-gpu.sh) and bench/out/cifar-train.tar.gz
# (data/cifar-catsdogs/train packed by the same script's --with-data). Steps:
#   0. bench/cuda_preflight.py: every GPU library opens and has every symbol the bindings use
#   1. catsdogs selftest --device cuda (every op against the CPU, then a falling loss)
#   2. catsdogs bench model --device cuda for deep6, baseline and resnet9 at batch 512
#   3. bench/torch_reference.py on the same GPU, and the ratio of ours to PyTorch eager
#   4. a 3-epoch catsdogs train --device cuda on the carried data: mean GPU utilization from
#      gpu.csv and the input-wait fraction from metrics.csv
#   5. the input path on the carried data at 1 to all of the machine's cores (bench input --sweep,
#      decoding every image), each row beside the decode limit (bench/libjpeg_limit.c, which the
#      bundle carries built) at the same thread count, then a pass served from the memory cache
#   6. catsdogs tune --device cuda on the carried data: the largest batch that fits (up to 1024) and the
#      cheapest input settings that keep it fed, in a 60-second budget
#   7. with the time left, bench model deep6 again with --deterministic: what that flag costs
# Each step has its own time limit and all share one deadline (about 8 minutes); the summary table comes last.
# The logs, the training run's gpu.csv and metrics.csv, and the table go to $OUT/gpu-check when OUT
# is set (the device runner returns it: at most 8 files), else to bench/out/gpu-check. The data,
# the run folder and the app's extracted bundle (thousands of files) stay in a scratch folder.
# GPU_CHECK_REHEARSAL=1 runs it all at toy sizes (GpuCheckRehearsalTests does, on the CUDA stack on the CPU).
set -uo pipefail
cd "$(dirname "$0")/.."

bin=${1:-publish/gpu/catsdogs}
# A copy that travelled may have lost its execute bit.
[[ -f $bin && ! -x $bin ]] && chmod +x "$bin"
data_tar=${2:-bench/out/cifar-train.tar.gz}
precision=${PRECISION:-tf32}
out=${OUT:-bench/out}/gpu-check
scratch=$(mktemp -d "${TMPDIR:-/tmp}/catsdogs-gpu-check.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$out"
declare -A row

# NVIDIA's wheels live wherever pip put PyTorch; ask Python, and hand the folders to the loader.
wheel_libs=$(python3 - <<'PY' 2>/dev/null
import glob, os, site
roots = site.getsitepackages() + [site.getusersitepackages()]
print(":".join(sorted({d for r in roots for d in glob.glob(os.path.join(r, "nvidia", "*", "lib")) if os.path.isdir(d)})))
PY
)
export CATSDOGS_CUDA_LIBS="${CATSDOGS_CUDA_LIBS:+$CATSDOGS_CUDA_LIBS:}$wheel_libs"
# On the loader's path too: cuDNN's shim opens its sub-libraries by soname (libcudnn_adv, and the
# engines newer 9.x releases add), and NVRTC its builtins, where catsdogs cannot preload them all.
# (An empty entry would mean the current folder, hence the care.)
[[ -n $wheel_libs ]] && export LD_LIBRARY_PATH="$wheel_libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export DOTNET_BUNDLE_EXTRACT_BASE_DIR="$scratch/bundle"

# What the check trains. GPU_CHECK_REHEARSAL=1 keeps every step, log and line of the table but
# shrinks the work to what the CUDA stack on the CPU (tests/cuda-on-cpu) runs
# in seconds: the tests rehearse this script so, with no GPU. The training serves metrics on a
# port the system picks: the default may be taken, on a developer's machine or a shared GPU host.
# The *_args strings are expanded unquoted on purpose: empty arrays would abort a bash older than
# 4.4 under set -u.
second=baseline serve_args="--metrics-listen 127.0.0.1:0"
if [[ -n ${GPU_CHECK_REHEARSAL:-} ]]; then
  model=baseline second=compact batch=8 steps=3 epochs=8
  size_args="--image-size 16" selftest_args="--model compact --steps 20 --batch 8 --image-size 16"
  tune_args="--budget-seconds 30 --max-batch 16"
  # The stack on the CPU shares a test machine's cores with the rest of a suite: there the limits,
  # sized for a GPU, are only guards against a hang, never what decides a step.
  limit_scale=5
else
  model=deep6 batch=512 steps=30 epochs=3 size_args="" selftest_args=""
  tune_args="--budget-seconds 60 --max-batch 1024"
  limit_scale=1
fi

field() { grep -so "$1=[0-9.]*" "$2" | tail -1 | cut -d= -f2; }
# Every step has its own limit, and all of them share one deadline, so the whole check ends within
# about 8 minutes (the table included) while a slow step may use what quick ones left.
# GPU_CHECK_DEADLINE (seconds) shortens it for a rerun on what is left of a device lease.
deadline=$((SECONDS + ${GPU_CHECK_DEADLINE:-475} * limit_scale))
step() { # name, limit (s), log, command...
  local name=$1 limit=$(($2 * limit_scale)) log=$3; shift 3
  local start=$SECONDS left=$((deadline - SECONDS))
  if ((left < 5)); then
    row[$name]="skipped: the deadline was reached"; echo "== $name: skipped (deadline)"; return 124
  fi
  ((limit > left)) && limit=$left
  timeout -k 10 "$limit" "$@" > "$log" 2>&1
  local rc=$?
  row[$name]="exit $rc, $((SECONDS - start)) s"
  echo "== $name: exit $rc in $((SECONDS - start)) s (log: $log)"; tail -n 40 "$log"
  return $rc
}

# The machine and where its libraries are: printed now and again just before the table, which is
# what survives when long step logs push the start out of the output that comes back.
# What the dynamic loader finds by soname is tried first; if a library fails to load, this says whose it was.
machine=$(
  timeout 20 nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null | sed 's/^/gpu: /'
  echo "CATSDOGS_CUDA_LIBS=$CATSDOGS_CUDA_LIBS"
  echo "LD_LIBRARY_PATH=${LD_LIBRARY_PATH:-}"
  ldconfig -p 2>/dev/null | grep -E 'lib(cuda|cudnn[a-z_]*|cublas|nvrtc)\.so' | sed 's/^[[:space:]]*/ldconfig: /'
)
echo "$machine"

# Every library opened and every symbol of the bindings looked up, before anything depends on them.
step preflight 30 "$scratch/preflight.log" python3 bench/cuda_preflight.py
preflight=$(grep -s '^preflight: ' "$scratch/preflight.log" | sed 's/^preflight: //')
preflight_missing=$(grep -s -E '^preflight .*(NOT LOADED|MISSING)' "$scratch/preflight.log")

step selftest 120 "$out/selftest.log" "$bin" selftest --device cuda --precision "$precision" $selftest_args
if [[ ${row[selftest]} =~ ^exit\ (124|137), && -z ${CATSDOGS_CUDA_SPIN:-} ]]; then
  # A hang rather than a failure: perhaps the driver's blocking wait never wakes in this sandbox.
  # The later steps spin instead, so one run still yields their figures and tells the two apart.
  export CATSDOGS_CUDA_SPIN=1
  row[selftest]+="; the later steps ran with CATSDOGS_CUDA_SPIN=1"
fi
step bench_model 60 "$out/bench-$model.log" "$bin" bench model --device cuda --precision "$precision" --model "$model" --batch "$batch" --steps "$steps" $size_args
step bench_second 45 "$out/bench-$second.log" "$bin" bench model --device cuda --precision "$precision" --model "$second" --batch "$batch" --steps "$steps" $size_args
# Its log stays in the scratch folder (the runner returns 8 files); its figures reach the table.
step bench_residual 45 "$scratch/bench-resnet9.log" "$bin" bench model --device cuda --precision "$precision" --model resnet9 --batch "$batch" --steps "$steps" $size_args
step torch 110 "$out/torch-$model.log" python3 bench/torch_reference.py --model "$model" --batch "$batch" --precision "$precision" --steps "$steps" $size_args

# Without --deterministic the selftest only reports whether two clipped runs from one seed agree.
determinism=$(grep -s -o "determinism check: .*" "$out/selftest.log" | sed 's/.*twice from one seed: //')
ours=$(field images_per_second "$out/bench-$model.log")
eager=$(grep -s "mode=eager" "$out/torch-$model.log" | grep -o "images_per_second=[0-9.]*" | cut -d= -f2)
compiled=$(grep -s "mode=compile" "$out/torch-$model.log" | grep -o "images_per_second=[0-9.]*" | cut -d= -f2)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a != "" && b > 0) printf "%.2fx\n", a / b; else print "n/a" }'; }

train_log="$out/train.log"
if [[ -f "$data_tar" ]]; then
  mkdir -p "$scratch/data" && tar -xzf "$data_tar" -C "$scratch/data"
  step train 90 "$train_log" "$bin" train --device cuda --precision "$precision" --model "$model" --epochs "$epochs" --batch-size "$batch" $size_args $serve_args \
    --data "$scratch/data/train" --split-file "$scratch/data/train.split.json" --runs-dir "$scratch/runs" --name gpu-check
  run="$scratch/runs/gpu-check"
  cp -f "$run/gpu.csv" "$run/metrics.csv" "$out/" 2>/dev/null
  utilization=$(awk -F', ' 'NR > 1 { sub(/ %/, "", $9); if ($9 ~ /^[0-9]+$/) { s += $9; n++ } } END { if (n) printf "%.0f %% (%d samples)", s / n, n }' "$run/gpu.csv" 2>/dev/null)
  input_wait=$(awk -F, 'NR > 1 { s += $8; n++ } END { if (n) printf "%.1f %%", 100 * s / n }' "$run/metrics.csv" 2>/dev/null)
  train_speed=$(awk -F, 'NR > 1 { s = $7 } END { if (s) printf "%.0f images/s (last epoch)", s }' "$run/metrics.csv" 2>/dev/null)
  # The sweep's log stays in the scratch folder (the runner returns 8 files); its table joins ours.
  limit_bin=$(dirname "$bin")/libjpeg_limit
  limit_args=""
  [[ -x $limit_bin ]] && limit_args="--limit $limit_bin"
  input_args="--data $scratch/data/train --metrics-listen none --runs-dir $scratch/runs $size_args"
  step input_sweep 80 "$scratch/input-sweep.log" "$bin" bench input $input_args --name input-sweep --sweep --cache off --warmup 1 --passes 2 $limit_args
  sweep=$(sed -n '/^threads  *images\/s/,/^(ratio/p' "$scratch/input-sweep.log")
  step input_cached 40 "$scratch/input-cached.log" "$bin" bench input $input_args --name input-cached --cache memory --warmup 2 --passes 10
  cached=$(awk '/^end-to-end:/ { rate = $2 } /^threads:/ { threads = $3; sub(/;/, "", threads) } END { if (rate) printf "%s images/s with %s threads", rate, threads }' "$scratch/input-cached.log")
  # What tune makes of this GPU and these cores: the chosen row of its table (its log stays in the scratch folder).
  # It runs in the scratch folder, where the disk caches its trials may build (data/cache/) go with the rest.
  step tune 80 "$scratch/tune.log" env -C "$scratch" "$(realpath "$bin")" tune --device cuda --precision "$precision" --model "$model" $size_args $tune_args \
    --data "$scratch/data/train" --runs-dir "$scratch/runs" --name tune
  tuned=$(awk '/<- chosen$/ { printf "batch %s, %s thread%s, prefetch %s, cache %s: %s images/s, input wait %s %%", $3, $4, ($4 == 1 ? "" : "s"), $5, $6, $7, $8 }' "$scratch/tune.log")
  tune_trials=$(grep -cE '^ +[0-9]+  (batch|input) ' "$scratch/tune.log")
else
  row[train]="skipped: no $data_tar"
fi

# Last, as it matters least: its log stays in the scratch folder (the runner returns 8 files) and
# its tail reaches the output like every step's.
step bench_deterministic 45 "$scratch/bench-deterministic.log" "$bin" bench model --device cuda --precision "$precision" --model "$model" --batch "$batch" --steps "$steps" --deterministic $size_args
deterministic=$(field images_per_second "$scratch/bench-deterministic.log")

{
  echo
  echo "$machine"
  echo "================ catsdogs GPU check ($precision) ================"
  printf '%-32s %s\n' \
    "preflight (libraries, symbols)" "${preflight:-n/a}; ${row[preflight]}" \
    "selftest" "${row[selftest]}" \
    "repeatable runs (default algos)" "${determinism:-n/a}" \
    "bench $model b$batch (ours)" "${ours:-n/a} images/s, $(field tflops "$out/bench-$model.log") TFLOP/s; ${row[bench_model]}" \
    "bench $model --deterministic" "${deterministic:-n/a} images/s, $(ratio "$deterministic" "$ours") of the default; ${row[bench_deterministic]}" \
    "bench $second b$batch (ours)" "$(field images_per_second "$out/bench-$second.log") images/s, $(field tflops "$out/bench-$second.log") TFLOP/s; ${row[bench_second]}" \
    "bench resnet9 b$batch (ours)" "$(field images_per_second "$scratch/bench-resnet9.log") images/s, $(field tflops "$scratch/bench-resnet9.log") TFLOP/s; ${row[bench_residual]}" \
    "PyTorch $model eager" "${eager:-n/a} images/s" \
    "PyTorch $model torch.compile" "${compiled:-n/a} images/s; ${row[torch]}" \
    "ours / PyTorch eager" "$(ratio "$ours" "$eager") (target >= 1.00x)" \
    "ours / torch.compile" "$(ratio "$ours" "$compiled")" \
    "train $epochs epochs $model" "${row[train]}; ${train_speed:-}" \
    "mean GPU utilization (gpu.csv)" "${utilization:-n/a}" \
    "input wait fraction (metrics)" "${input_wait:-n/a}" \
    "input sweep, decoding (cache off)" "${row[input_sweep]:-n/a}" \
    "input pass from the memory cache" "${cached:-n/a}; ${row[input_cached]:-n/a}" \
    "tune $model (chosen setting)" "${tuned:-n/a}; ${tune_trials:-0} trials; ${row[tune]:-n/a}"
  [[ -n ${preflight_missing:-} ]] && echo "$preflight_missing"
  [[ -n ${sweep:-} ]] && echo "$sweep"
} | tee "$out/table.txt"
