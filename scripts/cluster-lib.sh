# shellcheck shell=bash
# Shared by start-cluster.sh and stop-cluster.sh (sourced, not run): where the local cluster lives
# and how to recognise its node processes.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Absolute, so that the JVMs (which run in their node directory) and both scripts see the same path.
DATA_DIR=$(realpath -m -- "${DATA_DIR:-$ROOT/data}")

# Prints the pid in pid file $1 if that process is alive and is a raftlog node. The cmdline check
# guards against a reused pid; a zombie (a node whose parent has not reaped it yet) has an empty one.
raftlog_pid() {
  local pid cmdline
  pid=$(cat "$1" 2>/dev/null) || return 1
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  cmdline=$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline") || return 1
  [[ $cmdline == *raftlog-server.jar* ]] || return 1
  echo "$pid"
}
