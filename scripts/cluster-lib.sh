# shellcheck shell=bash
# Shared by the local-cluster scripts (sourced, not run): start-cluster.sh, stop-cluster.sh,
# add-node.sh, rolling-restart.sh and the benchmark scripts. Where the local cluster lives, how each
# node's config is written, how a node is started and stopped, and how to ask it things.
#
# Node i keeps everything in $DATA_DIR/node-i: its data, its config (node.properties), its log
# (node.log) and its pid file (node.pid). Its config is written at each start from the template
# (node-1.properties of $CONFIG_DIR, default cluster-config/), in one of two shapes: a node that
# forms the cluster lists the first N nodes in cluster.peers; a node that joins a running one has
# node.raft-address, node.client-address and cluster.join instead. Node i listens on the template's
# node 1 ports plus i-1 (8101 and 9001 for node 1 of cluster-config/).

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Absolute, so that the JVMs (which run in their node directory) and every script see the same path.
DATA_DIR=$(realpath -m -- "${DATA_DIR:-$ROOT/data}")
SERVER_JAR=$ROOT/server/target/raftlog-server.jar
BUF=""
# The certificates of a mutual-TLS local cluster (scripts/gen-certs.sh). CLUSTER_TLS is 1 when the
# cluster speaks mutual TLS (start-cluster.sh --tls, or a node config that says so: see
# cluster_tls), 0 when not, empty until asked.
TLS_DIR=$DATA_DIR/tls
CLUSTER_TLS=${CLUSTER_TLS:-}

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

node_dir() { echo "$DATA_DIR/node-$1"; }
node_pid() { raftlog_pid "$DATA_DIR/node-$1/node.pid"; }

# The ids of the local cluster's nodes (those with a config under $DATA_DIR), in numeric order.
node_ids() {
  local f id
  for f in "$DATA_DIR"/node-*/node.properties; do
    [[ -e $f ]] || continue
    id=${f%/node.properties}
    id=${id##*/node-}
    [[ $id =~ ^[0-9]+$ ]] && echo "$id"
  done | sort -n
}

# Prints the value of key $2 in properties file $1 (empty if absent).
prop() {
  sed -n "s/^[[:space:]]*${2//./\\.}[[:space:]]*=[[:space:]]*//p" "$1" 2>/dev/null | tail -1 |
    sed 's/[[:space:]]*$//'
}

template_file() { echo "$(realpath -m -- "${CONFIG_DIR:-$ROOT/cluster-config}")/node-1.properties"; }

# Sets HOST, RAFT_BASE and CLIENT_BASE from the template's cluster.peers entry of node 1; only
# loopback addresses: these scripts run a cluster on this machine.
read_template_ports() {
  local template entry id raft client
  template=$(template_file)
  [[ -f $template ]] || lib_die "no config template $template"
  entry=$(prop "$template" cluster.peers)
  entry=${entry%%,*}
  IFS='@' read -r id raft client <<<"${entry//[[:space:]]/}"
  [[ $id == 1 && $raft =~ ^(127\.0\.0\.1|localhost):[0-9]+$ && $client =~ ^(127\.0\.0\.1|localhost):[0-9]+$ ]] ||
    lib_die "$template: cluster.peers must start with node 1 on loopback ports (1@127.0.0.1:P@127.0.0.1:Q), not '$entry'"
  [[ ${raft%:*} == "${client%:*}" ]] || lib_die "$template: node 1's two addresses must be on one host"
  HOST=${raft%:*}
  RAFT_BASE=${raft##*:}
  CLIENT_BASE=${client##*:}
  HTTP_BASE=$(prop "$template" http.port)
  HTTP_BASE=${HTTP_BASE:-0}
}

# Writes $CONFIG_DIR/node-1.properties for a benchmark's own cluster: cluster-config's template
# with cluster.shards $1 and every port of its cluster.peers moved up by $2 (e.g. 10000 when the
# usual ones are taken).
write_bench_template() {
  local shards=$1 offset=$2
  mkdir -p "$CONFIG_DIR"
  awk -v shards="$shards" -v off="$offset" '
    /^[[:space:]]*cluster\.shards[[:space:]]*=/ { print "cluster.shards=" shards; next }
    /^[[:space:]]*cluster\.peers[[:space:]]*=/ {
      while (match($0, /127\.0\.0\.1:[0-9]+/)) {
        out = out substr($0, 1, RSTART + 9) (substr($0, RSTART + 10, RLENGTH - 10) + off)
        $0 = substr($0, RSTART + RLENGTH)
      }
      print out $0; next
    }
    /^[[:space:]]*http\.port[[:space:]]*=[[:space:]]*[1-9]/ { split($0, kv, "="); print "http.port=" (kv[2] + off); next }
    { print }' "$ROOT/cluster-config/node-1.properties" >"$CONFIG_DIR/node-1.properties"
}

raft_address() { echo "$HOST:$((RAFT_BASE + $1 - 1))"; }
client_address() { echo "$HOST:$((CLIENT_BASE + $1 - 1))"; }
# Node $1's HTTP port (/metrics, the console): the template's plus $1-1; 0 when the template has none.
http_port() { ((HTTP_BASE > 0)) && echo $((HTTP_BASE + $1 - 1)) || echo 0; }

# The client address of node $1 as its written config gives it (also for a node the template's
# ports would place elsewhere, e.g. after the template changed).
configured_client_address() {
  local f=$DATA_DIR/node-$1/node.properties addr entry
  addr=$(prop "$f" node.client-address)
  if [[ -z $addr ]]; then
    entry=$(prop "$f" cluster.peers | tr ',' '\n' | grep -E "^[[:space:]]*$1@" | head -1)
    addr=${entry##*@}
  fi
  echo "${addr//[[:space:]]/}"
}

# The shape node $1's written config has: "form N" (it is one of N nodes in cluster.peers) or
# "join ADDR,..." (it joined through cluster.join); empty when it has no config.
config_shape() {
  local f=$DATA_DIR/node-$1/node.properties peers
  [[ -f $f ]] || return 0
  peers=$(prop "$f" cluster.peers)
  if [[ -n $peers ]]; then
    echo "form $(tr ',' '\n' <<<"$peers" | grep -c @)"
  else
    echo "join $(prop "$f" cluster.join)"
  fi
}

# Whether the local cluster speaks mutual TLS: CLUSTER_TLS if set, else whether a node's written
# config has tls.api.mode=mtls (a cluster started with --tls stays so at each start and restart).
cluster_tls() {
  local id
  if [[ -z $CLUSTER_TLS ]]; then
    CLUSTER_TLS=0
    for id in $(node_ids); do
      [[ $(prop "$DATA_DIR/node-$id/node.properties" tls.api.mode) != mtls ]] || CLUSTER_TLS=1
    done
  fi
  [[ $CLUSTER_TLS == 1 ]]
}

# Makes the certificates node 1 to $1 and the client need (scripts/gen-certs.sh keeps those there).
ensure_certs() {
  DATA_DIR=$DATA_DIR "$ROOT/scripts/gen-certs.sh" --nodes "$1" >/dev/null || lib_die "gen-certs.sh failed"
}

# Writes node $1's config ($DATA_DIR/node-$1/node.properties) from the template in shape $2 ("form
# N" or "join ADDR,..."): the template's settings, with this node's id, data directory and
# addresses, and cluster.peers for N nodes (cluster.replication at most N) or cluster.join.
write_node_config() {
  local id=$1 kind=${2%% *} arg=${2#* } template dir peers="" i replication
  template=$(template_file)
  dir=$DATA_DIR/node-$id
  read_template_ports
  mkdir -p "$dir"
  local -a set=("node.id=$id" "data.dir=$dir" "http.port=$(http_port "$id")")
  if [[ $kind == form ]]; then
    for ((i = 1; i <= arg; i++)); do peers+="$i@$(raft_address "$i")@$(client_address "$i"),"; done
    replication=$(prop "$template" cluster.replication)
    ((${replication:-3} <= arg)) || replication=$arg
    set+=("cluster.peers=${peers%,}" "cluster.replication=${replication:-3}" "cluster.join="
      "node.raft-address=" "node.client-address=")
  else
    set+=("-cluster.peers" "node.raft-address=$(raft_address "$id")"
      "node.client-address=$(client_address "$id")" "cluster.join=$arg")
  fi
  if cluster_tls; then
    set+=("tls.api.mode=mtls" "tls.raft.mode=mtls" "tls.ca-file=$TLS_DIR/ca.pem"
      "tls.cert-file=$TLS_DIR/node-$id.pem" "tls.key-file=$TLS_DIR/node-$id.key")
  fi
  {
    echo "# Node $id's config, written from $template by the local-cluster scripts"
    echo "# at each start of the node: edit the template (a rolling restart rolls it out), not this file."
    printf '%s\n' "${set[@]}" | awk '
      FNR == NR { k = $0; sub(/=.*/, "", k); if (k ~ /^-/) { del[substr(k, 2)] = 1 } else { val[k] = $0 }; next }
      !body && /^#/ { next } # the header of the template: ours replaces it
      { body = 1 }
      {
        k = $0; sub(/^[[:space:]]*/, "", k); sub(/[[:space:]]*=.*/, "", k)
        if (k in del) next
        if (k in val) { print val[k]; done[k] = 1; next }
        print
      }
      END { for (k in val) if (!(k in done)) print val[k] }' - "$template"
  } >"$dir/node.properties.tmp"
  mv -f "$dir/node.properties.tmp" "$dir/node.properties"
}

# Starts node $1 in the background from its config; its pid goes to node.pid, the previous run's
# log to node.log.1. The JVM runs in its node directory so that nothing (e.g. hs_err files) lands
# in the caller's directory; setsid + nohup so that it outlives the script and its terminal. The
# caller must have `set +m` (background jobs in its own process group), so that $! is the JVM's pid.
start_node() {
  local id=$1 dir=$DATA_DIR/node-$1
  local gc=()
  rm -f "$dir/node.pid"
  if [[ -f $dir/node.log ]]; then
    mv -f "$dir/node.log" "$dir/node.log.1"
  fi
  [[ ${RAFTLOG_GC_LOG:-0} != 1 ]] || gc=("-Xlog:gc:file=$dir/gc.log:time,uptime,level,tags:filecount=0")
  (cd "$dir" && exec setsid nohup java -Xmx256m "${gc[@]}" -jar "$SERVER_JAR" \
    --config "$dir/node.properties" --data-dir "$dir") >"$dir/node.log" 2>&1 </dev/null &
  echo $! >"$dir/node.pid"
}

# Sends node $1 SIGTERM (it reports NOT_SERVING, hands its leaderships off for up to
# shutdown.hand-off-ms, then closes Raft and RocksDB) and waits up to $2 seconds for it to exit.
# Returns 1 if it is still running then; 0 if it exited or was not running.
stop_node() {
  local id=$1 deadline=$((SECONDS + $2)) pid
  pid=$(node_pid "$id") || return 0
  kill -TERM "$pid" 2>/dev/null || true
  kill -CONT "$pid" 2>/dev/null || true # a stopped (SIGSTOP) JVM could not act on SIGTERM
  while node_pid "$id" >/dev/null; do
    ((SECONDS < deadline)) || return 1
    sleep 0.1
  done
  rm -f "$DATA_DIR/node-$id/node.pid"
}

jar_is_stale() {
  [[ -f $SERVER_JAR ]] || return 0
  [[ -n $(find "$ROOT/proto/src" "$ROOT/server/src" "$ROOT"/pom.xml "$ROOT"/*/pom.xml \
    -newer "$SERVER_JAR" -print -quit 2>/dev/null) ]]
}

build_jar_if_stale() {
  jar_is_stale || return 0
  echo "building $SERVER_JAR (missing or older than the sources)..."
  (cd "$ROOT" && mvn -B -q package -DskipTests) || lib_die "build failed"
  [[ -f $SERVER_JAR ]] || lib_die "build did not produce $SERVER_JAR"
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
    lib_die "npm install in $ROOT/tools failed"
  find_buf || lib_die "no usable buf binary under $ROOT/tools/node_modules after npm install"
}

# Calls a unary RPC on the node at address $1 with buf curl; prints the JSON answer. With mutual TLS
# (cluster_tls) buf shows the client certificate and checks the node's against the CA.
rpc() {
  local addr=$1 method=$2 body=${3:-'{}'}
  if cluster_tls; then
    "$BUF" curl --protocol grpc --cacert "$TLS_DIR/ca.pem" --cert "$TLS_DIR/client.pem" \
      --key "$TLS_DIR/client.key" --connect-timeout 1 --timeout 2s \
      -d "$body" "https://$addr/$method" 2>/dev/null
  else
    "$BUF" curl --protocol grpc --http2-prior-knowledge --connect-timeout 1 --timeout 2s \
      -d "$body" "http://$addr/$method" 2>/dev/null
  fi
}

# Prints the health status of the node at address $1; proto3 JSON leaves out UNKNOWN (0).
health_at() {
  local answer status
  answer=$(rpc "$1" grpc.health.v1.Health/Check '{"service":"raftlog.v1.Log"}') || {
    echo "no answer"
    return
  }
  status=$(sed -nE 's/^ *"status": "([A-Z_]+)".*/\1/p' <<<"$answer")
  echo "${status:-UNKNOWN}"
}

# The script's own die() if it has one, else a plain message; either way exits 1.
lib_die() {
  if declare -F die >/dev/null; then
    die "$@"
  fi
  echo "$(basename "$0"): $*" >&2
  exit 1
}
