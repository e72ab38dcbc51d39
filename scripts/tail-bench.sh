#!/usr/bin/env bash
# Measures `raftlog tail` on a big file: how fast the lines of a file written beforehand reach a
# stream of a local three-node cluster (lines/s and MB/s, from the tailer's start until its state
# file says every byte is acknowledged), and the same file through `raftlog produce` (stdin, one
# record per line) for comparison. Outside CI: a 1 GB run takes minutes.
#
# Usage: scripts/tail-bench.sh [--size MB] [--line-bytes N] [--runs N] [--produce]
#                              [--port-offset N] [--lock FILE]
#   --size MB        the file's size (default 1024)
#   --line-bytes N   each line's length with its line break (default 200)
#   --runs N         runs, each on a fresh cluster (default 3)
#   --produce        each run also sends the file through `raftlog produce` after the tailer
#   --port-offset N  add N to the nodes' ports (9001-9003, 8101-8103, 9201-9203)
#   --lock FILE      hold flock(1) on FILE while a cluster runs (one measurement at a time on a
#                    shared machine); the file is written before, outside the lock
# Prints one line per run and the medians. The file and the clusters' data live in a temporary
# directory ($TMPDIR), deleted at the end.
set -euo pipefail
set +m

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SIZE_MB=1024
LINE_BYTES=200
RUNS=3
PORT_OFFSET=0
LOCK=""
PRODUCE=0

die() {
  echo "tail-bench: $*" >&2
  exit 1
}

while [[ $# -gt 0 ]]; do
  case $1 in
    --size | --line-bytes | --runs | --port-offset)
      [[ $# -ge 2 && $2 =~ ^[0-9]+$ ]] || die "$1 needs a number"
      case $1 in
        --size) SIZE_MB=$2 ;;
        --line-bytes) LINE_BYTES=$2 ;;
        --runs) RUNS=$2 ;;
        --port-offset) PORT_OFFSET=$2 ;;
      esac
      shift 2
      ;;
    --produce)
      PRODUCE=1
      shift
      ;;
    --lock)
      [[ $# -ge 2 ]] || die "--lock needs a file"
      LOCK=$2
      shift 2
      ;;
    -h | --help)
      sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
      exit 0
      ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done
((LINE_BYTES >= 40)) || die "--line-bytes must be at least 40"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/raftlog-tail-bench.XXXXXX")
export DATA_DIR=$WORK/data CONFIG_DIR=$WORK/config
# shellcheck source=scripts/cluster-lib.sh
source "$ROOT/scripts/cluster-lib.sh"
RAFTLOG=$ROOT/scripts/raftlog
TAIL_PID=""

cleanup() {
  [[ -z $TAIL_PID ]] || kill "$TAIL_PID" 2>/dev/null || true
  "$ROOT/scripts/stop-cluster.sh" --wipe >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

write_bench_template "$(prop "$ROOT/cluster-config/node-1.properties" cluster.shards)" "$PORT_OFFSET"
read_template_ports
RAFTLOG_SERVERS=$(for i in 1 2 3; do printf '%s,' "$(client_address "$i")"; done)
export RAFTLOG_SERVERS=${RAFTLOG_SERVERS%,}
"$RAFTLOG" --version >/dev/null # builds the CLI now if it is stale, outside the measurement

FILE=$WORK/app.log
LINES=$((SIZE_MB * 1024 * 1024 / LINE_BYTES))
echo "tail-bench: writing $LINES lines of $LINE_BYTES bytes ($SIZE_MB MB) to $FILE" >&2
# A log-like line: a time, a level, a number, padding to the length.
awk -v n="$LINES" -v len="$LINE_BYTES" 'BEGIN {
  pad = sprintf("%*s", len - 47, ""); gsub(/ /, "x", pad)
  for (i = 1; i <= n; i++) printf "2026-12-05T10:00:00.000Z INFO request %010d %s\n", i, pad
}' >"$FILE"
BYTES=$(stat -c %s "$FILE")

now_ms() { date +%s%3N; }
position() { sed -n 's/^position=//p' "$1" 2>/dev/null || true; }

# One run on a fresh cluster: prints "tail MS" (and with --produce "produce MS").
measure_pair() {
  "$ROOT/scripts/stop-cluster.sh" --wipe >/dev/null 2>&1 || true
  "$ROOT/scripts/start-cluster.sh" --clean >"$WORK/start.txt" 2>&1 ||
    die "the cluster did not start: $(tail -20 "$WORK/start.txt")"
  rm -rf "$WORK/state" && mkdir -p "$WORK/state"
  local start state="" pos=""
  start=$(now_ms)
  "$RAFTLOG" tail "$FILE" --stream bench.tail --state "$WORK/state" 2>"$WORK/tail.txt" &
  TAIL_PID=$!
  while [[ $pos != "$BYTES" ]]; do
    sleep 0.1
    kill -0 "$TAIL_PID" 2>/dev/null || die "raftlog tail ended: $(cat "$WORK/tail.txt")"
    [[ -n $state ]] || state=$(find "$WORK/state" -name '*.raftlog-tail' -print -quit)
    [[ -z $state ]] || pos=$(position "$state")
  done
  echo "tail $(($(now_ms) - start))"
  kill "$TAIL_PID" && wait "$TAIL_PID" 2>/dev/null || true
  TAIL_PID=""
  ((PRODUCE)) || return 0
  start=$(now_ms)
  "$RAFTLOG" produce --stream bench.produce <"$FILE" >/dev/null
  echo "produce $(($(now_ms) - start))"
}

# One run, holding --lock's file (if any) while the cluster runs.
locked() {
  if [[ -n $LOCK ]]; then
    exec 9>>"$LOCK"
    flock 9
  fi
  measure_pair
  "$ROOT/scripts/stop-cluster.sh" --wipe >/dev/null 2>&1 || true
  [[ -z $LOCK ]] || flock -u 9
}

mb_s() { awk -v b="$BYTES" -v ms="$1" 'BEGIN { printf "%.1f", b / 1048576 / (ms / 1000) }'; }
lines_s() { awk -v n="$LINES" -v ms="$1" 'BEGIN { printf "%.0f", n / (ms / 1000) }'; }
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

declare -a TAIL_MS=() PRODUCE_MS=()
for ((run = 1; run <= RUNS; run++)); do
  while read -r what ms; do
    echo "tail-bench: run $run: $what: $LINES lines in ${ms} ms: $(lines_s "$ms") lines/s, $(mb_s "$ms") MB/s"
    if [[ $what == tail ]]; then TAIL_MS+=("$ms"); else PRODUCE_MS+=("$ms"); fi
  done < <(locked)
done
t=$(printf '%s\n' "${TAIL_MS[@]}" | median)
summary="raftlog tail $(lines_s "$t") lines/s, $(mb_s "$t") MB/s"
if ((PRODUCE)); then
  p=$(printf '%s\n' "${PRODUCE_MS[@]}" | median)
  summary+="; raftlog produce $(lines_s "$p") lines/s, $(mb_s "$p") MB/s"
fi
echo "tail-bench: median of $RUNS: $summary ($SIZE_MB MB, lines of $LINE_BYTES B, $(nproc) cores)"
