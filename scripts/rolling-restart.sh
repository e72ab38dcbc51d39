#!/usr/bin/env bash
# Restarts every node of the running local cluster (scripts/start-cluster.sh) in turn, the meta
# group's leader last, each one only once the one before is back and caught up:
#   1. every node is SERVING and the meta group has a leader (else wait);
#   2. note, as the node sees them, the commit index of the meta group and of each shard it holds
#      (the leaders' indexes, GetCluster);
#   3. SIGTERM: the node reports NOT_SERVING and hands each group it leads to another replica (a
#      Raft leadership transfer, at most shutdown.hand-off-ms), then closes; wait for it to exit;
#   4. start it again (scripts/start-cluster.sh --node ID: same config) and wait until it is SERVING;
#   5. wait until its replicas have applied at least the indexes noted in 2 (it has caught up what
#      was committed while it was down).
# One progress line per step. Every wait is bounded; a timeout stops the restart with exit 1 and
# says where (the node's log is in $DATA_DIR/node-ID/node.log).
#
# Usage: scripts/rolling-restart.sh [--events FILE]   (from any directory)
#   --events FILE  also append one line per step to FILE: "EPOCH_MS NODE STEP" (STEP: sigterm,
#             exited, serving, caught-up); scripts/rolling-restart-bench.sh reads them.
#   DATA_DIR  the local cluster's (as for start-cluster.sh; default <repo>/data).
#   STOP_TIMEOUT_SECS [30]  for a node to exit after SIGTERM; START_TIMEOUT_SECS [120] for it to
#             be SERVING again; CATCH_UP_TIMEOUT_SECS [120] for it to catch up; HEALTHY_TIMEOUT_SECS
#             [60] for the cluster to be healthy before each restart.
# Needs jq.
set -euo pipefail

# shellcheck source=scripts/cluster-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/cluster-lib.sh"
STOP_TIMEOUT_SECS=${STOP_TIMEOUT_SECS:-30}
START_TIMEOUT_SECS=${START_TIMEOUT_SECS:-120}
CATCH_UP_TIMEOUT_SECS=${CATCH_UP_TIMEOUT_SECS:-120}
HEALTHY_TIMEOUT_SECS=${HEALTHY_TIMEOUT_SECS:-60}
POLL_SECS=0.2
EVENTS=""
IDS=()
declare -A TARGET=() # "meta" or a shard id -> index the restarted node must reach

die() {
  echo "rolling-restart: $*" >&2
  exit 1
}

usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
}

now_ms() { date +%s%3N; }
secs_since() { awk -v t0="$1" -v t1="$(now_ms)" 'BEGIN{printf "%.1f", (t1 - t0) / 1000}'; }
event() { [[ -z $EVENTS ]] || echo "$(now_ms) $1 $2" >>"$EVENTS"; }

cluster_of() { # node [body] -> GetCluster's JSON from it
  local body=${2:-}
  rpc "$(configured_client_address "$1")" raftlog.v1.Log/GetCluster "${body:-"{}"}"
}

# Waits until every node is SERVING and node $1 names the meta group's leader; prints that leader.
# A node is SERVING once it knows the leader of the meta group and of each shard it holds, so this
# also means every shard has a leader.
wait_healthy() {
  local deadline=$((SECONDS + HEALTHY_TIMEOUT_SECS)) id bad leader
  while :; do
    bad=""
    for id in "${IDS[@]}"; do
      node_pid "$id" >/dev/null || die "node $id is not running: start it with scripts/start-cluster.sh --node $id"
      [[ $(health_at "$(configured_client_address "$id")") == SERVING ]] || bad+=" $id"
    done
    leader=""
    [[ -n $bad ]] || leader=$(cluster_of "${IDS[0]}" | jq -r '.leaderId // ""' 2>/dev/null) || true
    if [[ -z $bad && -n $leader ]]; then
      echo "$leader"
      return
    fi
    ((SECONDS < deadline)) || die "the cluster is not healthy after $HEALTHY_TIMEOUT_SECS s" \
      "($([[ -n $bad ]] && echo "not SERVING:$bad" || echo "no leader of the meta group"))"
    sleep "$POLL_SECS"
  done
}

# Fills TARGET for node $1 from its own GetCluster: the commit index of the meta group and of each
# shard it holds (the leader's, which the node asks for).
note_targets() {
  local key index answer="" try
  TARGET=()
  # GetCluster asks every peer: on a busy machine one try can take longer than rpc's 2 s.
  for try in 1 2 3 4 5; do
    answer=$(cluster_of "$1") && break
    sleep 1
  done
  [[ -n $answer ]] || die "node $1 did not answer GetCluster (5 tries)"
  while read -r key index; do
    TARGET[$key]=$index
  done < <(jq -r --arg id "$1" '
      (.shards[]? | select(any(.replicas[]?; . == $id)) | "\(.id // 0) \(.commitIndex // "0")"),
      "meta \(.meta.commitIndex // "0")"' <<<"$answer")
}

# Prints the groups (meta, shard ids) where node $1 has not yet applied TARGET; empty once it has.
behind() {
  local answer
  answer=$(cluster_of "$1" '{"localOnly": true}') || {
    echo "(no answer)"
    return
  }
  jq -r --arg id "$1" '.nodes[]? | select(.id == $id) |
      ((.replicas[]? | "\(.shard // 0) \(.appliedIndex // "0")"), "meta \(.appliedIndex // "0")")' \
    <<<"$answer" | awk -v want="$(for k in "${!TARGET[@]}"; do printf '%s=%s ' "$k" "${TARGET[$k]}"; done)" '
      BEGIN { n = split(want, w, " "); for (i = 1; i <= n; i++) { split(w[i], kv, "="); t[kv[1]] = kv[2] } }
      { have[$1] = $2 }
      END { for (k in t) if (!(k in have) || have[k] + 0 < t[k] + 0) printf "%s ", k }'
}

restart() { # node
  local id=$1 t0 t1 deadline lagging
  note_targets "$id"
  echo "node $id: SIGTERM (it hands its leaderships off, then stops); to catch up on its return:" \
    "$(for k in $(printf '%s\n' "${!TARGET[@]}" | sort -n); do printf '%s@%s ' "$k" "${TARGET[$k]}"; done)"
  t0=$(now_ms)
  event "$id" sigterm
  stop_node "$id" "$STOP_TIMEOUT_SECS" ||
    die "node $id did not exit within $STOP_TIMEOUT_SECS s of SIGTERM (still running; see $DATA_DIR/node-$id/node.log)"
  event "$id" exited
  echo "node $id: exited after $(secs_since "$t0") s; starting it"
  t1=$(now_ms)
  START_TIMEOUT_SECS=$START_TIMEOUT_SECS "$ROOT/scripts/start-cluster.sh" --node "$id" |
    sed "s/^/node $id: start-cluster: /" || die "node $id did not come back (see above)"
  event "$id" serving
  echo "node $id: SERVING $(secs_since "$t1") s after its start"
  deadline=$((SECONDS + CATCH_UP_TIMEOUT_SECS))
  while lagging=$(behind "$id") && [[ -n $lagging ]]; do
    ((SECONDS < deadline)) ||
      die "node $id has not caught up within $CATCH_UP_TIMEOUT_SECS s (behind in: $lagging)"
    sleep "$POLL_SECS"
  done
  event "$id" caught-up
  echo "node $id: caught up $(secs_since "$t1") s after its start; restarted in $(secs_since "$t0") s"
}

main() {
  local leader id t0 ordered=()
  while (($#)); do
    case $1 in
      --events)
        [[ $# -ge 2 ]] || die "--events needs a file"
        EVENTS=$(realpath -m -- "$2")
        shift
        ;;
      -h | --help) usage && exit 0 ;;
      *) usage >&2 && die "unknown argument: $1" ;;
    esac
    shift
  done
  command -v jq >/dev/null || die "needs jq"
  mapfile -t IDS < <(node_ids)
  ((${#IDS[@]} > 0)) || die "no local cluster in $DATA_DIR (start one with scripts/start-cluster.sh)"
  ensure_buf
  t0=$(now_ms)
  leader=$(wait_healthy)
  for id in "${IDS[@]}"; do [[ $id == "$leader" ]] || ordered+=("$id"); done
  ordered+=("$leader")
  echo "rolling restart of nodes ${ordered[*]} (the meta group's leader, node $leader, last)"
  for id in "${ordered[@]}"; do
    wait_healthy >/dev/null
    restart "$id"
  done
  echo "rolling restart done: ${#ordered[@]} nodes in $(secs_since "$t0") s"
}

main "$@"
