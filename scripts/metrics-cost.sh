#!/usr/bin/env bash
# What the node's meters cost on the produce path: scripts/bench.sh --modes one run alternately with
# metrics on (the default) and off (--set metrics.enabled=false), ROUNDS times each, each on a fresh
# cluster; then, per record size, the median produce rate, p99 and the nodes' CPU seconds per 100,000
# records of each, the median consume rate, and on/off ratios.
#
# Usage: scripts/metrics-cost.sh [--port-offset N] [--out DIR] [--summary-only]
#   --port-offset N  passed to bench.sh (its clusters' ports move up by N)
#   --out DIR        keep each bench run's output there (default: a new directory under /tmp)
#   --summary-only   run nothing: summarize the runs already in --out DIR
# Environment: ROUNDS [2]; RECORDS [100000], REPEATS [3], SIZES, WARMUP as bench.sh takes them.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROUNDS=${ROUNDS:-2}
export RECORDS=${RECORDS:-100000}
OUT=""
PASS=()
RUN=true
while (($#)); do
  case $1 in
    --port-offset) [[ $# -ge 2 ]] || { echo "metrics-cost: --port-offset needs a number" >&2; exit 1; }
      PASS+=(--port-offset "$2"); shift 2 ;;
    --out) [[ $# -ge 2 ]] || { echo "metrics-cost: --out needs a directory" >&2; exit 1; }
      OUT=$2; shift 2 ;;
    --summary-only) RUN=false; shift ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "metrics-cost: unknown argument: $1 (see --help)" >&2; exit 1 ;;
  esac
done
OUT=${OUT:-$(mktemp -d /tmp/raftlog-metrics-cost-XXXXXX)}
mkdir -p "$OUT"

[[ $RUN == true || -n $OUT ]] || { echo "metrics-cost: --summary-only needs --out DIR" >&2; exit 1; }
$RUN || ROUNDS=0
for ((r = 1; r <= ROUNDS; r++)); do
  for variant in on off; do
    set_args=()
    [[ $variant == on ]] || set_args=(--set metrics.enabled=false)
    echo "metrics-cost: round $r/$ROUNDS, metrics $variant" >&2
    "$ROOT/scripts/bench.sh" --modes one "${PASS[@]}" "${set_args[@]}" >"$OUT/bench-$variant-$r.txt"
  done
done

# "raftlog produce 1KB run 1/3: 25000 rec/s, ..., p99 12.3 ms, ... cpu nodes 11.2 s + client ..."
summary() { # VARIANT SIZE -> "rate p99 cpu_per_100k"
  cat "$OUT"/bench-"$1"-*.txt | grep -E "^raftlog produce $2 run [0-9]+/[0-9]+: [0-9]" |
    awk -v n="$RECORDS" '{
      match($0, /: [0-9.]+ rec\/s/); rate = substr($0, RSTART + 2, RLENGTH - 8)
      match($0, /p99 [0-9.]+/); p99 = substr($0, RSTART + 4, RLENGTH - 4)
      match($0, /cpu nodes [0-9.]+/); cpu = substr($0, RSTART + 10, RLENGTH - 10)
      print rate, p99, cpu * 100000 / n }' |
    awk '{ r[NR] = $1; p[NR] = $2; c[NR] = $3 }
      function med(a, k, i, j, t) { for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }; return a[int((k + 1) / 2)] }
      END { if (NR) printf "%s %s %s %d\n", med(r, NR), med(p, NR), med(c, NR), NR }'
}
# "raftlog consume 1KB: 43440 rec/s, ..." -> the median rate of VARIANT's runs
consume_rate() { # VARIANT SIZE
  cat "$OUT"/bench-"$1"-*.txt | sed -nE "s/^raftlog consume $2: ([0-9.]+) rec\/s.*/\1/p" | sort -g |
    awk '{a[NR] = $1} END {if (NR) print a[int((NR + 1) / 2)]}'
}
for size in 1KB 100B; do
  read -r on_rate on_p99 on_cpu n_on <<<"$(summary on "$size")"
  read -r off_rate off_p99 off_cpu n_off <<<"$(summary off "$size")"
  [[ -n ${on_rate:-} && -n ${off_rate:-} ]] || { echo "metrics-cost: no $size runs found in $OUT" >&2; continue; }
  awk -v s="$size" -v a="$on_rate" -v b="$off_rate" -v pa="$on_p99" -v pb="$off_p99" \
    -v ca="$on_cpu" -v cb="$off_cpu" -v na="$n_on" -v nb="$n_off" 'BEGIN {
    printf "produce %s, medians of %d runs on / %d off: metrics on %.0f rec/s, p99 %.1f ms, %.2f cpu s per 100k records; off %.0f rec/s, p99 %.1f ms, %.2f cpu s; on/off rate %.3f, cpu %.3f\n",
      s, na, nb, a, pa, ca, b, pb, cb, a / b, ca / cb }'
  on_c=$(consume_rate on "$size")
  off_c=$(consume_rate off "$size")
  [[ -z $on_c || -z $off_c ]] ||
    awk -v s="$size" -v a="$on_c" -v b="$off_c" 'BEGIN {
      printf "consume %s, medians: metrics on %.0f rec/s, off %.0f rec/s; on/off %.3f\n", s, a, b, a / b }'
done
echo "metrics-cost: runs in $OUT" >&2
