#!/usr/bin/env bash
# Builds the libtorch reference (Release) and makes it load on Debian 12: its libLibTorchSharp.so asks
# for GLIBCXX_3.4.32, which Debian 12 lacks, for one symbol nothing calls, and weaken_glibcxx.py marks
# that requirement weak in the build output. A rebuild may copy the original back, so this patches after
# every build; patching twice is harmless.
set -euo pipefail
project=$(cd "$(dirname "$0")" && pwd)
dotnet build "$project/CpuVsLibtorch.csproj" -c Release -nologo -v q
native=$project/bin/Release/net10.0/runtimes/linux-x64/native/libLibTorchSharp.so
python3 "$project/weaken_glibcxx.py" "$native" "$native.tmp"
mv "$native.tmp" "$native"
