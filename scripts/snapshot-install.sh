#!/usr/bin/env bash
# Measures how a wiped node catches up a big shard by snapshot install: starts a fresh local
# three-node cluster of one shard, fills it with MB megabytes (one stream, SIZE-byte records; the
# shard snapshots every raft.snapshot-log-bytes and drops its Raft log before each snapshot, so a
# node that lost everything can only come back through a snapshot), stops a follower, deletes its
# data directory, removes it as dead, starts it again (it joins as a new member and a repair move
# gives it the shard back) and waits until its replica's applied index reaches the leader's.
# Prints how long that took, the snapshot's size, and the node's peak RSS (VmHWM) while installing.
#
# Usage: scripts/snapshot-install.sh [--mb N] [--size BYTES] [--port-offset N]
#   --mb N           megabytes to fill the shard with (default 2048)
#   --size BYTES     record size (default 65536)
#   --port-offset N  add N to the nodes' ports (9001-9003, 8101-8103)
# Environment: BENCH_DATA_DIR [a new directory in /tmp], TIMEOUT_SECS [1800].
# Takes minutes (the fill dominates) and needs MB x 3 plus a snapshot of disk: not part of CI. Run it
# with nothing else busy on the machine. The cluster and its data are removed at the end.
set -euo pipefail
set +m

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MB=2048
SIZE=65536
PORT_OFFSET=0
TIMEOUT_SECS=${TIMEOUT_SECS:-1800}

die() {
  echo "snapshot-install: $*" >&2
  exit 1
}

while (($#)); do
  case $1 in
    --mb | --size | --port-offset)
      [[ $# -ge 2 && $2 =~ ^[0-9]+$ ]] || die "$1 needs a number"
      case $1 in
        --mb) MB=$2 ;;
        --size) SIZE=$2 ;;
        --port-offset) PORT_OFFSET=$2 ;;
      esac
      shift 2
      ;;
    -h | --help)
      sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
      exit 0
      ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done
((MB > 0 && SIZE > 0)) || die "--mb and --size must be positive"

export DATA_DIR=${BENCH_DATA_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/raftlog-install.XXXXXX")}
export CONFIG_DIR=$DATA_DIR/config
# shellcheck source=scripts/cluster-lib.sh
source "$ROOT/scripts/cluster-lib.sh" # raftlog_pid
RAFTLOG=$ROOT/scripts/raftlog
RUN_LOG=$DATA_DIR/run.log
JAR=$ROOT/server/target/raftlog-server.jar
BUF=""
for b in "$ROOT"/tools/node_modules/@bufbuild/buf-*/bin/buf "$ROOT/tools/node_modules/.bin/buf"; do
  if [[ -x $b ]]; then BUF=$b && break; fi
done
[[ -n $BUF ]] || die "no buf under tools/node_modules (scripts/start-cluster.sh installs it)"
command -v jq >/dev/null || die "needs jq"
mkdir -p "$DATA_DIR"

cleanup() {
  "$ROOT/scripts/stop-cluster.sh" --wipe >/dev/null 2>&1 || true
  rm -rf "$DATA_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# cluster-config/ with one shard and the ports moved.
mkdir -p "$CONFIG_DIR"
for f in "$ROOT"/cluster-config/node-*.properties; do
  awk -v off="$PORT_OFFSET" '
    /^[[:space:]]*cluster\.shards[[:space:]]*=/ { print "cluster.shards=1"; next }
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
addr() { echo "127.0.0.1:$((9000 + $1 + PORT_OFFSET))"; }

cluster_json() { # node
  "$BUF" curl --protocol grpc --http2-prior-knowledge --connect-timeout 1 --timeout 5s \
    -d '{}' "http://$(addr "$1")/raftlog.v1.Log/GetCluster" 2>/dev/null
}
# The applied index of node $1's own replica of shard 0 (empty if it does not answer).
applied_of() {
  cluster_json "$1" | jq -r --arg id "$1" \
    '.nodes[] | select(.id == $id) | .replicas[]? | select((.shard // 0) == 0) | (.appliedIndex // "0")' \
    2>/dev/null | head -1 || true
}
leader_of_shard() { cluster_json 1 | jq -r '.shards[] | select((.id // 0) == 0) | .leaderId' | head -1; }

"$ROOT/scripts/start-cluster.sh" --clean >>"$RUN_LOG" 2>&1 || die "the cluster did not start (see $RUN_LOG)"
records=$((MB * 1048576 / SIZE))
echo "filling shard 0 with $MB MB: $records records of $SIZE B into stream 'big'..."
t=$SECONDS
"$RAFTLOG" bench produce --records "$records" --size "$SIZE" --stream big 2>>"$RUN_LOG" |
  grep -E '^[0-9]+ records sent' | tail -1
echo "filled in $((SECONDS - t)) s"

leader=$(leader_of_shard)
[[ $leader =~ ^[123]$ ]] || die "no leader of shard 0 known"
victim=$(((leader % 3) + 1))
target=$(applied_of "$leader")
for id in 1 2 3; do
  until [[ $(applied_of "$id") == "$target" ]]; do sleep 1; done
done
store_mb() { du -sm "$DATA_DIR/node-$1/shards" | cut -f1; }
snap_mb() { du -sm "$DATA_DIR/node-$1/shards/0/raft/snapshot" | cut -f1; }
echo "shard 0 at applied index $target on every node; leader node $leader (shards/ $(store_mb "$leader") MB," \
  "snapshot $(snap_mb "$leader") MB); wiping node $victim"

pid=$(raftlog_pid "$DATA_DIR/node-$victim/node.pid") || die "node $victim is not running"
kill -TERM "$pid"
while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
dir=$DATA_DIR/node-$victim
find "$dir" -mindepth 1 -maxdepth 1 ! -name 'node.log*' -exec rm -rf {} +
mv -f "$dir/node.log" "$dir/node.log.1" 2>/dev/null || true
# A member that lost its data comes back as a new one (the cluster refuses it otherwise): removed as
# dead first; started again, it joins and a repair move gives it shard 0 back by snapshot install.
"$BUF" curl --protocol grpc --http2-prior-knowledge --timeout 60s \
  -d "{\"node_id\":\"$victim\",\"dead\":true}" \
  "http://$(addr "$leader")/raftlog.v1.Log/RemoveNode" >>"$RUN_LOG" 2>&1 ||
  die "node $victim could not be removed as dead (see $RUN_LOG)"

t0=$(date +%s%3N)
(cd "$dir" && exec setsid nohup java -Xmx256m -jar "$JAR" \
  --config "$CONFIG_DIR/node-$victim.properties" --data-dir "$dir") >"$dir/node.log" 2>&1 </dev/null &
echo $! >"$dir/node.pid"
pid=$(cat "$dir/node.pid")
peak=0
while :; do
  kill -0 "$pid" 2>/dev/null || die "node $victim exited (see $dir/node.log)"
  hwm=$(awk '$1 == "VmHWM:" {print $2}' "/proc/$pid/status" 2>/dev/null || true)
  if ((${hwm:-0} > peak)); then peak=$hwm; fi
  applied=$(applied_of "$victim")
  if [[ -n $applied && $applied -ge $target ]]; then break; fi
  (($(date +%s%3N) - t0 < TIMEOUT_SECS * 1000)) || die "node $victim not caught up within $TIMEOUT_SECS s"
  sleep 1
done
elapsed=$(($(date +%s%3N) - t0))
installs=$(cluster_json "$victim" | jq -r --arg id "$victim" \
  '[.nodes[] | select(.id == $id) | .replicas[]? | (.snapshotsInstalled // 0)] | add')
echo "node $victim caught up shard 0 ($MB MB, $(store_mb "$victim") MB in its shards/ now) in" \
  "$(awk -v m="$elapsed" 'BEGIN{printf "%.1f", m / 1000}') s from its start, by $installs snapshot" \
  "install(s); peak RSS $((peak / 1024)) MB (-Xmx256m)"
