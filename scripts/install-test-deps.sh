#!/usr/bin/env bash
# Installs what the test suite needs beyond the .NET SDK. Idempotent: a second run does nothing.
# prometheus: the telemetry tests start a real Prometheus server and check the exporter's output
# with promtool (Debian's prometheus package ships both).
set -euo pipefail

if ! command -v prometheus >/dev/null 2>&1 || ! command -v promtool >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends prometheus
fi
