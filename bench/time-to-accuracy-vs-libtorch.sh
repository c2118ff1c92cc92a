#!/usr/bin/env bash
# Time to accuracy against libtorch, on the same split and recipe. The default job (run.defaults.json,
# over which any options given here win) trains on the default data; then libtorch replays that run's
# recipe on the same split (`cpu-vs-libtorch train`, which reads the run's config.json and refuses a
# setting it cannot reproduce). Both score the 2,000 test images with flip test-time augmentation, as
# ./run.sh does: catsdogs its best checkpoint, libtorch its epoch of best validation accuracy.
# Printed: per epoch, each trainer's summed training seconds and validation accuracy (with flip TTA where
# the run validates with it). The two train one after the other with the same threads: run it quiet.
#
# usage: bench/time-to-accuracy-vs-libtorch.sh [catsdogs train options]
#        e.g. --model compact --epochs 15 --lr 0.1 --batch-size 128 --warmup-epochs 2
# THREADS (default 2) sets both trainers' threads. Runs and logs go to bench/out/time-to-accuracy-vs-libtorch/.
set -euo pipefail
cd "$(dirname "$0")/.."
threads=${THREADS:-2}
out=bench/out/time-to-accuracy-vs-libtorch
name=catsdogs-$(date -u +%Y%m%d-%H%M%S)
run=$out/$name
test_images=data/cifar-catsdogs/test

echo "== building CatsDogs.sln and the libtorch reference (Release)"
dotnet build CatsDogs.sln -c Release --nologo -v quiet
bench/cpu-vs-libtorch/build.sh
catsdogs() { dotnet Pipeline/bin/Release/net10.0/catsdogs.dll "$@"; }
catsdogs import-cifar --out data/cifar-catsdogs

echo "== catsdogs, $threads threads"
catsdogs train --config run.defaults.json "$@" --device cpu --cpu-threads "$threads" --runs-dir "$out" --name "$name" --metrics-listen none
catsdogs evaluate --checkpoint "$run/checkpoints/best.json" --data "$test_images" --tta flip
echo "== libtorch, $threads threads, replaying $run/config.json"
dotnet bench/cpu-vs-libtorch/bin/Release/net10.0/cpu-vs-libtorch.dll train --config "$run/config.json" --test "$test_images" \
  --threads "$threads" | tee "$run/libtorch.csv"

python3 - "$run" <<'PY'
import csv, json, sys
run = sys.argv[1]
flip = json.load(open(f"{run}/config.json"))["train"]["validationTta"] == "flip"
ours = list(csv.DictReader(open(f"{run}/metrics.csv")))
torch = list(csv.DictReader(open(f"{run}/libtorch.csv")))
torch_val = "val_acc_flip" if flip else "val_acc"
print(f"\nvalidation accuracy{' (flip TTA)' if flip else ''} against summed training seconds, {run}")
print(f"{'epoch':>5} {'catsdogs s':>11} {'catsdogs val':>13} {'libtorch s':>11} {'libtorch val':>13}")
seconds = 0.0
for mine, theirs in zip(ours, torch):
    seconds += float(mine["epoch_seconds"])
    print(f"{int(mine['epoch']) + 1:>5} {seconds:>11.1f} {float(mine['val_acc']):>13.4f} "
          f"{float(theirs['cumulative_train_seconds']):>11.1f} {float(theirs[torch_val]):>13.4f}")
best = max(torch, key=lambda row: float(row[torch_val]))
test = json.load(open(f"{run}/evaluation.json"))["accuracy"]
print(f"test accuracy (flip TTA): catsdogs {test:.4f} (best checkpoint), libtorch {float(best['test_acc_flip']):.4f} (epoch {best['epoch']})")
PY
