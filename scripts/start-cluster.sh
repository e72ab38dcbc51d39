#!/usr/bin/env bash
# Starts a local raftlog cluster of N nodes in the background and waits until every node is
# healthy and the cluster has a leader; or (re)starts one node of a running local cluster.
#
# Usage: scripts/start-cluster.sh [--nodes N] [--clean] [--tls]   (from any directory)
#        scripts/start-cluster.sh --node ID
#   --nodes N  form a cluster of N nodes, 1 to 9 (default 3): node i on 127.0.0.1:900i (clients),
#             810i (Raft) and 920i (HTTP: /metrics and the console), cluster.replication 3 (N
#             when N < 3). Without --clean, a DATA_DIR holding a cluster starts that cluster
#             again, with every node it had (also the ones scripts/add-node.sh added);
#             --nodes must then match or be left out.
#   --clean   delete the nodes' data ($DATA_DIR/node-*) first: start an empty cluster.
#   --tls     mutual TLS on every node's gRPC and Raft ports (tls.api.mode and tls.raft.mode mtls),
#             with the certificates of $DATA_DIR/tls/ (scripts/gen-certs.sh makes the missing
#             ones); the script's own checks and the CLI then show the client certificate. A
#             cluster started with --tls stays so at its next starts and --node restarts (its node
#             configs say so); --clean, then a start without --tls, makes it plaintext again.
#   --node ID  (re)start node ID of the local cluster: stop it if it runs (SIGTERM: it hands its
#             leaderships off first), start it with its config, wait until it is SERVING (at most
#             START_TIMEOUT_SECS, default 120).
#   DATA_DIR  where the nodes keep their data (default: <repo>/data). Node i uses $DATA_DIR/node-i
#             for its data, its config (node.properties), its log (node.log), its pid (node.pid).
#   CONFIG_DIR  its node-1.properties is the template of every node's config (default:
#             <repo>/cluster-config): its settings and, in cluster.peers, node 1's ports (node i
#             gets them plus i-1). A node's config is written from it at each start.
#   RAFTLOG_GC_LOG  if 1, each JVM logs its garbage collections (-Xlog:gc) to $DATA_DIR/node-i/gc.log
#             (scripts/bench.sh sets it to report GC pauses beside its latency figures).
# Stop the cluster with scripts/stop-cluster.sh (same DATA_DIR). Data written by a raftlog from
# before streams (one log per node) cannot be read: the script then stops and says to use --clean.
set -euo pipefail
# Keep background jobs in this script's process group: setsid then exec()s without forking, so $!
# is the JVM's own pid, which is what the pid files must hold.
set +m

# shellcheck source=scripts/cluster-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/cluster-lib.sh"
POLL_SECS=0.3
STOP_TIMEOUT_SECS=30
LOG_TAIL_LINES=20
MAX_NODES=9

IDS=()                  # the nodes to start, in id order
declare -A SHAPE=()     # id -> "form N" or "join ADDR,..." (see write_node_config)
declare -A CLIENT=()    # id -> host:port of its gRPC API
declare -A HEALTH=()    # id -> SERVING, NOT_SERVING, "no answer" or "exited"
declare -A ROLE=()      # id -> role as GetCluster reports it
LEADER=""

die() {
  echo "start-cluster: $*" >&2
  exit 1
}

# Sets IDS and SHAPE: the cluster DATA_DIR holds (each node in the shape its config has), or a new
# one of $1 nodes (empty: 3). Data from before node configs were kept here (node-i with data and
# no node.properties) counts as a formed cluster of that many nodes.
plan_nodes() {
  local wanted=$1 id formed="" dir
  local -a ids
  mapfile -t ids < <(node_ids)
  if ((${#ids[@]} == 0)); then
    for dir in "$DATA_DIR"/node-*; do
      [[ -d $dir/meta || -d $dir/shards || -d $dir/store ]] || continue
      id=${dir##*/node-}
      [[ $id =~ ^[0-9]+$ ]] && ids+=("$id")
    done
    ((${#ids[@]} == 0)) || mapfile -t ids < <(printf '%s\n' "${ids[@]}" | sort -n)
    for id in "${ids[@]}"; do SHAPE[$id]="form ${#ids[@]}"; done
  else
    for id in "${ids[@]}"; do SHAPE[$id]=$(config_shape "$id"); done
  fi
  if ((${#ids[@]} > 0)); then
    for id in "${ids[@]}"; do
      [[ ${SHAPE[$id]} != form* ]] || formed=${SHAPE[$id]#form }
    done
    [[ -z $wanted || $wanted == "$formed" ]] ||
      die "$DATA_DIR holds a cluster formed by ${formed:-?} nodes (nodes ${ids[*]}): start it" \
        "without --nodes, or a new one of $wanted with --nodes $wanted --clean"
    IDS=("${ids[@]}")
    return
  fi
  for ((id = 1; id <= ${wanted:-3}; id++)); do
    IDS+=("$id")
    SHAPE[$id]="form ${wanted:-3}"
  done
}

refuse_if_running() {
  local id pid running=""
  for id in "$@"; do
    if pid=$(node_pid "$id"); then
      running+="  node $id is running (pid $pid)"$'\n'
    fi
  done
  [[ -z $running ]] && return 0
  echo "raftlog cluster is already running (data in $DATA_DIR):" >&2
  printf '%s' "$running" >&2
  die "not starting duplicates; stop it first with $(command_for stop-cluster.sh)," \
    "or restart one node with $(command_for start-cluster.sh) --node ID"
}

# A port another process holds would make that node fail to bind (or, worse, let this script
# mistake someone else's node for its own), so check them all before starting anything.
refuse_if_ports_taken() {
  local id addr addrs
  for id in "$@"; do
    addrs=("$(client_address "$id")" "$(raft_address "$id")")
    [[ $(http_port "$id") == 0 ]] || addrs+=("$HOST:$(http_port "$id")")
    for addr in "${addrs[@]}"; do
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
  die "start afresh with: $(command_for start-cluster.sh) --clean   (deletes $DATA_DIR/node-*)"
}

# Deletes every node's data, config, log and pid file (--clean); no node may be running.
clean_data() {
  local dir id
  local -a all=()
  for dir in "$DATA_DIR"/node-*; do
    [[ -d $dir && ${dir##*/} =~ ^node-[0-9A-Za-z_-]+$ ]] && all+=("${dir##*/node-}")
  done
  ((${#all[@]} == 0)) || refuse_if_running "${all[@]}"
  for id in "${all[@]}"; do
    echo "deleting $DATA_DIR/node-$id (--clean)"
    rm -rf -- "${DATA_DIR:?}/node-$id"
  done
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
  answer=$(rpc "${CLIENT[$1]}" raftlog.v1.Log/GetCluster) || return 1
  while read -r key value; do
    case $key in
      id) id=$value ;;
      role) ROLE[$id]=$value ;;
      leaderId) LEADER=$value ;;
    esac
  done < <(sed -nE -e 's/^ {6}"(id|role)": "([^"]*)",?$/\1 \2/p' \
    -e 's/^ {2}"(leaderId)": "([^"]*)",?$/\1 \2/p' <<<"$answer")
}

# Returns 0 when the nodes $@ are all SERVING and agree on one leader, 1 when not yet, 2 when one
# of them exited.
check_cluster() {
  local id status=0
  for id in "$@"; do
    if ! node_pid "$id" >/dev/null; then
      HEALTH[$id]="exited"
      status=2
    elif [[ ${HEALTH[$id]:-} != SERVING ]]; then
      HEALTH[$id]=$(health_at "${CLIENT[$id]}")
      [[ ${HEALTH[$id]} == SERVING ]] || status=$((status > 1 ? status : 1))
    fi
  done
  ((status == 0)) || return $status
  read_cluster "$1" || return 1
  [[ -n $LEADER && ${ROLE[$LEADER]:-} == LEADER ]] || return 1
  for id in "$@"; do
    [[ $id == "$LEADER" || ${ROLE[$id]:-} == FOLLOWER ]] || return 1
  done
}

# Waits until check_cluster passes for the nodes $@ (at most $TIMEOUT_SECS); on_failure if not.
wait_until_ready() {
  local deadline=$((SECONDS + TIMEOUT_SECS)) status
  while :; do
    status=0
    check_cluster "$@" || status=$?
    case $status in
      0) return 0 ;;
      2) on_failure "a node exited" "$@" ;;
    esac
    ((SECONDS < deadline)) || on_failure "not ready within $TIMEOUT_SECS s" "$@"
    sleep "$POLL_SECS"
  done
}

command_for() { # script name -> how to run it with this DATA_DIR
  if [[ $DATA_DIR == "$ROOT/data" ]]; then
    echo "scripts/$1"
  else
    echo "DATA_DIR=$DATA_DIR scripts/$1"
  fi
}

# Reports why the nodes $2... are not up, shows the end of their logs and stops them: every node
# of a full start (stop-cluster.sh), only the node of --node.
ONE_NODE=""
on_failure() {
  local why=$1 id unhealthy=0
  shift
  trap - INT TERM
  {
    echo "raftlog cluster did not come up: $why (data in $DATA_DIR)"
    for id in "$@"; do
      if [[ ${HEALTH[$id]:-} != SERVING ]]; then
        echo "  node $id  ${CLIENT[$id]}  not healthy: ${HEALTH[$id]:-not checked}"
        unhealthy=$((unhealthy + 1))
      fi
    done
    if ((unhealthy == 0)) && [[ -z $ONE_NODE ]]; then
      echo "  all nodes are SERVING, but GetCluster shows no agreed leader: leader '${LEADER}'," \
        "roles: $(for id in "$@"; do printf '%s=%s ' "$id" "${ROLE[$id]:-?}"; done)"
    fi
    for id in "$@"; do
      echo "--- last $LOG_TAIL_LINES lines of $DATA_DIR/node-$id/node.log ---"
      if [[ -s $DATA_DIR/node-$id/node.log ]]; then
        tail -n "$LOG_TAIL_LINES" "$DATA_DIR/node-$id/node.log"
      else
        echo "(empty)"
      fi
    done
    if [[ -n $ONE_NODE ]]; then
      echo "--- stopping node $ONE_NODE ---"
      stop_node "$ONE_NODE" "$STOP_TIMEOUT_SECS" || echo "node $ONE_NODE did not stop in time"
    else
      echo "--- stopping the nodes ---"
      "$ROOT/scripts/stop-cluster.sh" || true
    fi
  } >&2
  exit 1
}

on_interrupt() {
  trap - INT TERM
  if [[ -n $ONE_NODE ]]; then
    echo "start-cluster: interrupted; stopping node $ONE_NODE" >&2
    stop_node "$ONE_NODE" "$STOP_TIMEOUT_SECS" || true
  else
    echo "start-cluster: interrupted; stopping the nodes it started" >&2
    "$ROOT/scripts/stop-cluster.sh" >&2 || true
  fi
  exit 130
}

print_cluster() {
  local id role
  echo "raftlog cluster is up (data in $DATA_DIR):"
  for id in "$@"; do
    role=${ROLE[$id]:-?}
    [[ $role == LEADER ]] || role=${role,,}
    printf '  node %s  %s  %s\n' "$id" "${CLIENT[$id]}" "$role"
  done
  if cluster_tls; then
    echo "mutual TLS: point the CLI (scripts/raftlog) at it with"
    echo "  export RAFTLOG_CA=$TLS_DIR/ca.pem RAFTLOG_CERT=$TLS_DIR/client.pem RAFTLOG_KEY=$TLS_DIR/client.key"
  fi
  echo "stop it with $(command_for stop-cluster.sh)"
}

# --node ID: stops node ID if it runs, starts it with its config in the shape it had, and waits
# until it is SERVING and sees the meta group's leader.
restart_one() {
  local id=$1 pid shape
  shape=$(config_shape "$id")
  [[ -n $shape ]] || die "node $id is not a node of the local cluster in $DATA_DIR" \
    "(nodes: $(node_ids | tr '\n' ' '))"
  ! jar_is_stale || echo "start-cluster: note: $SERVER_JAR is older than the sources;" \
    "not rebuilding it under a running cluster (build it with mvn -B package -DskipTests)" >&2
  [[ -f $SERVER_JAR ]] || die "$SERVER_JAR is missing (build it with mvn -B package -DskipTests)"
  ensure_buf
  ! cluster_tls || ensure_certs "$id"
  if pid=$(node_pid "$id"); then
    echo "stopping node $id (pid $pid; it hands its leaderships off first)..."
    stop_node "$id" "$STOP_TIMEOUT_SECS" ||
      die "node $id (pid $pid) did not stop within $STOP_TIMEOUT_SECS s; see $DATA_DIR/node-$id/node.log"
  fi
  write_node_config "$id" "$shape"
  CLIENT[$id]=$(client_address "$id")
  refuse_if_ports_taken "$id"
  ONE_NODE=$id
  trap on_interrupt INT TERM
  echo "starting node $id (log in $DATA_DIR/node-$id/node.log)..."
  start_node "$id"
  TIMEOUT_SECS=${START_TIMEOUT_SECS:-120}
  wait_until_serving "$id"
  trap - INT TERM
  echo "node $id is up: ${CLIENT[$id]}, SERVING$(! cluster_tls || echo ", mutual TLS")"
}

# Waits until node $1 is SERVING: it knows the leader of the meta group and of each shard it holds.
wait_until_serving() {
  local id=$1 deadline=$((SECONDS + TIMEOUT_SECS))
  while :; do
    node_pid "$id" >/dev/null || { HEALTH[$id]=exited && on_failure "node $id exited" "$id"; }
    HEALTH[$id]=$(health_at "${CLIENT[$id]}")
    [[ ${HEALTH[$id]} != SERVING ]] || return 0
    ((SECONDS < deadline)) || on_failure "node $id not SERVING within $TIMEOUT_SECS s" "$id"
    sleep "$POLL_SECS"
  done
}

usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
}

main() {
  local id clean=false nodes="" one="" tls=false
  while (($#)); do
    case $1 in
      --clean) clean=true ;;
      --tls) tls=true ;;
      --nodes)
        [[ $# -ge 2 && $2 =~ ^[1-9]$ ]] || die "--nodes needs a number from 1 to $MAX_NODES"
        nodes=$2
        shift
        ;;
      --node)
        [[ $# -ge 2 && $2 =~ ^[1-9][0-9]*$ ]] || die "--node needs a node id"
        one=$2
        shift
        ;;
      -h | --help) usage && exit 0 ;;
      *) usage >&2 && die "unknown argument: $1" ;;
    esac
    shift
  done
  [[ -z $one || ($clean == false && -z $nodes && $tls == false) ]] ||
    die "--node takes no other option (a restarted node keeps the TLS its config has)"
  command -v java >/dev/null || die "java is not on PATH"
  read_template_ports
  if [[ -n $one ]]; then
    restart_one "$one"
    return
  fi
  $clean && clean_data
  plan_nodes "$nodes"
  refuse_if_running "${IDS[@]}"
  $clean || refuse_if_old_layout
  if $tls; then
    CLUSTER_TLS=1
  elif cluster_tls; then
    echo "start-cluster: the cluster in $DATA_DIR was started with --tls: starting it with mutual TLS"
  fi
  build_jar_if_stale
  ensure_buf
  ! cluster_tls || ensure_certs "${IDS[-1]}"
  for id in "${IDS[@]}"; do
    write_node_config "$id" "${SHAPE[$id]}"
    CLIENT[$id]=$(client_address "$id")
  done
  refuse_if_ports_taken "${IDS[@]}" # last, as the build can take a while
  echo "starting ${#IDS[@]} nodes (logs in $DATA_DIR/node-*/node.log)..."
  trap on_interrupt INT TERM
  for id in "${IDS[@]}"; do
    start_node "$id"
  done
  # JVMs starting at once share the cores: allow more time for more of them.
  TIMEOUT_SECS=${START_TIMEOUT_SECS:-$((20 + 5 * ${#IDS[@]}))}
  wait_until_ready "${IDS[@]}"
  trap - INT TERM
  print_cluster "${IDS[@]}"
}

main "$@"
