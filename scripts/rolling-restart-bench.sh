#!/usr/bin/env bash
# Measures what a rolling restart costs writers: on a fresh local cluster of N nodes, one client
# produces 1 KB records at a fixed rate into one stream per shard (`raftlog bench produce --rate
# --spread-shards`) while scripts/rolling-restart.sh restarts every node in turn. Prints, for the
# time before the first restart and for each restart, the produce stall figures and the client's
# errors:
#
#   restart of node 2 (12.3 s, SIGTERM to caught up 9.8 s): 12345 records, stall p50 3.1 ms,
#   p99 41.0 ms, max 212.4 ms (shard 4), longest ack gap 180.2 ms
#
# A record's stall is its latency at the fixed rate: from when it was due (its send time on the
# rate's schedule) to its acknowledgement, so a producer held up by a shard without a leader
# shows the whole hold-up. A restart's window runs from its SIGTERM to the next node's SIGTERM (the
# last one: to 5 s after it caught up); its figures are over the records due in it. The longest
# ack gap is the longest time in the window with no acknowledgement at all. Client errors: records
# the producer failed to get acknowledged (it stops at the first; its exit status and the "records
# sent" count say whether any). The issue's bar: 0 errors, max stall <= 500 ms per restart.
#
# Usage: scripts/rolling-restart-bench.sh [--nodes N] [--port-offset N] [--out DIR] [--analyze DIR]
#   --nodes N        nodes of the cluster (default 3; 1 to 9).
#   --port-offset N  add N to the nodes' ports (9001.., 8101..), e.g. 10000 when those are taken.
#   --out DIR        keep the figures (stalls.txt), the restart's progress (restart.txt,
#                    events.txt), every record's timeline (records.tsv, see `raftlog bench produce
#                    --slow-records`) and the nodes' logs in DIR.
#   --analyze DIR    only print the figures of a run kept with --out DIR (no cluster is started).
# Environment: RATE [1000] records/s; SIZE [1024] bytes; SHARDS [6] cluster.shards;
#   BEFORE_SECS [10] of load before the first restart (the first 3 s of it, the client's warm-up,
#   are left out of the figures); PER_NODE_SECS [60] of load per node (the load is bounded in
#   records: RATE x (BEFORE_SECS + N x PER_NODE_SECS + 10); the run says if it ended before the
#   restart did); BENCH_DATA_DIR [a new directory under /tmp].
# The cluster and its data are removed at the end, also when interrupted. Needs jq.
set -euo pipefail
set +m

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RATE=${RATE:-1000}
SIZE=${SIZE:-1024}
SHARDS=${SHARDS:-6}
BEFORE_SECS=${BEFORE_SECS:-10}
PER_NODE_SECS=${PER_NODE_SECS:-60}
WARMUP_MS=3000
TAIL_MS=5000
NODES=3
PORT_OFFSET=0
OUT=""
ANALYZE=""

die() {
  echo "rolling-restart-bench: $*" >&2
  exit 1
}

while (($#)); do
  case $1 in
    --nodes)
      [[ $# -ge 2 && $2 =~ ^[1-9]$ ]] || die "--nodes needs a number from 1 to 9"
      NODES=$2
      shift 2
      ;;
    --port-offset)
      [[ $# -ge 2 && $2 =~ ^[0-9]+$ ]] || die "--port-offset needs a number"
      PORT_OFFSET=$2
      shift 2
      ;;
    --out)
      [[ $# -ge 2 ]] || die "--out needs a directory"
      mkdir -p "$2" && OUT=$(cd "$2" && pwd) || die "cannot create $2"
      shift 2
      ;;
    --analyze)
      [[ $# -ge 2 && -f $2/events.txt && -f $2/records.tsv ]] || die "--analyze needs a directory a run kept (--out)"
      ANALYZE=$(cd "$2" && pwd)
      shift 2
      ;;
    -h | --help)
      sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
      exit 0
      ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done
command -v jq >/dev/null || die "needs jq"

export DATA_DIR=${BENCH_DATA_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/raftlog-rolling.XXXXXX")}
export CONFIG_DIR=$DATA_DIR/config
# shellcheck source=scripts/cluster-lib.sh
source "$ROOT/scripts/cluster-lib.sh"
# shellcheck source=scripts/stall-lib.sh
source "$ROOT/scripts/stall-lib.sh"
RAFTLOG=$ROOT/scripts/raftlog
WORK=$DATA_DIR/run
mkdir -p "$WORK" "$CONFIG_DIR"
PRODUCER=""

cleanup() {
  [[ -z $PRODUCER ]] || kill "$PRODUCER" 2>/dev/null || true
  if [[ -n $OUT ]]; then
    cp -f "$WORK"/* "$OUT"/ 2>/dev/null || true
    for d in "$DATA_DIR"/node-*; do
      [[ -d $d ]] || continue
      cat "$d/node.log.1" "$d/node.log" >"$OUT/${d##*/}.log" 2>/dev/null || true
    done
  fi
  "$ROOT/scripts/stop-cluster.sh" --wipe >/dev/null 2>&1 || true
  rm -rf "$DATA_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Prints the stall figures of a run kept in DIR (events.txt, records.tsv): windows.tsv and
# by-window.tsv are written there on the way.
stall_figures() { # dir
  local dir=$1 start_epoch
  # Windows (ms from the producer's start): before the first restart, then one per restart.
  start_epoch=$(records_start_epoch "$dir/records.tsv")
  # A restart's window (kind "restart") and its three phases, each from one event to the next:
  # "stop" (SIGTERM to exit: the hand-off), "down" (exit to SERVING: two of three replicas serve),
  # "back" (SERVING to the next SIGTERM: the node warms up, catches up, leaders move back onto it).
  awk -v s="$start_epoch" -v warm="$WARMUP_MS" -v tail="$TAIL_MS" '
    $3 == "sigterm" { n++; node[n] = $2; from[n] = $1 - s }
    $3 == "exited" { ex[n] = $1 - s }
    $3 == "serving" { sv[n] = $1 - s }
    $3 == "caught-up" { up[n] = $1 - s }
    END {
      printf "before\t-\t%.0f\t%.0f\t-\n", warm, (n ? from[1] : 1e12)
      for (i = 1; i <= n; i++) {
        to = (i < n ? from[i + 1] : (up[i] ? up[i] + tail : 1e12))
        printf "restart\t%s\t%.0f\t%.0f\t%.0f\n", node[i], from[i], to, (up[i] ? up[i] - from[i] : -1)
        printf "stop\t%s\t%.0f\t%.0f\t-\n", node[i], from[i], (ex[i] ? ex[i] : to)
        if (ex[i]) printf "down\t%s\t%.0f\t%.0f\t-\n", node[i], ex[i], (sv[i] ? sv[i] : to)
        if (sv[i]) printf "back\t%s\t%.0f\t%.0f\t-\n", node[i], sv[i], to
      }
    }' "$dir/events.txt" >"$dir/windows.tsv"

  records_by_window "$dir/windows.tsv" "$dir/records.tsv" >"$dir/by-window.tsv"
  window_stats "$dir/windows.tsv" "$dir/by-window.tsv" >"$dir/window-stats.tsv"

  awk -F'\t' '
    FNR == NR { n++; kind[n] = $1; node[n] = $2; lo[n] = $3; hi[n] = $4; took[n] = $5; next }
    { i = $1; k = $2; p50 = $3; p99 = $4; mx = $5; sh = $6; gap = $7
        if (k == 0) { printf "%s: no records\n", (kind[i] == "before" ? "before the restarts" : kind[i] == "restart" ? "restart of node " node[i] : "  " kind[i]); next }
        end = (hi[i] > 1e11 ? "the end" : sprintf("%.1f s", hi[i] / 1000))
        if (kind[i] == "stop" || kind[i] == "down" || kind[i] == "back")
          printf "  %s (%.1f s): %d records, stall p50 %.1f ms, max %.1f ms (shard %s)\n", (kind[i] == "stop" ? "SIGTERM to exit" : kind[i] == "down" ? "exit to SERVING" : "SERVING to the next restart"), (hi[i] > 1e11 ? 0 : (hi[i] - lo[i]) / 1000), k, p50, mx, sh
        else if (kind[i] == "before")
          printf "before the restarts (%.1f s to %s): %d records, stall p50 %.1f ms, p99 %.1f ms, max %.1f ms (shard %s), longest ack gap %.1f ms\n", lo[i] / 1000, end, k, p50, p99, mx, sh, gap
        else
          printf "restart of node %s (window %s, SIGTERM to caught up %s): %d records, stall p50 %.1f ms, p99 %.1f ms, max %.1f ms (shard %s), longest ack gap %.1f ms\n", node[i], (hi[i] > 1e11 ? "to the end" : sprintf("%.1f s", (hi[i] - lo[i]) / 1000)), (took[i] < 0 ? "not reached" : sprintf("%.1f s", took[i] / 1000)), k, p50, p99, mx, sh, gap
    }' "$dir/windows.tsv" "$dir/window-stats.tsv"
}

if [[ -n $ANALYZE ]]; then
  stall_figures "$ANALYZE"
  exit 0
fi

write_bench_template "$SHARDS" "$PORT_OFFSET"
read_template_ports
RAFTLOG_SERVERS=$(for ((i = 1; i <= NODES; i++)); do printf '%s,' "$(client_address "$i")"; done)
export RAFTLOG_SERVERS=${RAFTLOG_SERVERS%,}

"$RAFTLOG" --version >/dev/null # builds the CLI now if it is stale, outside the measurement
echo "rolling restart under load: $NODES nodes, $SHARDS shards, $RATE records/s of $SIZE B into" \
  "$SHARDS streams (one per shard), $(nproc) cores; data in $DATA_DIR"
"$ROOT/scripts/start-cluster.sh" --nodes "$NODES" >"$WORK/start.txt" 2>&1 ||
  die "the cluster did not start: $(tail -20 "$WORK/start.txt")"
sleep 6 # the leader balancer spreads the shards' leaders (balance.interval-ms)

records=$((RATE * (BEFORE_SECS + NODES * PER_NODE_SECS + 10)))
"$RAFTLOG" bench produce --rate "$RATE" --records "$records" --size "$SIZE" \
  --spread-shards "$SHARDS" --stream-prefix rolling- \
  --slow-records "$WORK/records.tsv" --slow-count "$records" >"$WORK/produce.txt" 2>"$WORK/produce.err" &
PRODUCER=$!
sleep "$BEFORE_SECS"
restart_status=0
"$ROOT/scripts/rolling-restart.sh" --events "$WORK/events.txt" 2>&1 | tee "$WORK/restart.txt" ||
  restart_status=$?
# A restart that failed measured nothing: stop the load rather than wait for its end.
((restart_status == 0)) || die "the rolling restart failed (exit $restart_status); the load is stopped"
produce_status=0
wait "$PRODUCER" || produce_status=$?
PRODUCER=""
sent=$(sed -nE 's/^([0-9]+) records sent.*/\1/p' "$WORK/produce.txt")
[[ -f $WORK/records.tsv ]] || die "the producer wrote no records.tsv (exit $produce_status): $(cat "$WORK/produce.err")"

stall_figures "$WORK" | tee "$WORK/stalls.txt"

last_due=$(awk -F'\t' 'FNR > 2 && $6 + 0 > m { m = $6 + 0 } END { print m + 0 }' "$WORK/records.tsv")
last_up=$(awk -F'\t' '$1 == "restart" { e = $4 } END { print e + 0 }' "$WORK/windows.tsv")
if awk -v a="$last_due" -v b="$last_up" 'BEGIN { exit !(b > 1e11 || a < b) }'; then
  echo "note: the load ended before the last restart's window did: raise PER_NODE_SECS" | tee -a "$WORK/stalls.txt"
fi
echo "client errors: $([[ $produce_status == 0 && ${sent:-0} == "$records" ]] && echo 0 ||
  echo "the producer failed (exit $produce_status, ${sent:-no} of $records records acknowledged): $(tail -1 "$WORK/produce.err")")" |
  tee -a "$WORK/stalls.txt"
echo "producer: $(cat "$WORK/produce.txt")" | tee -a "$WORK/stalls.txt"
((restart_status == 0)) || die "the rolling restart failed (exit $restart_status)"
((produce_status == 0)) || exit 1
