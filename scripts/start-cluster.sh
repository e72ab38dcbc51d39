#!/usr/bin/env bash
# Starts the local three-node raftlog cluster (cluster-config/node-*.properties) in the background
# and waits until every node is healthy and the cluster has a leader.
#
# Usage: scripts/start-cluster.sh [--clean]  (from any directory)
#   --clean   delete the nodes' data ($DATA_DIR/node-*) first: start an empty cluster.
#   DATA_DIR  where the nodes keep their data (default: <repo>/data). Node i uses $DATA_DIR/node-i
#             for its data, its log (node.log) and its pid file (node.pid).
#   CONFIG_DIR  the nodes' node-*.properties (default: <repo>/cluster-config).
#   RAFTLOG_GC_LOG  if 1, each JVM logs its garbage collections (-Xlog:gc) to $DATA_DIR/node-i/gc.log
#             (scripts/bench.sh sets it to report GC pauses beside its latency figures).
# Stop the cluster with scripts/stop-cluster.sh (same DATA_DIR). Data written by a raftlog from
# before streams (one log per node) cannot be read: the script then stops and says to use --clean.
set -euo pipefail
# Keep background jobs in this script's process group: setsid then exec()s without forking, so $!
# is the JVM's own pid, which is what the pid files must hold.
set +m

# shellcheck source=scripts/cluster-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/cluster-lib.sh" # ROOT, DATA_DIR, raftlog_pid
JAR=$ROOT/server/target/raftlog-server.jar
CONFIG_DIR=$(realpath -m -- "${CONFIG_DIR:-$ROOT/cluster-config}")
TIMEOUT_SECS=30
POLL_SECS=0.3
LOG_TAIL_LINES=20

IDS=()                    # node ids, in cluster.peers order
declare -A CLIENT_ADDR=() # id -> host:port of its gRPC API
declare -A RAFT_ADDR=()   # id -> host:port of its Raft transport
declare -A HEALTH=()      # id -> SERVING, NOT_SERVING, "no answer" or "exited"
declare -A ROLE=()        # id -> role as GetCluster reports it
LEADER=""
BUF=""

die() {
  echo "start-cluster: $*" >&2
  exit 1
}

# Reads the node ids and addresses from cluster.peers (id@raft-host:port@client-host:port,...),
# which is the same in every node's file, so that this script follows the configuration.
read_peers() {
  local peers entry id raft client addr
  local -a entries
  peers=$(sed -n 's/^[[:space:]]*cluster\.peers[[:space:]]*=[[:space:]]*//p' "$CONFIG_DIR/node-1.properties")
  [[ -n $peers ]] || die "no cluster.peers in $CONFIG_DIR/node-1.properties"
  IFS=',' read -ra entries <<<"$peers"
  for entry in "${entries[@]}"; do
    IFS='@' read -r id raft client <<<"${entry//[[:space:]]/}"
    # This script only ever talks to (and starts) a cluster on this machine.
    for addr in "$raft" "$client"; do
      [[ $addr == 127.0.0.1:* || $addr == localhost:* ]] ||
        die "node $id: address '$addr' in cluster.peers is not a loopback address"
    done
    [[ -f $CONFIG_DIR/node-$id.properties ]] || die "missing $CONFIG_DIR/node-$id.properties"
    IDS+=("$id")
    RAFT_ADDR[$id]=$raft
    CLIENT_ADDR[$id]=$client
  done
}

refuse_if_running() {
  local id pid running=""
  for id in "${IDS[@]}"; do
    if pid=$(raftlog_pid "$DATA_DIR/node-$id/node.pid"); then
      running+="  node $id is running (pid $pid)"$'\n'
    fi
  done
  [[ -z $running ]] && return 0
  echo "raftlog cluster is already running (data in $DATA_DIR):" >&2
  printf '%s' "$running" >&2
  die "not starting duplicates; stop it first with $(stop_command)"
}

# A port another process holds would make that node fail to bind (or, worse, let this script
# mistake someone else's node for its own), so check them all before starting anything.
refuse_if_ports_taken() {
  local id addr
  for id in "${IDS[@]}"; do
    for addr in "${CLIENT_ADDR[$id]}" "${RAFT_ADDR[$id]}"; do
      if (exec 3<>"/dev/tcp/${addr%:*}/${addr##*:}") 2>/dev/null; then
        die "$addr (node $id) is already in use by another process" \
          "(another raftlog cluster with a different DATA_DIR? see: pgrep -af raftlog-server.jar)"
      fi
    done
  done
}

# Data of a raftlog from before streams (one log per node: node-i/store and node-i/raft, no
# shards/) cannot be read by this version, and the node refuses to start on it. Say so here,
# before starting anything, with the way to start afresh.
refuse_if_old_layout() {
  local id dir old=""
  for id in "${IDS[@]}"; do
    dir=$DATA_DIR/node-$id
    if [[ -d $dir/store || -d $dir/raft ]] && [[ ! -d $dir/shards && ! -d $dir/meta ]]; then
      old+="  $dir"$'\n'
    fi
  done
  [[ -z $old ]] && return 0
  echo "start-cluster: data from a raftlog before streams (one log per node) is in:" >&2
  printf '%s' "$old" >&2
  echo "  this version keeps one store per shard (node-N/shards/, node-N/meta/) and cannot read it." >&2
  die "start afresh with: $(start_command) --clean   (deletes $DATA_DIR/node-*)"
}

# Deletes the nodes' data, logs and pid files (--clean); the nodes must not be running.
clean_data() {
  local id
  for id in "${IDS[@]}"; do
    if [[ -e $DATA_DIR/node-$id ]]; then
      echo "deleting $DATA_DIR/node-$id (--clean)"
      rm -rf -- "${DATA_DIR:?}/node-$id"
    fi
  done
}

jar_is_stale() {
  [[ -f $JAR ]] || return 0
  [[ -n $(find "$ROOT/proto/src" "$ROOT/server/src" "$ROOT"/pom.xml "$ROOT"/*/pom.xml \
    -newer "$JAR" -print -quit 2>/dev/null) ]]
}

build_jar_if_stale() {
  jar_is_stale || return 0
  echo "building $JAR (missing or older than the sources)..."
  (cd "$ROOT" && mvn -B -q package -DskipTests) || die "build failed"
  [[ -f $JAR ]] || die "build did not produce $JAR"
}

# Sets BUF to a working buf binary, installing tools/ (npm) if needed. The npm package's bin/buf
# is a Node.js wrapper costing ~0.2 s per call, so prefer the platform binary it wraps.
find_buf() {
  local b
  for b in "$ROOT"/tools/node_modules/@bufbuild/buf-*/bin/buf "$ROOT/tools/node_modules/.bin/buf"; do
    if [[ -x $b ]] && "$b" --version >/dev/null 2>&1; then
      BUF=$b
      return 0
    fi
  done
  return 1
}

ensure_buf() {
  find_buf && return 0
  echo "installing the buf gRPC client (npm install in tools/)..."
  (cd "$ROOT/tools" && npm install --no-audit --no-fund --loglevel=error >/dev/null) ||
    die "npm install in $ROOT/tools failed"
  find_buf || die "no usable buf binary under $ROOT/tools/node_modules after npm install"
}

start_node() {
  local id=$1 dir=$DATA_DIR/node-$1
  mkdir -p "$dir"
  rm -f "$dir/node.pid"
  if [[ -f $dir/node.log ]]; then
    mv -f "$dir/node.log" "$dir/node.log.1" # keep the previous run's log
  fi
  # The JVM runs in its node directory so that nothing (e.g. hs_err files) lands in the caller's
  # directory; setsid + nohup so that it outlives this script and its terminal.
  local gc=()
  [[ ${RAFTLOG_GC_LOG:-0} != 1 ]] || gc=("-Xlog:gc:file=$dir/gc.log:time,uptime,level,tags:filecount=0")
  (cd "$dir" && exec setsid nohup java -Xmx256m "${gc[@]}" -jar "$JAR" \
    --config "$CONFIG_DIR/node-$id.properties" --data-dir "$dir") >"$dir/node.log" 2>&1 </dev/null &
  echo $! >"$dir/node.pid"
}

# Calls a unary RPC on a node with buf curl; prints the JSON answer.
rpc() {
  local addr=$1 method=$2 body=${3:-'{}'}
  "$BUF" curl --protocol grpc --http2-prior-knowledge --connect-timeout 1 --timeout 2s \
    -d "$body" "http://$addr/$method" 2>/dev/null
}

# Prints node $1's health status; proto3 JSON leaves out UNKNOWN (0), hence the default.
health_of() {
  local answer status
  answer=$(rpc "${CLIENT_ADDR[$1]}" grpc.health.v1.Health/Check '{"service":"raftlog.v1.Log"}') || {
    echo "no answer"
    return
  }
  status=$(sed -nE 's/^ *"status": "([A-Z_]+)".*/\1/p' <<<"$answer")
  echo "${status:-UNKNOWN}"
}

# Fills ROLE and LEADER from GetCluster as node $1 sees it (it asks its peers for their roles):
# each node's role and the leader of the meta group. buf prints one JSON field per line, indented
# two spaces a level, nodes in id order; proto3 JSON omits empty fields. Only a node's own fields
# (6 spaces in) and the top-level leaderId (2) count: each node's replicas (10) have roles of
# their own, and shards (6, numeric ids) and the meta group (4) have leaderIds of their own.
read_cluster() {
  local answer key value id=""
  ROLE=()
  LEADER=""
  answer=$(rpc "${CLIENT_ADDR[$1]}" raftlog.v1.Log/GetCluster) || return 1
  while read -r key value; do
    case $key in
      id) id=$value ;;
      role) ROLE[$id]=$value ;;
      leaderId) LEADER=$value ;;
    esac
  done < <(sed -nE -e 's/^ {6}"(id|role)": "([^"]*)",?$/\1 \2/p' \
    -e 's/^ {2}"(leaderId)": "([^"]*)",?$/\1 \2/p' <<<"$answer")
}

# Returns 0 when all nodes are SERVING and agree on one leader, 1 when not yet, 2 when a node exited.
check_cluster() {
  local id status=0
  for id in "${IDS[@]}"; do
    if ! raftlog_pid "$DATA_DIR/node-$id/node.pid" >/dev/null; then
      HEALTH[$id]="exited"
      status=2
    elif [[ ${HEALTH[$id]:-} != SERVING ]]; then
      HEALTH[$id]=$(health_of "$id")
      [[ ${HEALTH[$id]} == SERVING ]] || status=$((status > 1 ? status : 1))
    fi
  done
  ((status == 0)) || return $status
  read_cluster "${IDS[0]}" || return 1
  [[ -n $LEADER && ${ROLE[$LEADER]:-} == LEADER ]] || return 1
  for id in "${IDS[@]}"; do
    [[ $id == "$LEADER" || ${ROLE[$id]:-} == FOLLOWER ]] || return 1
  done
}

wait_until_ready() {
  local deadline=$((SECONDS + TIMEOUT_SECS)) status
  while :; do
    status=0
    check_cluster || status=$?
    case $status in
      0) return 0 ;;
      2) fail "a node exited" ;;
    esac
    ((SECONDS < deadline)) || fail "not ready within $TIMEOUT_SECS s"
    sleep "$POLL_SECS"
  done
}

start_command() {
  if [[ $DATA_DIR == "$ROOT/data" ]]; then
    echo "scripts/start-cluster.sh"
  else
    echo "DATA_DIR=$DATA_DIR scripts/start-cluster.sh"
  fi
}

stop_command() {
  if [[ $DATA_DIR == "$ROOT/data" ]]; then
    echo "scripts/stop-cluster.sh"
  else
    echo "DATA_DIR=$DATA_DIR scripts/stop-cluster.sh"
  fi
}

# Reports why the cluster is not up, shows the end of each node's log and stops the nodes.
fail() {
  local id unhealthy=0
  trap - INT TERM
  {
    echo "raftlog cluster did not come up: $1 (data in $DATA_DIR)"
    for id in "${IDS[@]}"; do
      if [[ ${HEALTH[$id]:-} != SERVING ]]; then
        echo "  node $id  ${CLIENT_ADDR[$id]}  not healthy: ${HEALTH[$id]:-not checked}"
        unhealthy=$((unhealthy + 1))
      fi
    done
    if ((unhealthy == 0)); then
      echo "  all nodes are SERVING, but GetCluster shows no agreed leader: leader '${LEADER}'," \
        "roles: $(for id in "${IDS[@]}"; do printf '%s=%s ' "$id" "${ROLE[$id]:-?}"; done)"
    fi
    for id in "${IDS[@]}"; do
      echo "--- last $LOG_TAIL_LINES lines of $DATA_DIR/node-$id/node.log ---"
      if [[ -s $DATA_DIR/node-$id/node.log ]]; then
        tail -n "$LOG_TAIL_LINES" "$DATA_DIR/node-$id/node.log"
      else
        echo "(empty)"
      fi
    done
    echo "--- stopping the nodes ---"
    "$ROOT/scripts/stop-cluster.sh" || true
  } >&2
  exit 1
}

on_interrupt() {
  trap - INT TERM
  echo "start-cluster: interrupted; stopping the nodes it started" >&2
  "$ROOT/scripts/stop-cluster.sh" >&2 || true
  exit 130
}

print_cluster() {
  local id role
  echo "raftlog cluster is up (data in $DATA_DIR):"
  for id in "${IDS[@]}"; do
    role=${ROLE[$id]}
    [[ $role == LEADER ]] || role=${role,,}
    printf '  node %s  %s  %s\n' "$id" "${CLIENT_ADDR[$id]}" "$role"
  done
  echo "stop it with $(stop_command)"
}

usage() {
  sed -n '2,11s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
}

main() {
  local id clean=false
  case ${1:-} in
    "") ;;
    --clean) clean=true ;;
    -h | --help) usage && exit 0 ;;
    *) usage >&2 && die "unknown argument: $1" ;;
  esac
  (($# <= 1)) || { usage >&2 && die "unexpected argument: $2"; }
  command -v java >/dev/null || die "java is not on PATH"
  read_peers
  refuse_if_running
  if $clean; then
    clean_data
  else
    refuse_if_old_layout
  fi
  build_jar_if_stale
  ensure_buf
  refuse_if_ports_taken # last, as the build can take a while
  echo "starting ${#IDS[@]} nodes (logs in $DATA_DIR/node-*/node.log)..."
  trap on_interrupt INT TERM
  for id in "${IDS[@]}"; do
    start_node "$id"
  done
  wait_until_ready
  trap - INT TERM
  print_cluster
}

main "$@"
