#!/usr/bin/env bash
# Shows that retention bounds the disk: starts a fresh local three-node cluster, feeds FEED MB into
# one stream whose byte retention is RETAIN MB, and prints `du -sb` of each node's data directory
# every 10 s during the feed and after it, until the three together stay under BOUND MB (or WATCH
# seconds after the feed). Ends with the total and how long after the feed began and ended it went
# under the bound. The issue's done-when is the default: 300 MB into 20 MB, under 200 MB within 10
# minutes; its benchmark is --feed-mb 2048 --retain-mb 200 --bound-mb 1000.
#
# Usage: scripts/retention-disk.sh [--feed-mb N] [--retain-mb N] [--bound-mb N] [--watch-secs N]
#                                  [--size BYTES] [--throughput] [--port-offset N] [--out DIR]
#   --feed-mb N      MB of records to produce into the stream (default 300)
#   --retain-mb N    the stream's byte retention (default 20)
#   --bound-mb N     the bound the three data directories must get under (default 200)
#   --watch-secs N   how long to go on sampling after the feed (default 600)
#   --size BYTES     record size (default 1024)
#   --throughput     first, on a fresh cluster of its own: produce throughput with retention on
#                    against off, THROUGHPUT_MB each, THROUGHPUT_RUNS runs of each, alternated
#   --port-offset N  add N to the nodes' ports (9001-9003, 8101-8103)
#   --out DIR        also write DIR/results.tsv (rows `node-i|total  disk SECONDS  du_mb  MB`, and
#                    the throughput runs' `raftlog produce retention-on|off  rec_s  N`), a copy of
#                    the table (DIR/disk.txt), the nodes' logs (DIR/node-N.log) and the charts of
#                    `raftlog bench plot` (disk.svg)
# Environment: THROUGHPUT_MB [100], THROUGHPUT_RUNS [3], BENCH_DATA_DIR [a new directory in /tmp].
# The stream gets its retention from the nodes' default (retention.max-bytes in the cluster's
# config), so every stream of this cluster has it. Run it with nothing else busy on the machine.
# The cluster and its data are removed at the end, also when interrupted.
set -euo pipefail
set +m

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
FEED_MB=300
RETAIN_MB=20
BOUND_MB=200
WATCH_SECS=600
SIZE=1024
THROUGHPUT=0
PORT_OFFSET=0
RESULTS_DIR=""
THROUGHPUT_MB=${THROUGHPUT_MB:-100}
THROUGHPUT_RUNS=${THROUGHPUT_RUNS:-3}
SAMPLE_SECS=10

die() {
  echo "retention-disk: $*" >&2
  exit 1
}
number() { [[ $2 =~ ^[0-9]+$ ]] || die "$1 needs a number"; }

while (($#)); do
  case $1 in
    --feed-mb | --retain-mb | --bound-mb | --watch-secs | --size | --port-offset)
      [[ $# -ge 2 ]] || die "$1 needs a value"
      number "$1" "$2"
      case $1 in
        --feed-mb) FEED_MB=$2 ;;
        --retain-mb) RETAIN_MB=$2 ;;
        --bound-mb) BOUND_MB=$2 ;;
        --watch-secs) WATCH_SECS=$2 ;;
        --size) SIZE=$2 ;;
        --port-offset) PORT_OFFSET=$2 ;;
      esac
      shift 2
      ;;
    --throughput)
      THROUGHPUT=1
      shift
      ;;
    --out)
      [[ $# -ge 2 ]] || die "--out needs a directory"
      mkdir -p "$2" && RESULTS_DIR=$(cd "$2" && pwd) || die "cannot create $2"
      shift 2
      ;;
    -h | --help)
      sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
      exit 0
      ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done
((SIZE > 0 && FEED_MB > 0)) || die "--size and --feed-mb must be positive"

export DATA_DIR=${BENCH_DATA_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/raftlog-retention.XXXXXX")}
export CONFIG_DIR=$DATA_DIR/config
RAFTLOG=$ROOT/scripts/raftlog
RUN_LOG=$DATA_DIR/run.log
mkdir -p "$DATA_DIR"
if [[ -n $RESULTS_DIR ]]; then
  printf 'system\tworkload\tmetric\tvalue\n' >"$RESULTS_DIR/results.tsv"
  exec > >(tee "$RESULTS_DIR/disk.txt")
fi

cleanup() {
  if [[ -n $RESULTS_DIR ]]; then
    cp -f "$RUN_LOG" "$RESULTS_DIR/run.log" 2>/dev/null || true
    # The nodes' logs too: what a stalled write or a slow reclaim was waiting for.
    for log in "$DATA_DIR"/node-*/node.log; do
      [[ -f $log ]] && cp -f "$log" "$RESULTS_DIR/$(basename "$(dirname "$log")").log"
    done
  fi
  "$ROOT/scripts/stop-cluster.sh" --wipe >/dev/null 2>&1 || true
  rm -rf "$DATA_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

result() { [[ -z $RESULTS_DIR ]] || printf '%s\t%s\t%s\t%s\n' "$@" >>"$RESULTS_DIR/results.tsv"; }
now_s() { date +%s; }

# The nodes' configuration: cluster-config/ with the ports moved and the default byte retention.
write_config() { # retention-bytes
  local f
  mkdir -p "$CONFIG_DIR"
  for f in "$ROOT"/cluster-config/node-*.properties; do
    awk -v off="$PORT_OFFSET" -v keep="$1" '
      /^[[:space:]]*retention\.max-bytes[[:space:]]*=/ { print "retention.max-bytes=" keep; next }
      /^[[:space:]]*cluster\.peers[[:space:]]*=/ {
        while (match($0, /127\.0\.0\.1:[0-9]+/)) {
          out = out substr($0, 1, RSTART + 9) (substr($0, RSTART + 10, RLENGTH - 10) + off)
          $0 = substr($0, RSTART + RLENGTH)
        }
        print out $0; next
      }
      { print }' "$f" >"$CONFIG_DIR/${f##*/}"
  done
  RAFTLOG_SERVERS=$(for i in 1 2 3; do printf '127.0.0.1:%d,' $((9000 + i + PORT_OFFSET)); done)
  export RAFTLOG_SERVERS=${RAFTLOG_SERVERS%,}
}

start_cluster() { # retention-bytes
  "$ROOT/scripts/stop-cluster.sh" --wipe >>"$RUN_LOG" 2>&1 || true
  write_config "$1"
  "$ROOT/scripts/start-cluster.sh" --clean >>"$RUN_LOG" 2>&1 || die "the cluster did not start (see $RUN_LOG)"
}

# "n1 n2 n3 total" in MB (du -sb of each node's directory: store, Raft log, snapshots, logs).
du_mb() {
  local i b t=0 out=""
  for i in 1 2 3; do
    b=$(du -sb "$DATA_DIR/node-$i" 2>/dev/null | cut -f1)
    b=${b:-0}
    t=$((t + b))
    out+="$(awk -v b="$b" 'BEGIN{printf "%.1f", b / 1048576}') "
  done
  echo "$out$(awk -v b="$t" 'BEGIN{printf "%.1f", b / 1048576}')"
}

# Samples every SAMPLE_SECS from T0 (seconds): one table row each, and the results.
sample_loop() { # t0
  local t n1 n2 n3 total
  while true; do
    t=$(($(now_s) - $1))
    read -r n1 n2 n3 total <<<"$(du_mb)"
    printf '%6d s  %9s %9s %9s  %9s%s\n' "$t" "$n1" "$n2" "$n3" "$total" \
      "$( [[ -f $DATA_DIR/feed-done ]] && echo "" || echo "  (feeding)")"
    result node-1 "disk $t" du_mb "$n1"
    result node-2 "disk $t" du_mb "$n2"
    result node-3 "disk $t" du_mb "$n3"
    result total "disk $t" du_mb "$total"
    echo "$t $total" >>"$DATA_DIR/samples"
    sleep "$SAMPLE_SECS"
  done
}

produce() { # stream megabytes -> prints the bench's perf line
  local records=$(($2 * 1048576 / SIZE))
  "$RAFTLOG" bench produce --records "$records" --size "$SIZE" --stream "$1" 2>>"$RUN_LOG" |
    grep -E '^[0-9]+ records sent' | tail -1
}

if ((THROUGHPUT)); then
  # Retention on against off in one cluster: the nodes' default is off, and the retained stream
  # is made by `raftlog streams create --retention-bytes` (needs the CLI to know it).
  start_cluster 0
  if "$RAFTLOG" streams create --help 2>/dev/null | grep -q -- --retention-bytes; then
    "$RAFTLOG" streams create retained --retention-bytes "${RETAIN_MB}MB" >>"$RUN_LOG" 2>&1 ||
      die "cannot create the retained stream (see $RUN_LOG)"
    produce kept 20 >/dev/null # warm-up
    for ((r = 1; r <= THROUGHPUT_RUNS; r++)); do
      for s in kept retained; do
        line=$(produce "$s" "$THROUGHPUT_MB")
        rate=$(awk -F', ' '{split($2, a, " "); print a[1]}' <<<"$line")
        label=$([[ $s == kept ]] && echo off || echo on)
        echo "produce ${SIZE} B into a stream with retention $label, run $r/$THROUGHPUT_RUNS: $line"
        result raftlog "produce retention-$label" rec_s "$rate"
      done
    done
  else
    echo "retention-disk: skipping --throughput: this CLI has no 'streams create --retention-bytes'"
  fi
fi

start_cluster $((RETAIN_MB * 1048576))
echo "== ${FEED_MB} MB of ${SIZE} B records into stream 'retained' (max_bytes ${RETAIN_MB} MB);" \
  "du -sb of each node's data directory every ${SAMPLE_SECS} s; bound ${BOUND_MB} MB"
printf '%8s  %9s %9s %9s  %9s\n' time node-1 node-2 node-3 total
T0=$(now_s)
sample_loop "$T0" &
SAMPLER=$!
trap 'kill "$SAMPLER" 2>/dev/null || true; cleanup' EXIT
FEED=$(produce retained "$FEED_MB")
FEED_END=$(($(now_s) - T0))
touch "$DATA_DIR/feed-done"
echo "feed done after ${FEED_END} s: $FEED"
# Sample until the total has been under the bound for three samples in a row, or WATCH_SECS.
under_at=""
while (($(now_s) - T0 - FEED_END < WATCH_SECS)); do
  sleep "$SAMPLE_SECS"
  under_at=$(awk -v b="$BOUND_MB" '$2 > b {u = ""; run = 0; next} {if (u == "") u = $1; run++}
    END {if (run >= 3) print u}' "$DATA_DIR/samples")
  [[ -z $under_at ]] || break
done
kill "$SAMPLER" 2>/dev/null || true
wait "$SAMPLER" 2>/dev/null || true
read -r n1 n2 n3 total <<<"$(du_mb)"
echo "final: node-1 $n1 MB, node-2 $n2 MB, node-3 $n3 MB, total $total MB (bound ${BOUND_MB} MB)"
if [[ -n $under_at ]]; then
  echo "under ${BOUND_MB} MB from ${under_at} s after the feed began ($((under_at - FEED_END)) s after it ended) and stayed"
  result total "disk under bound" seconds_after_feed $((under_at - FEED_END))
else
  echo "NOT under ${BOUND_MB} MB within ${WATCH_SECS} s after the feed"
fi
if [[ -n $RESULTS_DIR ]]; then
  "$RAFTLOG" bench plot --results "$RESULTS_DIR/results.tsv" --out "$RESULTS_DIR" >>"$RUN_LOG" 2>&1 || true
fi
[[ -n $under_at ]]
