#!/usr/bin/env bash
# The raftlog image's entry point: runs one node of a Kubernetes StatefulSet (deploy/k8s/). It derives
# the node's own settings from the pod's name, writes them after the settings common to every pod (the
# ConfigMap's *.properties files, in name order, so that a later file overrides an earlier one: the
# base's common.properties, then an overlay's site.properties) into $RAFTLOG_DATA/node.properties, and
# then exec()s the JVM, so that the JVM is PID 1 and gets the kubelet's SIGTERM itself (the node hands
# its leaderships over before it stops).
#
# Pod <statefulset>-<ordinal> is node <ordinal>: raftlog-0 is node 0, raftlog-4 is node 4. Its Raft and
# client addresses are its stable DNS name <pod>.<headless service>.<namespace>.svc.<cluster domain>,
# which the kubelet writes into the pod's /etc/hosts (the node binds it at once) and which the other
# pods resolve through the headless Service even before it is ready (publishNotReadyAddresses).
# Ordinals below $RAFTLOG_FOUNDERS form the cluster: cluster.peers names them. Every higher ordinal
# joins the running cluster through cluster.join: the client Service (ready nodes only), then the
# founders. So does a founder whose pod carries the annotation raftlog.io/join=true (a founder whose
# volume was lost, after `raftlog nodes remove N --dead`: docs/kubernetes.md).
#
# Environment (deploy/k8s/base/statefulset.yaml sets it):
#   POD_NAME                  the pod's name (downward API; else $HOSTNAME)
#   POD_NAMESPACE             the pod's namespace (downward API; required)
#   RAFTLOG_HEADLESS_SERVICE  the StatefulSet's serviceName (required)
#   RAFTLOG_CLIENT_SERVICE    the Service in front of every ready node's client port (required)
#   RAFTLOG_CLUSTER_DOMAIN    the cluster's DNS domain (default cluster.local)
#   RAFTLOG_CLIENT_PORT       the gRPC API's port (default 9001)
#   RAFTLOG_RAFT_PORT         the Raft transport's port (default 8101)
#   RAFTLOG_HTTP_PORT         http.port: /metrics and the web console (default 9200; 0: none)
#   RAFTLOG_FOUNDERS          how many of the first ordinals form the cluster (default 3)
#   RAFTLOG_JOIN              "true": join even if a founder (the pod's raftlog.io/join annotation)
#   RAFTLOG_CONFIG_DIR        the common settings' directory (default /etc/raftlog, the ConfigMap)
#   RAFTLOG_DATA              the pod's volume (default /var/lib/raftlog); data.dir is its data/
#   RAFTLOG_HOME              where the image keeps the jars (default /opt/raftlog)
#   JAVA_OPTS                 extra JVM options (heap size and the like)
set -euo pipefail

die() {
  echo "raftlog entrypoint: $*" >&2
  exit 2
}

# Keys this script owns: the same common files serve every pod, so they must not set them.
readonly OWN_KEYS='node.id|data.dir|node.raft-address|node.client-address|cluster.peers|cluster.join|http.port'

pod=${POD_NAME:-${HOSTNAME:-}}
namespace=${POD_NAMESPACE:-}
headless=${RAFTLOG_HEADLESS_SERVICE:-}
client_service=${RAFTLOG_CLIENT_SERVICE:-}
domain=${RAFTLOG_CLUSTER_DOMAIN:-cluster.local}
client_port=${RAFTLOG_CLIENT_PORT:-9001}
raft_port=${RAFTLOG_RAFT_PORT:-8101}
http_port=${RAFTLOG_HTTP_PORT:-9200}
founders=${RAFTLOG_FOUNDERS:-3}
config_dir=${RAFTLOG_CONFIG_DIR:-/etc/raftlog}
volume=${RAFTLOG_DATA:-/var/lib/raftlog}
home=${RAFTLOG_HOME:-/opt/raftlog}

[[ $pod =~ ^(.+)-([0-9]+)$ ]] || die "pod name '$pod' is not <statefulset>-<ordinal> (set POD_NAME)"
set_name=${BASH_REMATCH[1]}
ordinal=$((10#${BASH_REMATCH[2]}))
[[ -n $namespace ]] || die "POD_NAMESPACE is not set (the downward API's metadata.namespace)"
[[ -n $headless ]] || die "RAFTLOG_HEADLESS_SERVICE is not set (the StatefulSet's serviceName)"
[[ -n $client_service ]] || die "RAFTLOG_CLIENT_SERVICE is not set (the client Service's name)"
[[ $founders =~ ^[1-9][0-9]*$ ]] || die "RAFTLOG_FOUNDERS '$founders' is not a positive number"
[[ $http_port =~ ^[0-9]+$ ]] || die "RAFTLOG_HTTP_PORT '$http_port' is not a port number"
shopt -s nullglob
common=("$config_dir"/*.properties) # in name order
shopt -u nullglob
((${#common[@]} > 0)) || die "no *.properties in $config_dir (the ConfigMap)"
for file in "${common[@]}"; do
  [[ -r $file ]] || die "cannot read $file"
  if grep -Eq "^[[:space:]]*($OWN_KEYS)[[:space:]]*[=:]" "$file"; then
    die "$file sets a key each pod derives from its name ($OWN_KEYS): remove it"
  fi
done

# The stable DNS name of the pod with ordinal $1.
pod_host() {
  echo "$set_name-$1.$headless.$namespace.svc.$domain"
}

self=$(pod_host "$ordinal")
config=$volume/node.properties
{
  echo "# Written by the entrypoint for pod $pod at its start; the common settings come first."
  for file in "${common[@]}"; do
    echo "# $file"
    cat "$file"
    echo
  done
  echo "# pod $pod"
  echo "node.id=$ordinal"
  echo "data.dir=$volume/data"
  echo "node.raft-address=$self:$raft_port"
  echo "node.client-address=$self:$client_port"
  echo "http.port=$http_port"
  if ((ordinal < founders)) && [[ ${RAFTLOG_JOIN:-} != true ]]; then
    peers=()
    for ((i = 0; i < founders; i++)); do
      peers+=("$i@$(pod_host "$i"):$raft_port@$(pod_host "$i"):$client_port")
    done
    (IFS=,; echo "cluster.peers=${peers[*]}")
  else
    join=("$client_service.$namespace.svc.$domain:$client_port")
    for ((i = 0; i < founders; i++)); do
      ((i == ordinal)) || join+=("$(pod_host "$i"):$client_port")
    done
    (IFS=,; echo "cluster.join=${join[*]}")
  fi
} >"$config.tmp"
mv -f "$config.tmp" "$config"
echo "raftlog entrypoint: pod $pod is node $ordinal at $self; config in $config" >&2

# java_opts: the container's memory limit bounds the heap (RocksDB's caches and memtables live outside
# it, hence half, not most); a restarted pod comes back with a new IP under the same name, so names are
# not cached for long (the JDK keeps a lookup 30 s, a failed one 10 s).
java_opts=(-XX:MaxRAMPercentage=50 -XX:+ExitOnOutOfMemoryError
  -Dsun.net.inetaddr.ttl=5 -Dsun.net.inetaddr.negative.ttl=1)
if [[ -n ${JAVA_OPTS:-} ]]; then
  read -ra extra <<<"$JAVA_OPTS"
  java_opts+=("${extra[@]}")
fi
exec java "${java_opts[@]}" -jar "$home/raftlog-server.jar" --config "$config"
