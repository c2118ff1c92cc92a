#!/usr/bin/env bash
# The test command: installs what the tests need (when missing), then runs every test.
set -euo pipefail
cd "$(dirname "$0")"

scripts/install-test-deps.sh
dotnet test CatsDogs.sln -c Release --nologo "$@"
