#!/usr/bin/env bash
# Measures what exporting metrics costs the input pipeline: `catsdogs bench input` with
# --metrics-listen on (scraped every second, 5x busier than grafana/prometheus.yml) and off,
# alternated so that drift in the machine's load hits both alike. Prints each run's end-to-end
# images/s and CPU time per image (the bench's own figures, measured passes only), and the medians.
#
# Steady state is what a run of hours sees, so both runs warm up with `--until-jit-quiet`: past
# 3 passes, until the JIT took under 0.5% of the last 10 s. A path taken once a second, like the
# scrape, takes a minute or more to compile fully (a method moves up a tier after 30 calls, twice
# with dynamic PGO); COLD=1 skips that wait (3 warm-up passes) and so measures a run's first minute.
# Each run also reports the time the JIT took during its measured passes, so a cold one shows itself.
#
# Usage: [COLD=1] bench/metrics-overhead.sh [DATA_DIR] [ROUNDS] [PASSES]
# DATA_DIR defaults to the default data set's train/, which it imports first as ./run.sh does.
set -euo pipefail

data=${1:-}
rounds=${2:-7}
passes=${3:-20}
warmup=(--warmup 3 --until-jit-quiet)
[ "${COLD:-0}" = 1 ] && warmup=(--warmup 3)
port=19464
here=$(cd "$(dirname "$0")/.." && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

dotnet build "$here/Pipeline/Pipeline.csproj" -c Release -v quiet -nologo >/dev/null
app="$here/Pipeline/bin/Release/net10.0/catsdogs.dll"
if [ -z "$data" ]; then
  # A fresh clone has none; where it exists, the import only says so.
  (cd "$here" && dotnet "$app" import-cifar --out data/cifar-catsdogs)
  data="$here/data/cifar-catsdogs/train"
fi

run() { # $1 = on|off, $2 = round
  local listen=none scraper=
  if [ "$1" = on ]; then
    listen=127.0.0.1:$port
    # One keep-alive connection, as Prometheus keeps one, rather than a new curl process each second:
    # on two cores a process start a second is itself a cost the measurement would charge to metrics.
    python3 - "$listen" <<'PY' &
import http.client, sys, time
host, port = sys.argv[1].rsplit(":", 1)
while True:
    try:
        connection = http.client.HTTPConnection(host, int(port), timeout=10)
        while True:
            connection.request("GET", "/metrics")
            connection.getresponse().read()
            time.sleep(1)
    except OSError:
        time.sleep(0.05)
PY
    scraper=$!
  fi
  dotnet "$app" bench input --data "$data" --passes "$passes" "${warmup[@]}" --runs-dir "$out" --name "$1-$2" \
    --metrics-listen "$listen" >"$out/$1-$2.log" 2>&1
  [ -n "$scraper" ] && kill "$scraper"
  local summary="$out/$1-$2/summary.txt"
  echo "$(grep -o 'end-to-end: [0-9.]*' "$summary" | grep -o '[0-9.]*$') $(grep -o '[0-9.]* us per image' "$summary" | grep -o '^[0-9.]*')" \
    "$(grep -o 'warm-up: [0-9]* passes in [0-9.]* s' "$summary" | grep -o '[0-9.]* s$' | tr -d ' s')" \
    "$(grep -o 'compiled, [0-9.]* s' "$summary" | grep -o '[0-9.]* s$' | tr -d ' s')"
}

on_rate=(); off_rate=(); on_cpu=(); off_cpu=()
for r in $(seq 1 "$rounds"); do
  read -r rate cpu warm jit < <(run off "$r"); off_rate+=("$rate"); off_cpu+=("$cpu")
  off_note="warm-up ${warm} s, jit ${jit} s"
  read -r rate cpu warm jit < <(run on "$r"); on_rate+=("$rate"); on_cpu+=("$cpu")
  echo "round $r: off ${off_rate[-1]} images/s ${off_cpu[-1]} us/image ($off_note), on ${on_rate[-1]} images/s ${on_cpu[-1]} us/image (warm-up ${warm} s, jit ${jit} s)"
done

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
change() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%+.2f%%", (b-a)/a*100}'; }
r_off=$(median "${off_rate[@]}"); r_on=$(median "${on_rate[@]}")
c_off=$(median "${off_cpu[@]}"); c_on=$(median "${on_cpu[@]}")
echo "warm-up: ${warmup[*]}, measured passes: $passes"
echo "median images/s: off $r_off, on $r_on ($(change "$r_off" "$r_on"))"
echo "median cpu us per image: off $c_off, on $c_on ($(change "$c_off" "$c_on"))"
