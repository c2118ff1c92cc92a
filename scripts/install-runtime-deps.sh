#!/usr/bin/env bash
# Installs what `catsdogs` uses at run time beyond the .NET SDK, when missing. Idempotent.
# - libturbojpeg0: libjpeg-turbo's TurboJPEG API, with the SIMD that Skia's bundled decoder lacks
#   (the default --decoder auto uses it; without it catsdogs says so and decodes with Skia).
set -euo pipefail

if ! ldconfig -p | grep -q 'libturbojpeg\.so\.0 '; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends libturbojpeg0
fi
