#!/usr/bin/env bash
# Measures what exporting metrics costs the input pipeline: `catsdogs bench input` with
# --metrics-listen on (scraped every second, as a busy Prometheus would) and off, alternated
# so that drift in the machine's load hits both alike. Prints each run's end-to-end images/s
# and the medians. Usage: bench/metrics-overhead.sh [DATA_DIR] [ROUNDS] [PASSES]
set -euo pipefail

data=${1:-data/cifar-catsdogs/train}
rounds=${2:-5}
passes=${3:-3}
port=19464
here=$(cd "$(dirname "$0")/.." && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

dotnet build "$here/Pipeline/Pipeline.csproj" -c Release -v quiet -nologo >/dev/null
app="$here/Pipeline/bin/Release/net10.0/catsdogs.dll"

run() { # $1 = on|off, $2 = round
  local listen=none scraper=
  if [ "$1" = on ]; then
    listen=127.0.0.1:$port
    ( while sleep 1; do curl -s "http://$listen/metrics" >/dev/null || true; done ) &
    scraper=$!
  fi
  dotnet "$app" bench input --data "$data" --passes "$passes" --runs-dir "$out" --name "$1-$2" \
    --metrics-listen "$listen" >"$out/$1-$2.log" 2>&1
  [ -n "$scraper" ] && kill "$scraper"
  grep -o "end-to-end: [0-9.]* images/s" "$out/$1-$2/summary.txt" | grep -o "[0-9.]*" | head -1
}

on=(); off=()
for r in $(seq 1 "$rounds"); do
  off+=("$(run off "$r")")
  on+=("$(run on "$r")")
  echo "round $r: off ${off[-1]} images/s, on ${on[-1]} images/s"
done

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
m_off=$(median "${off[@]}"); m_on=$(median "${on[@]}")
echo "median: off $m_off images/s, on $m_on images/s, difference $(awk -v a="$m_off" -v b="$m_on" 'BEGIN {printf "%+.2f%%", (b-a)/a*100}')"
