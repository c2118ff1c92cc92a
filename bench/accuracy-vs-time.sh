#!/usr/bin/env bash
# Time to accuracy on the default data (CIFAR-10's cats and dogs, 32x32), one run per preset: each trains
# with run.defaults.json and its preset's options below, the best checkpoint is evaluated on the 2,000 test
# images with flipshift test-time augmentation (as ./run.sh does), and `catsdogs compare` writes the table and a
# plot of validation accuracy against training seconds. The times are the result: run it on a quiet machine.
#
# usage: bench/accuracy-vs-time.sh [PRESET...]      (default: vgg6 compact resnet9 baseline; deep6 on request:
#        it needs 64x64 inputs for its six poolings and takes about 4 minutes an epoch on 2 cores)
# Runs and the plot go to bench/out/accuracy-vs-time/.
set -euo pipefail
cd "$(dirname "$0")/.."
presets=("$@")
(($#)) || presets=(vgg6 compact resnet9 baseline)

# What each preset trains with, over run.defaults.json.
options() {
  case $1 in
    vgg6) ;;  # the default job
    compact) echo --model compact --epochs 20 --lr 0.05 --translate 0 --shear 0.2 --zoom 0.2 ;;  # the default job's model and recipe before vgg6 (Nesterov now)
    resnet9) echo --model resnet9 --epochs 50 --label-smoothing 0.1 ;;  # as many epochs as fit in 20 minutes on the 2-vCPU EPYC VM; it fits 97% of its own images, and smoothing the targets gave 0.5-0.9 points
    baseline) echo --model baseline --lr 0.1 --epochs 20 ;;  # no batch norm: lr 0.4 is too high, 0.01-0.03 too slow
    deep6) echo --model deep6 --image-size 64 --optimizer adamw --lr 0.001 --weight-decay 0.05 --epochs 3 ;;  # the student's deep net, upscaled input
    *) echo "no recipe for '$1' (vgg6, compact, resnet9, baseline, deep6)" >&2; return 2 ;;
  esac
}

dotnet build CatsDogs.sln -c Release --nologo -v quiet
catsdogs() { dotnet Pipeline/bin/Release/net10.0/catsdogs.dll "$@"; }
catsdogs import-cifar --out data/cifar-catsdogs
out=bench/out/accuracy-vs-time
stamp=$(date -u +%Y%m%d-%H%M%S)
runs=()
for preset in "${presets[@]}"; do
  extra=$(options "$preset")
  # shellcheck disable=SC2086 # the options are words
  catsdogs train --config run.defaults.json $extra --runs-dir "$out" --name "$preset-$stamp" --metrics-listen none
  catsdogs evaluate --checkpoint "$out/$preset-$stamp/checkpoints/best.json" --data data/cifar-catsdogs/test --tta flipshift
  runs+=("$out/$preset-$stamp")
done
catsdogs compare "${runs[@]}" --out "$out/accuracy-vs-time-$stamp.png"
