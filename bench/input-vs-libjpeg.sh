#!/usr/bin/env bash
# Compares the whole catsdogs input pipeline (read, decode, augment, batch) with the decode
# limit of this machine: libjpeg-turbo's SIMD scaled decode plus a plain bilinear resize, in C,
# at the same thread counts. The ratio is against the limit reading the same files from the page
# cache, as catsdogs does; the limit decoding from memory (docs/DECODE-LIMITS.md's definition)
# is printed beside it.
#
# usage: bench/input-vs-libjpeg.sh DIR [THREADS...]     (default threads: 1 2)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
data=$(cd "${1:?usage: $0 DIR [THREADS...]}" && pwd)
shift
threads=("${@:-1}")
[ $# -gt 0 ] || threads=(1 2)

if [ ! -f /usr/include/turbojpeg.h ]; then
  echo "Installing libturbojpeg0-dev (the limit is built against the system's libjpeg-turbo) ..." >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libturbojpeg0-dev
fi

out="$root/bench/out"
mkdir -p "$out"
gcc -O3 -march=native -o "$out/libjpeg_limit" "$here/libjpeg_limit.c" -lturbojpeg -lpthread
find "$data" -type f \( -iname '*.jpg' -o -iname '*.jpeg' \) | sort > "$out/files.txt"
count=$(wc -l < "$out/files.txt")

dotnet build "$root/CatsDogs.sln" -c Release --nologo -v quiet >&2
catsdogs=("dotnet" "$root/Pipeline/bin/Release/net10.0/catsdogs.dll")

printf '%s: %s JPEGs, %s\n' "$data" "$count" "$(date -u +%Y-%m-%dT%H:%MZ)"
printf '%-8s %16s %17s %14s %8s %14s\n' threads limit_files_img_s limit_memory_img_s catsdogs_img_s ratio ratio_memory
for t in "${threads[@]}"; do
  limit=$("$out/libjpeg_limit" "$out/files.txt" "$t" 64 3 files)
  memory=$("$out/libjpeg_limit" "$out/files.txt" "$t" 64 3 memory)
  ours=$("${catsdogs[@]}" bench input --data "$data" --decode-threads "$t" --passes 3 \
           --runs-dir "$out/runs" --name "input-vs-libjpeg-$t-$(date +%s)" 2>/dev/null \
         | sed -n 's/^end-to-end: \([0-9.]*\) images\/s.*/\1/p')
  ratio=$(awk -v a="$ours" -v b="$limit" 'BEGIN { printf "%.2f", a / b }')
  ratio_memory=$(awk -v a="$ours" -v b="$memory" 'BEGIN { printf "%.2f", a / b }')
  printf '%-8s %16s %17s %14s %8s %14s\n' "$t" "$limit" "$memory" "$ours" "$ratio" "$ratio_memory"
done
