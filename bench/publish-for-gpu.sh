#!/usr/bin/env bash
# Builds what bench/gpu-check.sh runs on a GPU machine that has no .NET: a self-contained,
# single-file, compressed linux-x64 `catsdogs` in publish/gpu/ (git-ignored), and prints its size.
# With --with-data it also packs the default training data (data/cifar-catsdogs/train) into
# bench/out/cifar-train.tar.gz, importing it first on a fresh clone: `catsdogs import-cifar` needs
# npm and so cannot run on the GPU machine.
# Trimmed (22 MB against 59 MB untrimmed): the build reports no trim warnings (checkpoint JSON is
# source-generated), and every verb the GPU check uses was run from a trimmed binary on the CPU
# (docs/GPU.md), so the 64 MiB a device run may carry leaves room for the data and the sources.
# The bundle carries this machine's libturbojpeg.so.0 beside the program, which looks there after
# the system's: the GPU machine may have none, and without it decoding falls back to Skia. It also
# carries the decode limit (bench/libjpeg_limit.c) with libjpeg-turbo linked in, for the input sweep.
set -euo pipefail
cd "$(dirname "$0")/.."

out=publish/gpu
rm -rf "$out"
dotnet publish Pipeline/Pipeline.csproj -c Release -r linux-x64 --self-contained true --nologo -v quiet \
  -p:PublishSingleFile=true -p:PublishTrimmed=true -p:EnableCompressionInSingleFile=true -p:IncludeNativeLibrariesForSelfExtract=true \
  -p:DebugType=none -p:GenerateDocumentationFile=false -o "$out"
rm -f "$out"/*.pdb
scripts/install-runtime-deps.sh > /dev/null
cp -L "$(ldconfig -p | awk '/libturbojpeg\.so\.0 / { print $NF; exit }')" "$out/libturbojpeg.so.0"
if [ ! -f /usr/lib/x86_64-linux-gnu/libturbojpeg.a ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libturbojpeg0-dev > /dev/null
fi
# x86-64-v3 (AVX2) rather than this machine's own: the GPU machine's processor may be another;
# libjpeg-turbo picks its SIMD at run time either way.
gcc -O3 -march=x86-64-v3 -o "$out/libjpeg_limit" bench/libjpeg_limit.c /usr/lib/x86_64-linux-gnu/libturbojpeg.a -lpthread
echo "published: $(du -sh "$out" | cut -f1) in $out"
ls -l "$out"

if [[ "${1:-}" == "--with-data" ]]; then
  "$out/catsdogs" import-cifar --out data/cifar-catsdogs
  mkdir -p bench/out
  # Packed beside its final name and then renamed, so a failed pack leaves no archive to carry.
  tar -czf bench/out/cifar-train.tar.gz.part -C data/cifar-catsdogs train
  mv bench/out/cifar-train.tar.gz.part bench/out/cifar-train.tar.gz
  echo "data: $(du -sh bench/out/cifar-train.tar.gz | cut -f1) in bench/out/cifar-train.tar.gz"
fi
