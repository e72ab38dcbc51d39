#!/usr/bin/env bash
# Kills raftlog nodes under load over many streams and proves nothing acknowledged is lost,
# duplicated or reordered in any stream, and that every shard's replicas agree.
#
# Usage: scripts/chaos-kill-leader.sh [--mode MODE] [--streams N] [--duration S] [--interval S]
#                                     [--downtime MS] [--rate N] [--size BYTES] [--nodes N] [--tls]
#   MODE: leader|follower|pause|node|all|restart            (kills, pauses, clean restarts)
#         isolate-leader|isolate-follower|split|one-way|flap (partitions; root and ip needed)
#         disk|disk-leader                                   (full disks; root needed)
#         mixed                                              (one of the above at random per fault)
#         move|replace                                       (members change; five nodes)
# Starts a fresh cluster of --nodes nodes (real processes; default three, five for move and
# replace; 6 shards, each replicated on three nodes) in its own data dir, runs an idempotent producer writing round robin over --streams streams
# (default 1000: chaos-0000, chaos-0001, ...) through the Java client and a subscription following
# the first (every tenth stream is truncated now and then, every tenth keeps its last 30 records,
# every tenth has a 4 KiB byte retention; named consumers read four streams, commit what they read
# and restart from their committed offset), injects a fault every interval (each picks a shard, round robin: leader kills -9 the
# node leading it, pause SIGSTOPs it, follower kills a node following it, node kills a random node,
# all kills all three, restart SIGTERMs a random node; the partition modes run each node in a
# network namespace of its own and cut links with blackhole routes: isolate-leader cuts the leader
# from both peers while clients still reach it, isolate-follower a follower, split a random node
# from its peers and the clients, one-way stops the leader sending to its peers, flap cuts and heals
# the leader's links every 0.2-1 s; disk and disk-leader put each node's data on a tmpfs of its own
# and fill a follower's or the leader's; mixed draws among all of them; without namespaces or
# mounts a mode that needs them says why and exits 0, "skipped=yes" in its line; move drains the
# leader (DrainNode, RemoveNode once DRAINED, then stops it) while a node joins through
# cluster.join, with a leader kill every other fault; replace kills the leader, removes it as dead
# and starts a fresh node that joins), then audits every
# stream from its first offset: on a linearizable read and on every replica of its shard, and judges
# the history of every operation (history.jsonl, scripts/check-history.sh). --tls runs it all with
# mutual TLS on the gRPC and Raft ports: a CA of the run's own and certificates for each node and
# for the tool's clients in DIR/tls, checked in force on every node before the first fault.
# Prints one summary line ("chaos: mode=leader faults=3 streams=1000 ... violations=0 ...
# affected_unavailable_ms_p50=... unaffected_gap_ms_max=...") and exits 1 on any violation. Every
# process it started is stopped at the end, also on Ctrl-C. The data dir (node logs included) is a
# new temporary directory, deleted on success and kept on failure; CHAOS_DATA_DIR=DIR (empty or
# new) uses DIR instead and keeps it.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SERVER_JAR=$ROOT/server/target/raftlog-server.jar
CHAOS_JAR=$ROOT/chaos/target/raftlog-chaos.jar
if [[ -n ${CHAOS_DATA_DIR:-} ]]; then
  DIR=$CHAOS_DATA_DIR
  OWN_DIR=no
else
  DIR=$(mktemp -d /tmp/raftlog-chaos-XXXXXX)
  OWN_DIR=yes
fi

die() {
  echo "chaos: $*" >&2
  exit 2
}

stale() {
  [[ -f $SERVER_JAR && -f $CHAOS_JAR ]] || return 0
  [[ -n $(find "$ROOT"/{proto,server,client,testkit,logging,chaos}/src "$ROOT"/pom.xml "$ROOT"/*/pom.xml \
    -newer "$CHAOS_JAR" -print -quit 2>/dev/null) ]]
}

# The JVM stops its nodes and removes its network namespaces itself (shutdown hook); this is the
# net for a JVM that was killed hard: the pids and the names it recorded in the data dir.
stop_leftovers() {
  local pidfile pid kind name
  for pidfile in "$DIR"/node-*/pid; do
    [[ -f $pidfile ]] || continue
    pid=$(cat "$pidfile")
    if [[ $(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline") == *raftlog-server.jar* ]]; then
      kill -CONT "$pid" 2>/dev/null || true
      kill -9 "$pid" 2>/dev/null || true
    fi
  done
  if [[ -f $DIR/netns ]]; then
    while read -r kind name; do
      [[ $kind == netns ]] && ip netns delete "$name" 2>/dev/null || true
    done <"$DIR/netns"
    while read -r kind name; do
      [[ $kind == link && -e /sys/class/net/$name ]] && ip link delete "$name" 2>/dev/null || true
    done <"$DIR/netns"
    rm -f "$DIR/netns"
  fi
  # Full-disk modes mount a tmpfs at each node's data directory.
  local target
  while read -r target; do
    umount -l "$target" 2>/dev/null || true
  done < <(findmnt -rn -o TARGET | grep -F "$DIR/" || true)
}

if stale; then
  echo "chaos: building the jars..." >&2
  (cd "$ROOT" && mvn -B -q -Dstyle.color=never package -DskipTests) >&2 || die "build failed"
  touch "$CHAOS_JAR"
fi

trap stop_leftovers EXIT
status=0
java -jar "$CHAOS_JAR" --data-dir "$DIR" --server-jar "$SERVER_JAR" "$@" || status=$?
stop_leftovers
trap - EXIT
if [[ $status == 0 && $OWN_DIR == yes ]]; then
  rm -rf "$DIR"
elif [[ $status != 0 ]]; then
  echo "chaos: data and node logs kept in $DIR" >&2
fi
exit "$status"
