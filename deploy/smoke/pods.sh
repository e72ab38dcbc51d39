#!/usr/bin/env bash
# Runs the image's entrypoint and jars as the pods of deploy/k8s would run them, on this machine,
# without Kubernetes or Docker: the three founders and, with --pods N, pods that join them (as a
# `kubectl scale` would start them). Each "pod" raftlog-N gets a network namespace of its
# own (on a bridge, in a hub namespace), and its /etc/hosts holds every pod's stable DNS name
# (raftlog-N.raftlog-headless.prod.svc.cluster.local) and the client Service's, as the kubelet and
# cluster DNS would give them (`ip netns exec` binds /etc/netns/NS/hosts over /etc/hosts). Then:
# waits until every pod serves and shows in the cluster, writes through one pod and reads on
# another, and SIGTERMs raftlog-1, timing its hand-off and stop against the StatefulSet's grace.
#
# Usage: deploy/smoke/pods.sh [--pods N]   (N from 3 to 9, default 3; root: it makes network
#        namespaces; a minute or two; not part of the tests)
# Needs server/target/raftlog-server.jar and cli/target/raftlog-cli.jar
# (mvn -B -q -DskipTests package -pl server,cli -am). Everything it makes is removed at its exit.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PREFIX=raftlog-smoke-$$ # network namespaces: $PREFIX-hub, $PREFIX-0..N-1
PODS=3
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
  exec 2>/dev/null # no job notices for the pods killed here
  for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
  wait 2>/dev/null
  for ((i = 0; i < PODS; i++)); do
    ip netns del "$PREFIX-$i" 2>/dev/null
    rm -rf "/etc/netns/$PREFIX-$i"
  done
  ip netns del "$PREFIX-hub" 2>/dev/null
  [[ -z $MADE_ETC_NETNS ]] || rmdir /etc/netns 2>/dev/null
  rm -rf "$TMP"
}

while (($# > 0)); do
  case $1 in
  --pods)
    PODS=${2:-}
    shift 2
    ;;
  *) die "unknown argument '$1' (usage: pods.sh [--pods N])" ;;
  esac
done
[[ $PODS =~ ^[3-9]$ ]] || die "--pods takes a number from 3 to 9"
[[ $(id -u) == 0 ]] || die "needs root (network namespaces)"
for jar in server/target/raftlog-server.jar cli/target/raftlog-cli.jar; do
  [[ -f $ROOT/$jar ]] || die "missing $jar: mvn -B -q -DskipTests package -pl server,cli -am"
done
[[ -d /etc/netns ]] || MADE_ETC_NETNS=1
trap cleanup EXIT

hosts="127.0.0.1 localhost"
for ((i = 0; i < PODS; i++)); do
  hosts+=$'\n'"$SUBNET.$((i + 1)) raftlog-$i.$DOMAIN raftlog-$i"
done
hosts+=$'\n'"$SUBNET.1 raftlog.prod.svc.cluster.local" # the client Service: one ready pod will do

ip netns add "$PREFIX-hub" || die "cannot make network namespaces"
ip -n "$PREFIX-hub" link add br0 type bridge
ip -n "$PREFIX-hub" link set br0 up
mkdir -p "$TMP/config" "$TMP/home"
cp "$ROOT/deploy/k8s/base/common.properties" "$TMP/config/"
ln -s "$ROOT/server/target/raftlog-server.jar" "$TMP/home/raftlog-server.jar"
for ((i = 0; i < PODS; i++)); do
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
for ((i = 0; i < PODS; i++)); do
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
for _ in $(seq 90); do
  out=$(raftlog 0 cluster --servers raftlog.prod.svc.cluster.local:9001 2>&1)
  if [[ $(grep -cE '^[0-9] .* ok$' <<<"$out") == "$PODS" ]]; then
    formed=$(($(date +%s) - started))
    break
  fi
  sleep 1
done
echo "$out"
[[ -n $formed ]] || { tail -n 20 "$TMP"/pod-*.log; die "the $PODS pods did not all serve in the cluster in 90 tries"; }
echo "formed: all $PODS pods SERVING ${formed} s after the start (CLI polls included)"

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
