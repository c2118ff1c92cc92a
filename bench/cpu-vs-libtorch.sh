#!/usr/bin/env bash
# Training throughput of our CPU backend against libtorch (TorchSharp-cpu 0.107.0, libtorch 2.10)
# on this machine: the same presets, batch, warm-up and timed steps, fp32 NCHW, the same thread
# count, SGD momentum 0.9. Run from anywhere:
#   bench/cpu-vs-libtorch.sh [model:batch:steps:warmup ...]
# default: compact:64:40:5 vgg6:64:30:4 baseline:64:30:3 deep6:64:5:2 resnet9:64:15:3 (about two minutes of measuring on 2 cores).
# THREADS (default 2) sets torch.set_num_threads and --cpu-threads alike. Logs go to
# $OUT/cpu-vs-libtorch when OUT is set, else bench/out/cpu-vs-libtorch.
#
# The libtorch side is bench/cpu-vs-libtorch/, its own project outside CatsDogs.sln, so that
# the product build and CI never restore TorchSharp; cpu-vs-libtorch/build.sh builds it and makes
# it load on Debian 12.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

threads=${THREADS:-2}
out=${OUT:-$root/bench/out}/cpu-vs-libtorch
project=bench/cpu-vs-libtorch
torch_dll=$project/bin/Release/net10.0/cpu-vs-libtorch.dll
catsdogs=Pipeline/bin/Release/net10.0/catsdogs.dll
runs=("$@")
[[ ${#runs[@]} -gt 0 ]] || runs=(compact:64:40:5 vgg6:64:30:4 baseline:64:30:3 deep6:64:5:2 resnet9:64:15:3)
mkdir -p "$out"

echo "== building $project (Release)"
"$project/build.sh"
echo "== building CatsDogs.sln (Release)"
dotnet build CatsDogs.sln -c Release -nologo -v q

field() { grep -o "images_per_second=[0-9.]*" "$1" | tail -1 | cut -d= -f2 || true; }
rows=()
# A run that fails shows as n/a in the table; its log says why.
for run in "${runs[@]}"; do
  IFS=: read -r model batch steps warmup <<< "$run"
  size=64; [[ $model == compact || $model == vgg6 || $model == resnet9 ]] && size=32
  common=(--model "$model" --batch "$batch" --steps "$steps" --warmup "$warmup" --image-size "$size")
  echo "== $model ${size}x$size batch $batch: $warmup warm-up + $steps timed steps, $threads threads"
  dotnet "$torch_dll" "${common[@]}" --threads "$threads" 2>&1 | tee "$out/libtorch-$model.log" || true
  dotnet "$catsdogs" bench model --device cpu --precision fp32 "${common[@]}" --cpu-threads "$threads" 2>&1 | tee "$out/catsdogs-$model.log" || true
  rows+=("$model $batch $(field "$out/libtorch-$model.log") $(field "$out/catsdogs-$model.log")")
done

echo
echo "training images/s, fp32 NCHW, $threads threads, $(nproc) CPUs: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
printf '%-10s %6s %16s %16s %18s\n' model batch "libtorch img/s" "catsdogs img/s" "ours/libtorch"
for row in "${rows[@]}"; do
  read -r model batch torch ours <<< "$row"
  awk -v m="$model" -v b="$batch" -v t="${torch:-0}" -v o="${ours:-0}" \
    'BEGIN { printf "%-10s %6d %16.1f %16.1f %18s\n", m, b, t, o, (t > 0 && o > 0) ? sprintf("%.2fx", o / t) : "n/a" }'
done
