#!/usr/bin/env bash
# The main job on the default data: build in Release, import the default data set the first
# time, then run it. Extra arguments go to the job.
set -euo pipefail
cd "$(dirname "$0")"

dotnet build CatsDogs.sln -c Release --nologo -v quiet
catsdogs() { dotnet Pipeline/bin/Release/net10.0/catsdogs.dll "$@"; }

catsdogs import-cifar --out data/cifar-catsdogs
catsdogs bench input --data data/cifar-catsdogs/train "$@"
