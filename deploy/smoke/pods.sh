#!/usr/bin/env bash
# Runs the image's entrypoint and jars as the three founding pods of deploy/k8s would run them, on
# this machine, without Kubernetes or Docker: each "pod" raftlog-N gets a network namespace of its
# own (on a bridge, in a hub namespace), and its /etc/hosts holds every pod's stable DNS name
# (raftlog-N.raftlog-headless.prod.svc.cluster.local) and the client Service's, as the kubelet and
# cluster DNS would give them (`ip netns exec` binds /etc/netns/NS/hosts over /etc/hosts). Then:
# waits until the three have formed the cluster, writes through one pod and reads on another, and
# SIGTERMs raftlog-1, timing its hand-off and stop against the StatefulSet's termination grace.
#
# Usage: deploy/smoke/pods.sh   (root: it makes network namespaces; a minute; not part of the tests)
# Needs server/target/raftlog-server.jar and cli/target/raftlog-cli.jar
# (mvn -B -q -DskipTests package -pl server,cli -am). Everything it makes is removed at its exit.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PREFIX=raftlog-smoke-$$ # network namespaces: $PREFIX-hub, $PREFIX-0..2
SUBNET=10.213.0
DOMAIN=raftlog-headless.prod.svc.cluster.local
TMP=$(mktemp -d /tmp/raftlog-pods-XXXXXX)
PIDS=()
MADE_ETC_NETNS="" # set when this script made /etc/netns, which it then removes again

die() {
  echo "pods.sh: $*" >&2
  exit 1
}

cleanup() {
  local p i
  for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
  wait 2>/dev/null
  for i in 0 1 2; do
    ip netns del "$PREFIX-$i" 2>/dev/null
    rm -rf "/etc/netns/$PREFIX-$i"
  done
  ip netns del "$PREFIX-hub" 2>/dev/null
  [[ -z $MADE_ETC_NETNS ]] || rmdir /etc/netns 2>/dev/null
  rm -rf "$TMP"
}

[[ $(id -u) == 0 ]] || die "needs root (network namespaces)"
for jar in server/target/raftlog-server.jar cli/target/raftlog-cli.jar; do
  [[ -f $ROOT/$jar ]] || die "missing $jar: mvn -B -q -DskipTests package -pl server,cli -am"
done
[[ -d /etc/netns ]] || MADE_ETC_NETNS=1
trap cleanup EXIT

hosts="127.0.0.1 localhost"
for i in 0 1 2; do
  hosts+=$'\n'"$SUBNET.$((i + 1)) raftlog-$i.$DOMAIN raftlog-$i"
done
hosts+=$'\n'"$SUBNET.1 raftlog.prod.svc.cluster.local" # the client Service: one ready pod will do

ip netns add "$PREFIX-hub" || die "cannot make network namespaces"
ip -n "$PREFIX-hub" link add br0 type bridge
ip -n "$PREFIX-hub" link set br0 up
mkdir -p "$TMP/config" "$TMP/home"
cp "$ROOT/deploy/k8s/base/common.properties" "$TMP/config/"
ln -s "$ROOT/server/target/raftlog-server.jar" "$TMP/home/raftlog-server.jar"
for i in 0 1 2; do
  ns=$PREFIX-$i
  ip netns add "$ns"
  mkdir -p "/etc/netns/$ns" "$TMP/volume-$i"
  echo "$hosts" >"/etc/netns/$ns/hosts"
  ip -n "$PREFIX-hub" link add "v$i" type veth peer name eth0 netns "$ns"
  ip -n "$PREFIX-hub" link set "v$i" master br0 up
  ip -n "$ns" addr add "$SUBNET.$((i + 1))/24" dev eth0
  ip -n "$ns" link set eth0 up
  ip -n "$ns" link set lo up
done

# The pods, with the environment deploy/k8s/base/statefulset.yaml gives them.
for i in 0 1 2; do
  ip netns exec "$PREFIX-$i" env POD_NAME="raftlog-$i" POD_NAMESPACE=prod \
    RAFTLOG_HEADLESS_SERVICE=raftlog-headless RAFTLOG_CLIENT_SERVICE=raftlog \
    RAFTLOG_CONFIG_DIR="$TMP/config" RAFTLOG_DATA="$TMP/volume-$i" RAFTLOG_HOME="$TMP/home" \
    JAVA_OPTS=-Xmx256m bash "$ROOT/deploy/docker/entrypoint.sh" >"$TMP/pod-$i.log" 2>&1 &
  PIDS+=($!)
done

raftlog() { # raftlog POD ARGS...: the CLI, run in pod POD's namespace
  local pod=$1
  shift
  ip netns exec "$PREFIX-$pod" java -jar "$ROOT/cli/target/raftlog-cli.jar" "$@"
}

started=$(date +%s)
formed=""
for _ in $(seq 60); do
  out=$(raftlog 0 cluster --servers raftlog.prod.svc.cluster.local:9001 2>&1)
  if [[ $(grep -cE '^[0-2] .* ok$' <<<"$out") == 3 ]]; then
    formed=$(($(date +%s) - started))
    break
  fi
  sleep 1
done
echo "$out"
[[ -n $formed ]] || { tail -n 20 "$TMP"/pod-*.log; die "the three pods did not form a cluster in 60 s"; }
echo "formed: every pod SERVING ${formed} s after the start (CLI polls included)"

raftlog 2 produce --stream smoke --servers "raftlog-2.$DOMAIN:9001" hello world >/dev/null ||
  die "produce through raftlog-2 failed"
read_back=$(raftlog 1 consume --stream smoke --from 0 --servers "raftlog-1.$DOMAIN:9001" | head -n 2)
[[ $read_back == $'hello\nworld' ]] || die "read on raftlog-1: expected hello world, got: $read_back"
echo "produced through raftlog-2, read back on raftlog-1"

t0=$(date +%s%N)
kill -TERM "${PIDS[1]}"
wait "${PIDS[1]}"
stop_ms=$((($(date +%s%N) - t0) / 1000000))
grep -E "handed off|stops still" "$TMP/pod-1.log"
echo "raftlog-1 stopped ${stop_ms} ms after SIGTERM (terminationGracePeriodSeconds: 45)"
