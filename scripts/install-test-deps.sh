#!/usr/bin/env bash
# Installs what the test suite needs beyond the .NET SDK. Idempotent: a second run does nothing.
# - prometheus: the telemetry tests start a real Prometheus server and check the exporter's
#   output with promtool (Debian's prometheus package ships both).
# - fonts-dejavu-core: a TrueType font for the plots (Skia's Linux assets have no fontconfig).
# - g++ and make: the CUDA tests build the CUDA stack on the CPU (tests/cuda-on-cpu, with its
#   Makefile): the kernels, and stand-ins for the CUDA libraries.
# - libturbojpeg0: the default JPEG decoder (libjpeg-turbo with SIMD), which the decoder tests
#   compare with Skia's; scripts/install-runtime-deps.sh installs it for ./run.sh too.
# - python3: bench/cuda_preflight.py, which gpu-check runs first on a GPU machine, is tested here.
set -euo pipefail

missing=()
{ command -v prometheus && command -v promtool; } >/dev/null 2>&1 || missing+=(prometheus)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
command -v g++ >/dev/null 2>&1 || missing+=(g++)
command -v make >/dev/null 2>&1 || missing+=(make)
ldconfig -p | grep -q 'libturbojpeg\.so\.0 ' || missing+=(libturbojpeg0)
command -v python3 >/dev/null 2>&1 || missing+=(python3)

if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends "${missing[@]}"
fi
