#!/usr/bin/env bash
# Compares the catsdogs input pipeline with the decode limit of this machine, side by side and in
# one run: libjpeg-turbo's SIMD scaled decode plus a plain bilinear resize, in C
# (bench/libjpeg_limit.c), reading the same files from the page cache at the same thread counts.
# Per thread count it reports:
#   ratio       catsdogs images/s decoding every image (--cache off) over the limit's
#   cpu_ratio   the limit's CPU us per image over catsdogs' (1.0: as frugal as the limit)
#   cached      catsdogs images/s on a pass served from its memory cache, over the limit's decode rate
# catsdogs runs read, decode, augment (flip, shear, zoom) and batch into the pool; it warms up until
# the JIT is quiet (bench input --until-jit-quiet), so that it is measured as a long run sees it.
# A shared VM's speed drifts by tens of percent over minutes, so the three are run in turn ROUNDS
# times (default 3) and each column is the median of its rounds; the ratios are of the medians.
#
# usage: [ROUNDS=N] bench/input-vs-libjpeg.sh DIR [THREADS...]     (default threads: 1 2)
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

# One bench input run; prints "images/s cpu_us_per_image".
ours() {
  "${catsdogs[@]}" bench input --data "$data" --decode-threads "$1" --cache "$2" --passes "$3" --warmup 2 --until-jit-quiet \
      --metrics-listen none --runs-dir "$out/runs" --name "input-vs-libjpeg-$1-$2-$(date +%s%N)" 2>/dev/null \
    | awk '/^end-to-end:/ { rate = $2 } /^cpu time:/ { cpu = $5 } END { print rate, cpu }'
}

rounds=${ROUNDS:-3}
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

printf '%s: %s JPEGs, %s, median of %s rounds\n' "$data" "$count" "$(date -u +%Y-%m-%dT%H:%MZ)" "$rounds"
printf '%-7s %12s %13s %14s %12s %6s %9s %15s %7s\n' \
  threads limit_img_s limit_cpu_us catsdogs_img_s our_cpu_us ratio cpu_ratio cached_img_s cached
for t in "${threads[@]}"; do
  : > "$out/rounds.txt"
  for ((round = 0; round < rounds; round++)); do
    read -r limit limit_cpu < <("$out/libjpeg_limit" "$out/files.txt" "$t" 64 3 files)
    read -r rate cpu < <(ours "$t" off 3)
    read -r cached _ < <(ours "$t" memory 20)
    echo "$limit $limit_cpu $rate $cpu $cached" >> "$out/rounds.txt"
  done
  column() { awk -v c="$1" '{ print $c }' "$out/rounds.txt" | median; }
  limit=$(column 1) limit_cpu=$(column 2) rate=$(column 3) cpu=$(column 4) cached=$(column 5)
  awk -v t="$t" -v l="$limit" -v lc="$limit_cpu" -v r="$rate" -v c="$cpu" -v k="$cached" 'BEGIN {
    printf "%-7s %12.0f %13.1f %14.0f %12.1f %6.2f %9.2f %15.0f %7.1f\n", t, l, lc, r, c, r / l, lc / c, k, k / l }'
done
