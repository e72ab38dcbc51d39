#!/usr/bin/env bash
# Starts one more node that joins the running local cluster (scripts/start-cluster.sh), and waits
# until it is SERVING and the cluster's catalog lists it. Replicas and leaderships then move onto
# it in the background, a shard at a time (rebalance.max-concurrent-moves): watch them with
# `scripts/raftlog cluster`.
#
# Usage: scripts/add-node.sh   (from any directory)
#   The new node takes the next free id (one above the highest of $DATA_DIR/node-*) and that id's
#   ports (node 1's plus id-1: 127.0.0.1:9006 and 8106 for node 6). Its config
#   ($DATA_DIR/node-ID/node.properties, written from the template as start-cluster.sh writes every
#   node's) has node.id, node.raft-address, node.client-address and cluster.join = the client
#   addresses of the running nodes, and no cluster.peers. From then on it is a node of the local
#   cluster: stop-cluster.sh stops it, start-cluster.sh (--node ID) starts it again. In a cluster
#   started with --tls, it gets mutual TLS too, with node-ID.pem made by scripts/gen-certs.sh.
#   DATA_DIR, CONFIG_DIR, RAFTLOG_GC_LOG  as for start-cluster.sh.
#   START_TIMEOUT_SECS  how long to wait for the node to be SERVING (default 60).
# Exits 1 if it does not join in time, with the end of the node's log; the node is stopped, and its
# directory deleted unless the catalog lists it.
set -euo pipefail
set +m # $! must be the JVM's pid (see start-cluster.sh)

# shellcheck source=scripts/cluster-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/cluster-lib.sh"
POLL_SECS=0.5
STOP_TIMEOUT_SECS=30
LOG_TAIL_LINES=30
ID=""
RUNNING=() # ids of the nodes running when the script started

die() {
  echo "add-node: $*" >&2
  exit 1
}

usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
}

# Shows why node $ID did not join and the end of its log, stops it and exits 1.
fail() {
  trap - INT TERM
  {
    echo "add-node: node $ID did not join: $1"
    echo "--- last $LOG_TAIL_LINES lines of $DATA_DIR/node-$ID/node.log ---"
    tail -n "$LOG_TAIL_LINES" "$DATA_DIR/node-$ID/node.log" 2>/dev/null || echo "(no log)"
    echo "--- stopping node $ID ---"
    if ! stop_node "$ID" "$STOP_TIMEOUT_SECS"; then
      echo "node $ID did not stop within $STOP_TIMEOUT_SECS s; its directory $DATA_DIR/node-$ID is kept"
    elif catalog_lists "$ID"; then
      echo "the cluster's catalog lists node $ID: its directory $DATA_DIR/node-$ID is kept (start it" \
        "again with scripts/start-cluster.sh --node $ID, or take it out with" \
        "scripts/raftlog nodes remove $ID --dead and delete the directory)"
    else
      echo "the cluster's catalog does not list node $ID: deleting $DATA_DIR/node-$ID"
      rm -rf -- "${DATA_DIR:?}/node-$ID"
    fi
  } >&2
  exit 1
}

# True when a running node of the cluster (not $1) answers GetCluster listing node $1.
catalog_lists() {
  local id answer
  for id in "${RUNNING[@]}"; do
    answer=$(rpc "$(configured_client_address "$id")" raftlog.v1.Log/GetCluster) || continue
    grep -qE "^ {6}\"id\": \"$1\",?$" <<<"$answer"
    return
  done
  return 0 # no node answered: keep the directory
}

# True when GetCluster from node $ID answers and its nodes (6 spaces in, see start-cluster.sh's
# read_cluster) include $ID: the catalog has it.
listed_in_catalog() {
  local answer
  answer=$(rpc "$(client_address "$ID")" raftlog.v1.Log/GetCluster) || return 1
  grep -qE "^ {6}\"id\": \"$ID\",?$" <<<"$answer"
}

main() {
  local id join="" addr deadline health
  local -a ids
  case ${1:-} in
    "") ;;
    -h | --help) usage && exit 0 ;;
    *) usage >&2 && die "unknown argument: $1" ;;
  esac
  command -v java >/dev/null || die "java is not on PATH"
  [[ -f $SERVER_JAR ]] || die "$SERVER_JAR is missing: start the cluster with scripts/start-cluster.sh first"
  read_template_ports
  mapfile -t ids < <(node_ids)
  for id in "${ids[@]}"; do
    if node_pid "$id" >/dev/null; then
      RUNNING+=("$id")
      join+="$(configured_client_address "$id"),"
    fi
  done
  ((${#RUNNING[@]} > 0)) || die "no node of a local cluster is running in $DATA_DIR" \
    "(start one with scripts/start-cluster.sh; DATA_DIR as for it)"
  ID=$((${ids[-1]} + 1))
  [[ ! -e $DATA_DIR/node-$ID ]] || die "$DATA_DIR/node-$ID exists but has no config; delete it first"
  for addr in "$(client_address "$ID")" "$(raft_address "$ID")"; do
    if (exec 3<>"/dev/tcp/${addr%:*}/${addr##*:}") 2>/dev/null; then
      die "$addr (for node $ID) is already in use by another process"
    fi
  done
  ensure_buf
  ! cluster_tls || ensure_certs "$ID" # a mutual-TLS cluster's new node needs node-ID.pem
  write_node_config "$ID" "join ${join%,}"
  echo "starting node $ID on $(client_address "$ID") (Raft $(raft_address "$ID")), joining through" \
    "nodes ${RUNNING[*]} (log in $DATA_DIR/node-$ID/node.log)..."
  trap 'fail "interrupted"' INT TERM
  start_node "$ID"
  deadline=$((SECONDS + ${START_TIMEOUT_SECS:-60}))
  while :; do
    node_pid "$ID" >/dev/null || fail "it exited"
    health=$(health_at "$(client_address "$ID")")
    [[ $health != SERVING ]] || ! listed_in_catalog || break
    ((SECONDS < deadline)) || fail "not SERVING and in the catalog within ${START_TIMEOUT_SECS:-60} s (health: $health)"
    sleep "$POLL_SECS"
  done
  trap - INT TERM
  echo "node $ID joined: $(client_address "$ID"), SERVING, in the catalog; replicas and leaderships" \
    "move onto it in the background (watch: scripts/raftlog cluster)"
}

main "$@"
