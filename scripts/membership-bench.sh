#!/usr/bin/env bash
# Measures what membership changes cost under load, on a fresh local cluster of 5 nodes
# (cluster.replication 3) while one client produces 1 KB records at a fixed rate into one stream
# per shard (`raftlog bench produce --rate --spread-shards`, as rolling-restart-bench.sh does):
#   1. preload: PRELOAD_MB of records into one more stream per shard, so that shards have a size;
#   2. drain:   DrainNode 2, wait until GetCluster shows it DRAINED, RemoveNode 2, stop it (SIGTERM);
#   3. repair:  kill -9 node 3, RemoveNode 3 dead=true, wait until every shard has 3 replicas again
#               and no move runs ("every shard at 3 replicas within X s", from the kill);
#   4. join:    scripts/add-node.sh starts node 6, wait until no move runs, every shard has 3
#               replicas and node 6 holds its share of replicas and leaders; `raftlog cluster`;
#   5. the load ends; every acknowledged record must read back: each stream holds exactly the
#               records acknowledged into it, at offsets 0, 1, 2, ... (read with `raftlog consume`).
# GetCluster is polled every 200 ms throughout (polls.tsv); each move (shard, from, to, reason) is
# timed from its started_ms to the first poll that no longer shows it, against the shard's size
# (sum of its streams' stored_bytes as DescribeStream gives them when the phase began). Produce stalls per phase
# are those of rolling-restart-bench.sh (scripts/stall-lib.sh): a record's stall is its latency at
# the fixed rate, from when it was due to its acknowledgement. Client errors: records the producer
# failed to get acknowledged (the issue's bar: 0).
#
# Usage: scripts/membership-bench.sh [--port-offset N] [--out DIR]
#   --port-offset N  add N to the nodes' ports (9001.., 8101..), e.g. 10000 when those are taken.
#   --out DIR        keep the figures (figures.txt, moves.tsv), the GetCluster polls (polls.tsv),
#                    the phases (events.txt), every record's timeline (records.tsv), the read-back
#                    (readback.tsv) and the nodes' logs in DIR.
# Environment: RATE [500] records/s; SIZE [1024] bytes; SHARDS [6] cluster.shards; PRELOAD_MB
#   [60] MB preloaded (spread evenly over SHARDS streams); LOAD_SECS [300] of load (bounded in
#   records: RATE x LOAD_SECS; the run waits for its end and says if it ended before the join
#   did); PHASE_TIMEOUT_SECS [300] for each phase's wait; BENCH_DATA_DIR [a new directory under
#   /tmp]. The cluster and its data are removed at the end, also when interrupted. Needs jq.
set -euo pipefail
set +m

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RATE=${RATE:-500}
SIZE=${SIZE:-1024}
SHARDS=${SHARDS:-6}
PRELOAD_MB=${PRELOAD_MB:-60}
LOAD_SECS=${LOAD_SECS:-300}
PHASE_TIMEOUT_SECS=${PHASE_TIMEOUT_SECS:-300}
NODES=5
REPLICATION=3
DRAIN_NODE=2
KILL_NODE=3
WARMUP_MS=3000
POLL_SECS=0.2
PORT_OFFSET=0
OUT=""

die() {
  echo "membership-bench: $*" >&2
  exit 1
}

while (($#)); do
  case $1 in
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
    -h | --help)
      sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
      exit 0
      ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done
command -v jq >/dev/null || die "needs jq"

export DATA_DIR=${BENCH_DATA_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/raftlog-membership.XXXXXX")}
export CONFIG_DIR=$DATA_DIR/config
# shellcheck source=scripts/cluster-lib.sh
source "$ROOT/scripts/cluster-lib.sh"
# shellcheck source=scripts/stall-lib.sh
source "$ROOT/scripts/stall-lib.sh"
RAFTLOG=$ROOT/scripts/raftlog
WORK=$DATA_DIR/run
mkdir -p "$WORK"
PRODUCER=""
CLUSTER=""
LIVE=() # ids of the nodes GetCluster is asked of, in order

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

now_ms() { date +%s%3N; }
event() { echo "$(now_ms) $*" >>"$WORK/events.txt"; }
say() { echo "$*" | tee -a "$WORK/progress.txt"; }

# Asks the first live node that answers for GetCluster; sets CLUSTER (compact JSON) and appends
# "ms <TAB> json" to polls.tsv. Returns 1 when none answers.
poll_cluster() {
  local id answer
  for id in "${LIVE[@]}"; do
    answer=$(rpc "$(client_address "$id")" raftlog.v1.Log/GetCluster) || continue
    CLUSTER=$(jq -c . <<<"$answer") || continue
    printf '%s\t%s\n' "$(now_ms)" "$CLUSTER" >>"$WORK/polls.tsv"
    return 0
  done
  return 1
}

# Calls $1 with body $2 on the live nodes in turn until one answers OK (at most 30 s); prints it.
# An error whose message matches $3 (if given) counts as done: a retried call whose first try
# timed out on the client but took effect (RemoveNode then says the node is not in the cluster).
call() {
  local method=$1 body=$2 done_already=${3:-} deadline=$((SECONDS + 30)) id answer
  while ((SECONDS < deadline)); do
    for id in "${LIVE[@]}"; do
      if answer=$("$BUF" curl --protocol grpc --http2-prior-knowledge --connect-timeout 1 --timeout 10s \
        -d "$body" "http://$(client_address "$id")/raftlog.v1.Log/$method" 2>&1); then
        echo "$answer"
        return 0
      fi
      echo "$(now_ms) $method $body on node $id: $answer" >>"$WORK/call-errors.txt"
      if [[ -n $done_already ]] && grep -qE "$done_already" <<<"$answer"; then
        echo "{}"
        return 0
      fi
    done
    sleep 0.5
  done
  die "$method $body failed for 30 s: $(tail -1 "$WORK/call-errors.txt")"
}

# Polls GetCluster every POLL_SECS until the jq filter $2 holds on it (at most PHASE_TIMEOUT_SECS);
# $1 names the wait for the failure message.
wait_for() {
  local what=$1 filter=$2 deadline=$((SECONDS + PHASE_TIMEOUT_SECS))
  while :; do
    if poll_cluster && jq -e "$filter" <<<"$CLUSTER" >/dev/null; then
      return 0
    fi
    ((SECONDS < deadline)) || die "$what: not within $PHASE_TIMEOUT_SECS s; last GetCluster: $CLUSTER"
    sleep "$POLL_SECS"
  done
}

# The streams `bench produce --spread-shards SHARDS --stream-prefix $1` writes (see the CLI's
# ShardLayout): for each shard, the first name $1 + i that falls in it, by CRC-32 of the name (gzip's
# trailer holds it) modulo slot_count and GetCluster's slot ranges. Appends them to streams.txt.
note_stream_names() {
  local prefix=$1 i crc slot shard slots count
  declare -A taken=()
  poll_cluster || die "no node answers GetCluster"
  count=$(jq -r '.slotCount // 0' <<<"$CLUSTER")
  slots=$(jq -r '.slots[] | "\(.firstSlot // 0) \(.lastSlot // 0) \(.shard // 0)"' <<<"$CLUSTER")
  for ((i = 0; ${#taken[@]} < SHARDS && i < 100000; i++)); do
    crc=$(printf %s "$prefix$i" | gzip -c | tail -c8 | head -c4 | od -An -tu4 | tr -d ' ')
    slot=$((crc % count))
    shard=$(awk -v s="$slot" '$1 <= s && s <= $2 { print $3 }' <<<"$slots")
    [[ -n $shard && -z ${taken[$shard]:-} ]] || continue
    taken[$shard]=1
    echo "$prefix$i" >>"$WORK/streams.txt"
  done
}

# Each stream of streams.txt as DescribeStream answers it (from a node that holds its shard):
# "name <TAB> shard <TAB> next_offset <TAB> stored_bytes", into streams-$1.tsv.
describe_streams() {
  local name
  : >"$WORK/streams-$1.tsv"
  while read -r name; do
    call DescribeStream "{\"stream\":\"$name\"}" |
      jq -r '"\(.name)\t\(.shard // 0)\t\(.nextOffset // 0)\t\(.storedBytes // 0)"' >>"$WORK/streams-$1.tsv"
  done <"$WORK/streams.txt"
}

# The streams' sizes now, as "shard <TAB> stored_bytes" summed per shard, into sizes-$1.tsv.
note_sizes() {
  describe_streams "$1"
  awk -F'\t' '{ b[$2] += $4 } END { for (s in b) print s "\t" b[s] }' "$WORK/streams-$1.tsv" |
    sort -n >"$WORK/sizes-$1.tsv"
}

# Every shard has REPLICATION replicas and none is moving.
SETTLED='([.shards[] | select(((.replicas // []) | length) != '$REPLICATION' or .move != null)] | length == 0)'

write_bench_template "$SHARDS" "$PORT_OFFSET"
read_template_ports
ensure_buf
RAFTLOG_SERVERS=$(for ((i = 1; i <= NODES; i++)); do printf '%s,' "$(client_address "$i")"; done)
export RAFTLOG_SERVERS=${RAFTLOG_SERVERS%,}
"$RAFTLOG" --version >/dev/null # builds the CLI now if it is stale, outside the measurement

say "membership under load: $NODES nodes, replication $REPLICATION, $SHARDS shards, $RATE records/s" \
  "of $SIZE B into $SHARDS streams (one per shard) after $PRELOAD_MB MB preloaded, $(nproc) cores;" \
  "data in $DATA_DIR"
"$ROOT/scripts/start-cluster.sh" --nodes "$NODES" >"$WORK/start.txt" 2>&1 ||
  die "the cluster did not start: $(tail -20 "$WORK/start.txt")"
LIVE=(1 4 5 2 3)
wait_for "five nodes, every shard at $REPLICATION replicas" "((.nodes | length) == $NODES) and $SETTLED"

# 1. Preload, as fast as it goes.
note_stream_names pre-
note_stream_names mb-
preload=$((PRELOAD_MB * 1024 * 1024 / SIZE))
"$RAFTLOG" bench produce --records "$preload" --size "$SIZE" --spread-shards "$SHARDS" \
  --stream-prefix pre- >"$WORK/preload.txt" 2>"$WORK/preload.err" ||
  die "the preload failed: $(tail -3 "$WORK/preload.err")"
say "preload: $(cat "$WORK/preload.txt")"

# The load, for the rest of the run.
records=$((RATE * LOAD_SECS))
"$RAFTLOG" bench produce --rate "$RATE" --records "$records" --size "$SIZE" \
  --spread-shards "$SHARDS" --stream-prefix mb- \
  --slow-records "$WORK/records.tsv" --slow-count "$records" >"$WORK/produce.txt" 2>"$WORK/produce.err" &
PRODUCER=$!
sleep 10
event load-start
note_sizes start # the load's streams exist from its first records
say "shard sizes 10 s into the load (MB): $(awk -F'\t' '{ printf "%s%s=%.1f", (NR > 1 ? " " : ""), $1, $2 / 1048576 }' "$WORK/sizes-start.tsv")"

# 2. Drain node 2, remove it, stop it.
note_sizes drain
say "drain: DrainNode $DRAIN_NODE"
event drain-start
call DrainNode "{\"node_id\":\"$DRAIN_NODE\"}" >"$WORK/drain-answer.json"
wait_for "node $DRAIN_NODE DRAINED" \
  "[.nodes[] | select(.id == \"$DRAIN_NODE\" and .state == \"DRAINED\" and (.replicaCount // 0) == 0)] | length == 1"
event drained
call RemoveNode "{\"node_id\":\"$DRAIN_NODE\"}" "no node $DRAIN_NODE in the cluster" >/dev/null
LIVE=(1 4 5 3)
stop_node "$DRAIN_NODE" 30 || die "node $DRAIN_NODE did not stop within 30 s of SIGTERM"
event drain-end
wait_for "node $DRAIN_NODE gone from the catalog" "[.nodes[] | select(.id == \"$DRAIN_NODE\")] | length == 0"
say "drain: node $DRAIN_NODE drained, removed and stopped"

# 3. kill -9 node 3, remove it as dead, wait for every shard to be back at 3 replicas.
note_sizes repair
pid=$(node_pid "$KILL_NODE") || die "node $KILL_NODE is not running"
LIVE=(1 4 5)
kill -KILL "$pid"
event repair-start
say "repair: node $KILL_NODE killed (kill -9)"
call RemoveNode "{\"node_id\":\"$KILL_NODE\",\"dead\":true}" "no node $KILL_NODE in the cluster" >"$WORK/remove-dead-answer.json"
event removed-dead
wait_for "every shard back at $REPLICATION replicas" \
  "([.nodes[] | select(.id == \"$KILL_NODE\")] | length == 0) and $SETTLED"
event repair-end

# 4. A sixth node joins; wait for it to hold its share of replicas and leaders.
note_sizes join
event join-start
# On the loaded machine a joining node's first JoinCluster can take effect after the node's 2 s
# deadline; its retry is then refused as "a member that came back with an empty data directory".
# The operator's way out (the refusal says it): remove that id as dead and add a node again, once.
if ! "$ROOT/scripts/add-node.sh" >"$WORK/add-node.txt" 2>&1; then
  failed=$(sed -nE 's/^add-node: node ([0-9]+) did not join.*/\1/p' "$WORK/add-node.txt")
  grep -q "came back with an empty data directory" "$WORK/add-node.txt" && [[ -n $failed ]] ||
    die "add-node failed: $(tail -20 "$WORK/add-node.txt")"
  say "join: node $failed was refused on its own retried JoinCluster (see add-node-1.txt); removing it as dead and adding a node again"
  mv "$WORK/add-node.txt" "$WORK/add-node-1.txt"
  event join-refused
  call RemoveNode "{\"node_id\":\"$failed\",\"dead\":true}" "no node $failed in the cluster" >/dev/null
  cp -f "$DATA_DIR/node-$failed/node.log" "$WORK/node-$failed-refused.log" 2>/dev/null || true
  rm -rf -- "${DATA_DIR:?}/node-$failed"
  "$ROOT/scripts/add-node.sh" >"$WORK/add-node.txt" 2>&1 || die "add-node failed again: $(tail -20 "$WORK/add-node.txt")"
fi
NEW=$(sed -nE 's/^node ([0-9]+) joined.*/\1/p' "$WORK/add-node.txt")
[[ -n $NEW ]] || die "add-node said no node id: $(cat "$WORK/add-node.txt")"
LIVE=(1 4 5 "$NEW")
say "join: node $NEW joined; waiting for its share"
wait_for "node $NEW at its share of replicas and leaders" "
  (.nodes | length) as \$n | ($SHARDS * $REPLICATION) as \$r |
  ([.nodes[] | select(.id == \"$NEW\" and (.replicaCount // 0) >= (\$r / \$n | floor)
    and (.replicaCount // 0) <= (\$r / \$n | ceil) and (.leaderCount // 0) >= ($SHARDS / \$n | floor)
    and (.leaderCount // 0) <= ($SHARDS / \$n | ceil))] | length == 1) and $SETTLED"
event join-end
RAFTLOG_SERVERS=$(for id in "${LIVE[@]}"; do printf '%s,' "$(client_address "$id")"; done)
export RAFTLOG_SERVERS=${RAFTLOG_SERVERS%,}
"$RAFTLOG" cluster >"$WORK/cluster.txt" 2>&1 || true
say "raftlog cluster after the join:"
tee -a "$WORK/progress.txt" <"$WORK/cluster.txt"

# 5. The load ends; read everything back.
say "waiting for the load to end (at most $((LOAD_SECS + 60)) s after it began)"
produce_status=0
deadline=$((SECONDS + LOAD_SECS + 60))
while kill -0 "$PRODUCER" 2>/dev/null && ((SECONDS < deadline)); do
  poll_cluster || true
  sleep 1
done
if kill -0 "$PRODUCER" 2>/dev/null; then
  kill "$PRODUCER"
  produce_status=124
fi
wait "$PRODUCER" || produce_status=$?
PRODUCER=""
event load-end
sent=$(sed -nE 's/^([0-9]+) records sent.*/\1/p' "$WORK/produce.txt")
[[ -f $WORK/records.tsv ]] || die "the producer wrote no records.tsv (exit $produce_status): $(cat "$WORK/produce.err")"

# Read-back: per stream, the records acknowledged (load: records.tsv; preload: its total), the
# stream's next_offset (DescribeStream), and what consume returns (count, offsets dense from 0).
describe_streams end
awk -F'\t' 'FNR > 2 && $8 != "" { n[$3]++ } END { for (s in n) print s "\t" n[s] }' "$WORK/records.tsv" |
  sort >"$WORK/acked.tsv"
readback_ok=1
: >"$WORK/readback.tsv"
while IFS=$'\t' read -r stream _ next _; do
  got=$("$RAFTLOG" consume --stream "$stream" --from earliest --format hex 2>>"$WORK/consume.err" | cut -f1 |
    awk '$1 != NR - 1 { bad++ } END { print NR + 0, bad + 0 }') || got="consume-failed"
  acked=$(awk -F'\t' -v s="$stream" '$1 == s { print $2 }' "$WORK/acked.tsv")
  printf '%s\t%s\t%s\t%s\n' "$stream" "${acked:--}" "$next" "$got" >>"$WORK/readback.tsv"
done <"$WORK/streams-end.tsv"
pre_next=$(awk -F'\t' '$1 ~ /^pre-/ { s += $3 } END { print s + 0 }' "$WORK/readback.tsv")
pre_sent=$(sed -nE 's/^([0-9]+) records sent.*/\1/p' "$WORK/preload.txt")
# Every stream: consume read next_offset records, offsets dense; a load stream: next == acked.
bad_streams=$(awk -F'\t' '{ split($4, g, " ") }
  g[1] != $3 || g[2] != 0 || ($1 ~ /^mb-/ && $2 != $3) { print $1 }' "$WORK/readback.tsv" | tr '\n' ' ')
[[ -z $bad_streams && $pre_next == "$pre_sent" ]] || readback_ok=0

# Figures.
start_epoch=$(records_start_epoch "$WORK/records.tsv")
awk -v s="$start_epoch" -v warm="$WARMUP_MS" '
  { t[$2] = $1 - s }
  END {
    printf "before\t-\t%.0f\t%.0f\t-\n", warm, t["drain-start"]
    printf "drain\t%s\t%.0f\t%.0f\t-\n", "'"$DRAIN_NODE"'", t["drain-start"], t["drain-end"]
    printf "repair\t%s\t%.0f\t%.0f\t-\n", "'"$KILL_NODE"'", t["repair-start"], t["repair-end"]
    printf "join\t%s\t%.0f\t%.0f\t-\n", "'"$NEW"'", t["join-start"], t["join-end"]
    printf "after\t-\t%.0f\t%.0f\t-\n", t["join-end"], 1e12
  }' "$WORK/events.txt" >"$WORK/windows.tsv"
records_by_window "$WORK/windows.tsv" "$WORK/records.tsv" >"$WORK/by-window.tsv"
window_stats "$WORK/windows.tsv" "$WORK/by-window.tsv" >"$WORK/window-stats.tsv"

# Moves: from the polls, each (shard, from, to, reason, started_ms) and the first poll without it.
# A poll's moves come before its "poll" line.
jq -Rr 'split("\t") as [$ms, $json] | ($json | fromjson) as $c |
  ($c.shards[] | select(.move != null) |
    "\($ms) move \(.id // 0) \(.move.fromNode // "-") \(.move.toNode // "-") \(.move.reason // "-") \(.move.startedMs // 0)"),
  "\($ms) poll"' "$WORK/polls.tsv" | awk '
  $2 == "poll" { for (k in open) if (seen[k] != $1) { end[k] = $1; delete open[k] }; next }
  { k = $3 " " $4 " " $5 " " $6 " " $7; if (!(k in first)) { first[k] = $1; order[++n] = k }; open[k] = 1; seen[k] = $1 }
  END { for (i = 1; i <= n; i++) { k = order[i]; print k " " (k in end ? end[k] : -1) } }' >"$WORK/moves-raw.txt"
# Which phase each move started in picks the size snapshot it is measured against.
awk -v OFS='\t' '
  FILENAME ~ /events/ { t[$2] = $1; next }
  FILENAME ~ /sizes-/ { f = FILENAME; sub(/.*sizes-/, "", f); sub(/\.tsv$/, "", f); b[f, $1] = $2; next }
  {
    ph = ($5 >= t["join-start"] ? "join" : $5 >= t["repair-start"] ? "repair" : "drain")
    dur = ($6 < 0 ? -1 : ($6 - $5) / 1000)
    mb = b[ph, $1] / 1048576
    print $1, $2, $3, $4, ph, (dur < 0 ? "not ended" : sprintf("%.1f", dur)), sprintf("%.1f", mb), (dur > 0 ? sprintf("%.2f", mb / dur) : "-")
  }' "$WORK/events.txt" "$WORK"/sizes-*.tsv "$WORK/moves-raw.txt" >"$WORK/moves.tsv"

ev() { awk -v k="$1" '$2 == k { print $1 }' "$WORK/events.txt"; }
secs() { awk -v a="$(ev "$1")" -v b="$(ev "$2")" 'BEGIN { printf "%.1f", (b - a) / 1000 }'; }
{
  echo "moves (shard, from, to, reason, phase, seconds from started_ms to the first poll without it, shard MB, MB/s):"
  awk -F'\t' '{ printf "  shard %s: %s -> %s (%s, %s): %s s, %s MB, %s MB/s\n", $1, $2, $3, $4, $5, $6, $7, $8 }' "$WORK/moves.tsv"
  awk -F'\t' '$8 != "-" { print $8 }' "$WORK/moves.tsv" | sort -g |
    awk '{ v[++n] = $1 } END { if (n) printf "  %d moves, MB/s median %.2f, min %.2f, max %.2f\n", n, v[int((n + 1) / 2)], v[1], v[n] }'
  echo "drain of node $DRAIN_NODE: DrainNode to DRAINED $(secs drain-start drained) s, to removed and stopped $(secs drain-start drain-end) s"
  echo "repair after kill -9 of node $KILL_NODE: every shard at $REPLICATION replicas within $(secs repair-start repair-end) s of the kill ($(secs removed-dead repair-end) s of RemoveNode dead=true)"
  echo "join of node $NEW: add-node to its share (and no move) $(secs join-start join-end) s"
  echo "produce stalls per phase (a record's stall: due to acknowledged):"
  awk -F'\t' 'FNR == NR { kind[FNR] = $1; node[FNR] = $2; lo[FNR] = $3; hi[FNR] = $4; next }
    { i = $1; name = (kind[i] == "before" ? "before the drain" : kind[i] == "after" ? "after the join" : kind[i] " (node " node[i] ")")
      len = (hi[i] > 1e11 ? "to the end" : sprintf("%.1f s", (hi[i] - lo[i]) / 1000))
      if ($2 == 0) { printf "  %s (%s): no records\n", name, len; next }
      printf "  %s (%s): %d records, stall p50 %.1f ms, p99 %.1f ms, max %.1f ms (shard %s), longest ack gap %.1f ms\n", name, len, $2, $3, $4, $5, $6, $7 }' \
    "$WORK/windows.tsv" "$WORK/window-stats.tsv"
  last_due=$(awk -F'\t' 'FNR > 2 && $6 + 0 > m { m = $6 + 0 } END { print m + 0 }' "$WORK/records.tsv")
  join_end=$(awk -F'\t' '$1 == "join" { print $4 }' "$WORK/windows.tsv")
  if awk -v a="$last_due" -v b="$join_end" 'BEGIN { exit !(a < b) }'; then
    echo "note: the load ended before the join did: raise LOAD_SECS"
  fi
  echo "client errors: $([[ $produce_status == 0 && ${sent:-0} == "$records" ]] && echo 0 ||
    echo "the producer failed (exit $produce_status, ${sent:-no} of $records records acknowledged): $(tail -1 "$WORK/produce.err")")"
  echo "producer: $(cat "$WORK/produce.txt")"
  if ((readback_ok)); then
    echo "read-back: every acknowledged record read back: $(awk -F'\t' '$1 ~ /^mb-/ { s += $3 } END { print s }' "$WORK/readback.tsv") load records in $SHARDS streams, $pre_next preloaded in $SHARDS; offsets dense from 0, no duplicate"
  else
    echo "read-back: FAILED: streams ${bad_streams:-none} (stream, acked, next_offset, read and out-of-place offsets in readback.tsv); preload next_offset sum $pre_next of $pre_sent sent"
  fi
} | tee "$WORK/figures.txt"
((produce_status == 0 && readback_ok)) || exit 1
