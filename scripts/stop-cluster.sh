#!/usr/bin/env bash
# Stops the local raftlog cluster that scripts/start-cluster.sh started (every node, also the ones
# scripts/add-node.sh added), using their pid files.
#
# Usage: scripts/stop-cluster.sh [--wipe]   (from any directory)
#   --wipe    also delete the nodes' data: $DATA_DIR/node-* and then $DATA_DIR itself if empty.
#   DATA_DIR  the same as for start-cluster.sh (default: <repo>/data).
# Exits 0 when nothing was running.
set -euo pipefail

# shellcheck source=scripts/cluster-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/cluster-lib.sh" # ROOT, DATA_DIR, raftlog_pid
STOP_TIMEOUT_SECS=15
KILL_TIMEOUT_SECS=5

declare -A PIDS=() # pid file -> pid of the node it names, for nodes still to be seen exiting

die() {
  echo "stop-cluster: $*" >&2
  exit 1
}

usage() {
  sed -n '2,8s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
}

node_name() { # pid file -> "node 2"
  local dir=${1%/node.pid}
  echo "node ${dir##*/node-}"
}

# Sends SIGTERM (the node's shutdown hook closes Raft and RocksDB cleanly) to every live node.
signal_nodes() {
  local pid_file pid
  for pid_file in "$DATA_DIR"/node-*/node.pid; do
    [[ -e $pid_file ]] || continue
    if pid=$(raftlog_pid "$pid_file"); then
      echo "stopping $(node_name "$pid_file") (pid $pid)"
      # Either may fail if the node exits right now; wait_for_exit sorts that out.
      kill -TERM "$pid" 2>/dev/null || true
      kill -CONT "$pid" 2>/dev/null || true # a stopped (SIGSTOP) JVM could not act on SIGTERM
      PIDS[$pid_file]=$pid
    else
      echo "$(node_name "$pid_file") is not running (removed its pid file)"
      rm -f "$pid_file"
    fi
  done
}

# Waits up to $1 seconds for the nodes in PIDS to exit; forgets (and un-pid-files) those that did.
wait_for_exit() {
  local deadline=$((SECONDS + $1)) pid_file
  while ((${#PIDS[@]} > 0)); do
    for pid_file in "${!PIDS[@]}"; do
      if ! raftlog_pid "$pid_file" >/dev/null; then
        echo "$(node_name "$pid_file") stopped"
        rm -f "$pid_file"
        unset "PIDS[$pid_file]"
      fi
    done
    ((${#PIDS[@]} > 0 && SECONDS < deadline)) || break
    sleep 0.2
  done
}

kill_survivors() {
  local pid_file
  for pid_file in "${!PIDS[@]}"; do
    echo "$(node_name "$pid_file") (pid ${PIDS[$pid_file]}) did not stop within $STOP_TIMEOUT_SECS s; sending SIGKILL"
    kill -KILL "${PIDS[$pid_file]}" 2>/dev/null || true
  done
}

# Prints pids of raftlog nodes using DATA_DIR that have no pid file (e.g. started by hand).
other_nodes_on_data_dir() {
  local pid cmdline
  for pid in $(pgrep -f 'raftlog-server\.jar' || true); do
    cmdline=$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline") || continue
    if [[ $cmdline == *"--data-dir $DATA_DIR/node-"* ]]; then
      echo "$pid"
    fi
  done
}

# Deletes only what start-cluster.sh creates (node-<id> directories), then DATA_DIR if that
# leaves it empty: a mistyped DATA_DIR must never cost anyone unrelated files.
wipe_data() {
  local others dir
  if [[ ! -d $DATA_DIR ]]; then
    echo "nothing to wipe: $DATA_DIR does not exist"
    return
  fi
  others=$(other_nodes_on_data_dir)
  [[ -z $others ]] || die "not wiping $DATA_DIR: raftlog node(s) with pid(s) ${others//$'\n'/ } still use it"
  for dir in "$DATA_DIR"/node-*; do
    if [[ -d $dir && ${dir##*/} =~ ^node-[0-9A-Za-z_-]+$ ]]; then
      rm -rf -- "$dir"
    fi
  done
  if rmdir -- "$DATA_DIR" 2>/dev/null; then
    echo "removed $DATA_DIR"
  else
    echo "removed the node directories; kept $DATA_DIR because it holds other files"
  fi
}

main() {
  local wipe=false
  case ${1:-} in
    "") ;;
    --wipe) wipe=true ;;
    -h | --help) usage && exit 0 ;;
    *) usage >&2 && die "unknown argument: $1" ;;
  esac
  (($# <= 1)) || die "too many arguments"

  signal_nodes
  if ((${#PIDS[@]} == 0)); then
    echo "no raftlog node was running (data in $DATA_DIR)"
  else
    wait_for_exit "$STOP_TIMEOUT_SECS"
    if ((${#PIDS[@]} > 0)); then
      kill_survivors
      wait_for_exit "$KILL_TIMEOUT_SECS"
    fi
    ((${#PIDS[@]} == 0)) || die "could not stop: ${PIDS[*]}"
  fi
  if $wipe; then
    wipe_data
  fi
}

main "$@"
