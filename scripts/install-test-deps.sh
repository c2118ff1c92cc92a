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
# - an NVRTC (Debian's libnvrtc*, from the CUDA toolkit packages): RealNvrtcTests compiles
#   Kernels.cu with NVIDIA's own compiler, which needs no GPU, so every run checks the kernels'
#   CUDA dialect and options, not only the g++ build of the stand-in. It lives in Debian's non-free
#   component, which this script enables (one sources file of its own) where no source has it.
set -euo pipefail

missing=()
{ command -v prometheus && command -v promtool; } >/dev/null 2>&1 || missing+=(prometheus)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
command -v g++ >/dev/null 2>&1 || missing+=(g++)
command -v make >/dev/null 2>&1 || missing+=(make)
ldconfig -p | grep -q 'libturbojpeg\.so\.0 ' || missing+=(libturbojpeg0)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
needs_nvrtc=false
ldconfig -p | grep -q 'libnvrtc\.so\.' || needs_nvrtc=true

# Debian's non-free component for this release, in a file of the script's own (the system's
# sources stay as they are); written only where no source apt reads lists non-free already.
enable_non_free() {
  if grep -rqsE --include='*.list' --include='*.sources' '^(Components:|deb ).*[[:space:]]non-free([[:space:]]|$)' \
      /etc/apt/sources.list /etc/apt/sources.list.d/; then
    return
  fi

  local codename
  codename=$(. /etc/os-release && echo "$VERSION_CODENAME")
  cat > /etc/apt/sources.list.d/catsdogs-non-free.sources <<SOURCES
Types: deb
URIs: http://deb.debian.org/debian
Suites: $codename $codename-updates
Components: non-free
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
}

if [ ${#missing[@]} -gt 0 ] || $needs_nvrtc; then
  export DEBIAN_FRONTEND=noninteractive
  if $needs_nvrtc; then
    enable_non_free
  fi

  apt-get update
  if $needs_nvrtc; then
    # The release's newest NVRTC library package (bookworm: libnvrtc11.2, from CUDA 11.8).
    nvrtc=$(apt-cache pkgnames libnvrtc | grep -E '^libnvrtc[0-9.]+$' | sort -V | tail -n 1)
    [ -n "$nvrtc" ] || { echo "install-test-deps: no libnvrtc package in the apt sources, even with non-free enabled" >&2; exit 1; }
    missing+=("$nvrtc")
  fi

  apt-get install -y --no-install-recommends "${missing[@]}"
fi
