#!/usr/bin/env bash
# The main job on the default data: build in Release, import the default data set the first
# time, train, then evaluate the best checkpoint on the held-out test images.
# Extra arguments go to `catsdogs train` (e.g. --epochs 5, --device cpu, --metrics-listen none).
set -euo pipefail
cd "$(dirname "$0")"

dotnet build CatsDogs.sln -c Release --nologo -v quiet
catsdogs() { dotnet Pipeline/bin/Release/net10.0/catsdogs.dll "$@"; }

catsdogs import-cifar --out data/cifar-catsdogs

# CPU: the compact net at CIFAR's own 32x32 (about 4 minutes on 2 quiet cores).
run="default-$(date +%Y%m%d-%H%M%S)"
catsdogs train --data data/cifar-catsdogs/train --model compact --image-size 32 --epochs 20 \
  --optimizer sgd --lr 0.05 --schedule cosine --warmup-epochs 1 --monitor valacc --name "$run" "$@"
catsdogs evaluate --checkpoint "runs/$run/checkpoints/best.json" --data data/cifar-catsdogs/test
