#!/usr/bin/env bash
# Benchmarks a fresh local three-node raftlog cluster with the workloads of the Kafka peer harness
# (../shared/peers/kafka/bench.sh): produce 1 KB and 100 B records as fast as they go, read them
# back, and produce 1 KB at a fixed rate for latency. Prints one line per run, in the harness's
# shape, with the CPU seconds the three nodes and the client used:
#
#   raftlog produce 1KB run 1/3: 25000 rec/s, 24.41 MB/s, p50 … ms, p95 …, p99 …, p99.9 …, avg …,
#   max … (load1=… cpu_psi10=…%; wall 8.0 s, cpu nodes 11.2 s + client 4.1 s)
#   raftlog produce 1KB run 1/3: write amplification 2.95 bytes per payload byte per node (median;
#   nodes 2.95 2.97 2.93; write_bytes 59.0 59.4 58.6 MB, wchar …, rchar … MB)
#
# Each node's write_bytes (/proc/PID/io: bytes the process sent to the block layer, including
# RocksDB's flushes and compactions that ran during the run) over a produce run, divided by the
# payload (records x size), is its write amplification; Kafka's nodes get the same line.
#
# Usage: scripts/bench.sh [--kafka DIR] [--modes LIST] [--shards N] [--out DIR] [--trace-slow N]
#                         [--failover FILE]
#   --kafka DIR  also run the one-stream workloads on the Kafka peer harness in DIR (its start.sh,
#                stop.sh, ktool.sh, lib.sh), alternating the two systems run by run, both clusters
#                up throughout, and print Kafka's lines ("kafka ...") beside raftlog's.
#   --modes LIST comma-separated, run in this order, each on a fresh cluster (default: one):
#     one      produce 1 KB and 100 B into one stream, read back, 1 KB at RATE (vs Kafka's one
#              partition with --kafka)
#     many     100 B records from one client round robin over MANY_STREAMS streams vs into one
#              stream, alternating run by run (RECORDS per run, REPEATS runs of each)
#     lookup   each node's idle CPU over IDLE_SECS with one stream; create LOOKUP_STREAMS streams
#              (one 100 B record each, through the producer); read LOOKUP_READS random ones back
#              by name at LOOKUP_RATE/s (p50/p99); each node's RSS; idle CPU again; each node's
#              /metrics size and scrape time with one stream and with LOOKUP_STREAMS
#     shards   for each shard count in SWEEP_SHARDS, a fresh cluster: each node's idle CPU over
#              IDLE_SECS and RSS, then its CPU and RSS under LOAD_RATE records/s of 1 KB round
#              robin over 1,000 streams for LOAD_SECS
#     scaling  one cluster of the largest of SCALE_SHARDS shards: 1 KB records as fast as they
#              go from one producer round robin over N streams in N different shards, their
#              leaders on the nodes in turn, for each N of SCALE_SHARDS (1 first: one stream),
#              REPEATS times; prints each run and its ratio to the one-stream run beside it
#     all      one,many,lookup,shards,scaling
#   --tls        start every cluster with mutual TLS (start-cluster.sh --tls: the gRPC and Raft ports
#                in mtls mode) and run the CLI with the client certificate (RAFTLOG_CA, RAFTLOG_CERT,
#                RAFTLOG_KEY); the banner says so. docs/benchmarks.md's "the cost of mutual TLS"
#                alternates runs with and without it.
#   --port-offset N  add N to the nodes' ports (9001-9003, 8101-8103, HTTP 9201-9203), e.g. 10000 when another
#                cluster holds those.
#   --set KEY=VALUE  give every node this setting of cluster-config/ (repeatable), e.g.
#                metrics.enabled=false to measure what the meters cost.
#   --shards N   cluster.shards of the clusters of the modes one, many and lookup (default: that of
#                cluster-config/, 6).
#   --out DIR    also write DIR/results.tsv (system, workload, metric, value: one row per figure
#                per run), a copy of the printed lines (DIR/bench.txt) and of the nodes' GC logs,
#                and the charts drawn from them by `raftlog bench plot` (DIR/*.svg).
#   --trace-slow N  (needs --out) write the N slowest records of the fixed-rate run to
#                DIR/slow-records.tsv: when each was due, sent and acknowledged, its stream,
#                shard and leader, and the records of its shard acknowledged with it.
#   --failover FILE  with --out: a chaos run's output whose failover_breakdown lines the plot
#                draws as failover.svg (skipped if absent).
# The nodes log their GC (RAFTLOG_GC_LOG=1, see start-cluster.sh); the fixed-rate run and each
# shard count's load run print the nodes' GC pauses during the run beside their latency line.
# Environment (defaults in brackets):
#   RECORDS [200000] records per produce run; SIZES ["1024 100"] record sizes in bytes;
#   REPEATS [3] produce runs per size; RATE [5000] records/s of the fixed-rate run, which sends
#   RATE_RECORDS [50000] records of RATE_SIZE [1024] bytes; WARMUP [1] one unmeasured run of each
#   size first (fresh JVMs are several times slower); MANY_STREAMS [100000]; LOOKUP_STREAMS
#   [1000000]; LOOKUP_READS [10000]; LOOKUP_RATE [1000]; IDLE_SECS [30]; SWEEP_SHARDS ["3 6 12
#   24"]; LOAD_RATE [2000]; LOAD_SECS [20]; SCALE_SHARDS ["1 3 6 12"]; BENCH_DATA_DIR [a new
#   directory under /tmp].
# Needs ports 9001-9003 and 8101-8103 (plus --port-offset) free. The cluster
# and its data are removed at the end, also when interrupted. Every run is bounded in records.
set -euo pipefail
set +m

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RECORDS=${RECORDS:-200000}
SIZES=${SIZES:-1024 100}
REPEATS=${REPEATS:-3}
RATE=${RATE:-5000}
RATE_RECORDS=${RATE_RECORDS:-50000}
RATE_SIZE=${RATE_SIZE:-1024}
WARMUP=${WARMUP:-1}
MANY_STREAMS=${MANY_STREAMS:-100000}
LOOKUP_STREAMS=${LOOKUP_STREAMS:-1000000}
LOOKUP_READS=${LOOKUP_READS:-10000}
LOOKUP_RATE=${LOOKUP_RATE:-1000}
IDLE_SECS=${IDLE_SECS:-30}
SWEEP_SHARDS=${SWEEP_SHARDS:-3 6 12 24}
LOAD_RATE=${LOAD_RATE:-2000}
LOAD_SECS=${LOAD_SECS:-20}
SCALE_SHARDS=${SCALE_SHARDS:-1 3 6 12}
RESULTS_DIR=""
TRACE_SLOW=0
FAILOVER=""
MODES=one
SHARDS=""
PORT_OFFSET=0
KAFKA=""
KAFKA_BOOTSTRAP=127.0.0.1:29091
SETS=()
TLS=()

die() {
  echo "bench: $*" >&2
  exit 1
}

while (($#)); do
  case $1 in
    --kafka)
      [[ $# -ge 2 ]] || die "--kafka needs the harness directory"
      KAFKA=$(cd "$2" && pwd) || die "no such directory: $2"
      [[ -x $KAFKA/ktool.sh && -x $KAFKA/start.sh ]] || die "$KAFKA is not the Kafka peer harness"
      shift 2
      ;;
    --modes)
      [[ $# -ge 2 ]] || die "--modes needs a list"
      MODES=${2//all/one,many,lookup,shards,scaling}
      shift 2
      ;;
    --tls)
      TLS=(--tls)
      shift
      ;;
    --port-offset)
      [[ $# -ge 2 && $2 =~ ^[0-9]+$ ]] || die "--port-offset needs a number"
      PORT_OFFSET=$2
      shift 2
      ;;
    --set)
      [[ $# -ge 2 && $2 =~ ^[a-z][a-z.-]*=[^[:space:]]*$ ]] || die "--set needs KEY=VALUE (no spaces)"
      grep -qE "^[[:space:]]*${2%%=*}[[:space:]]*=" "$ROOT/cluster-config/node-1.properties" ||
        die "--set $2: no key ${2%%=*} in cluster-config/node-1.properties"
      SETS+=("$2")
      shift 2
      ;;
    --shards)
      [[ $# -ge 2 && $2 =~ ^[1-9][0-9]*$ ]] || die "--shards needs a positive number"
      SHARDS=$2
      shift 2
      ;;
    --out)
      [[ $# -ge 2 ]] || die "--out needs a directory"
      mkdir -p "$2" && RESULTS_DIR=$(cd "$2" && pwd) || die "cannot create $2"
      shift 2
      ;;
    --trace-slow)
      [[ $# -ge 2 && $2 =~ ^[1-9][0-9]*$ ]] || die "--trace-slow needs a positive number"
      TRACE_SLOW=$2
      shift 2
      ;;
    --failover)
      [[ $# -ge 2 ]] || die "--failover needs a file"
      FAILOVER=$2
      shift 2
      ;;
    -h | --help)
      sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
      exit 0
      ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done

for m in ${MODES//,/ }; do
  [[ $m =~ ^(one|many|lookup|shards|scaling)$ ]] || die "unknown mode: $m (see --help)"
done
[[ $TRACE_SLOW == 0 || -n $RESULTS_DIR ]] || die "--trace-slow needs --out DIR"
[[ -z $FAILOVER || -n $RESULTS_DIR ]] || die "--failover needs --out DIR"
[[ -z $FAILOVER ]] || FAILOVER=$(realpath -m -- "$FAILOVER")

export DATA_DIR=${BENCH_DATA_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/raftlog-bench.XXXXXX")}
# shellcheck source=scripts/cluster-lib.sh
source "$ROOT/scripts/cluster-lib.sh" # raftlog_pid
RAFTLOG=$ROOT/scripts/raftlog
RUN_LOG=$DATA_DIR/bench.log
mkdir -p "$DATA_DIR"
export RAFTLOG_GC_LOG=1
if [[ -n $RESULTS_DIR ]]; then
  printf 'system\tworkload\tmetric\tvalue\n' >"$RESULTS_DIR/results.tsv"
  exec > >(tee "$RESULTS_DIR/bench.txt")
fi

cleanup() {
  keep_gc_logs
  [[ -z $RESULTS_DIR ]] || cp -f "$RUN_LOG" "$RESULTS_DIR/bench.log" 2>/dev/null || true
  "$ROOT/scripts/stop-cluster.sh" --wipe >/dev/null 2>&1 || true
  [[ -z $KAFKA ]] || "$KAFKA/stop.sh" >/dev/null 2>&1 || true
  rm -rf "$DATA_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

label() { if (($1 % 1024 == 0)); then echo "$(($1 / 1024))KB"; else echo "${1}B"; fi; }
psi() { awk '/^some/{sub("avg10=","",$2); print $2}' /proc/pressure/cpu 2>/dev/null || echo n/a; }
load() { echo "load1=$(cut -d' ' -f1 /proc/loadavg) cpu_psi10=$(psi)%"; }
now_ms() { date +%s%3N; }

raftlog_pids() {
  local i
  for i in 1 2 3; do
    raftlog_pid "$DATA_DIR/node-$i/node.pid" || die "node $i is not running (see $DATA_DIR/node-$i/node.log)"
  done
}
kafka_pids() {
  # shellcheck disable=SC1091
  (source "$KAFKA/lib.sh" && for n in 1 2 3; do node_pid "$n"; done)
}
# Clock ticks (1/100 s) of user + system time the given processes have used so far.
cpu_ticks() {
  local pid t=0
  for pid in "$@"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$pid/stat"))); done
  echo "$t"
}

# "write_bytes wchar rchar" of a process so far (/proc/PID/io), or nothing if it cannot be read.
io_of() {
  awk '$1 == "write_bytes:" {w = $2} $1 == "wchar:" {c = $2} $1 == "rchar:" {r = $2}
    END {if (NR) print w + 0, c + 0, r + 0}' "/proc/$1/io" 2>/dev/null || true
}
# Appends a row to the results file (--out): system workload metric value.
result() {
  [[ -z $RESULTS_DIR || -z $4 ]] || printf '%s\t%s\t%s\t%s\n' "$@" >>"$RESULTS_DIR/results.tsv"
}
# Lines the nodes' GC logs (RAFTLOG_GC_LOG) hold so far: "n1 n2 n3".
gc_lines() {
  local i
  for i in 1 2 3; do
    if [[ -f $DATA_DIR/node-$i/gc.log ]]; then wc -l <"$DATA_DIR/node-$i/gc.log"; else echo 0; fi
  done | tr '\n' ' '
}
# GC pauses the nodes logged after the line counts $1 ("n1 n2 n3"): sets GC_NOTE, GC_COUNT, GC_MAX.
gc_pauses() {
  local -a start
  local i per=() stats n t m
  read -ra start <<<"$1"
  GC_COUNT=0 GC_MAX=0 GC_TOTAL=0
  for i in 1 2 3; do
    stats=$(tail -n "+$((start[i - 1] + 1))" "$DATA_DIR/node-$i/gc.log" 2>/dev/null |
      awk '/Pause/ && $NF ~ /ms$/ {v = $NF; sub(/ms$/, "", v); n++; t += v; if (v > m) m = v}
        END {printf "%d %.1f %.1f", n, t, m}')
    read -r n t m <<<"$stats"
    per+=("$n")
    GC_COUNT=$((GC_COUNT + n))
    GC_TOTAL=$(awk -v a="$GC_TOTAL" -v b="$t" 'BEGIN{printf "%.1f", a + b}')
    GC_MAX=$(awk -v a="$GC_MAX" -v b="$m" 'BEGIN{printf "%.1f", (b > a ? b : a)}')
  done
  GC_NOTE="$GC_COUNT GC pauses in the nodes (per node ${per[*]}), total $GC_TOTAL ms, max $GC_MAX ms"
}

# measure SYSTEM COMMAND...: runs the command under /usr/bin/time; sets OUT (its stdout) and NOTE
# (load before, wall time, CPU of the system's nodes and of the client), IO_DELTA (per node
# "write_bytes wchar rchar" over the run, one line each; empty if unreadable) and, for raftlog,
# GC_NOTE (gc_pauses over the run).
measure() {
  local system=$1 before c0 t0 pids pid io0=() gc0 i=0 io1
  shift
  if [[ $system == raftlog ]]; then pids=$(raftlog_pids); else pids=$(kafka_pids); fi
  before=$(load)
  for pid in $pids; do io0+=("$(io_of "$pid")"); done
  gc0=$(gc_lines)
  # shellcheck disable=SC2086
  c0=$(cpu_ticks $pids)
  t0=$(now_ms)
  OUT=$(/usr/bin/time -f "%U %S" -o "$DATA_DIR/time" "$@" 2>>"$RUN_LOG") ||
    die "$system run failed: $* (see $RUN_LOG)"
  IO_DELTA=""
  for pid in $pids; do
    io1=$(io_of "$pid")
    if [[ -n $io1 && -n ${io0[i]} ]]; then
      IO_DELTA+=$(awk -v a="${io0[i]}" -v b="$io1" \
        'BEGIN{split(a, x, " "); split(b, y, " "); print y[1] - x[1], y[2] - x[2], y[3] - x[3]}')$'\n'
    fi
    i=$((i + 1))
  done
  GC_NOTE=""
  [[ $system != raftlog ]] || gc_pauses "$gc0"
  # shellcheck disable=SC2086
  NOTE=$(awk -v l="$before" -v w=$(($(now_ms) - t0)) -v n=$(($(cpu_ticks $pids) - c0)) \
    -v c="$(awk '{print $1 + $2}' "$DATA_DIR/time")" \
    'BEGIN{printf "%s; wall %.1f s, cpu nodes %.1f s + client %.1f s", l, w / 1000, n / 100, c}')
}

# Turns a producer perf line (raftlog's bench produce and Kafka's tool print the same one) into ours,
# followed by the run's write amplification line; with a WORKLOAD, writes its figures to the results.
produce_line() { # system label run-name [workload]
  local perf
  perf=$(grep -E '^[0-9]+ records sent' <<<"$OUT" | tail -1)
  [[ -n $perf ]] || return 0
  awk -v sys="$1" -v sz="$2" -v run="$3" -v note="$NOTE" -F', ' '{
      split($2, a, " "); split($3, c, " "); split($4, d, " "); split($5, e, " ");
      split($6, f, " "); split($7, g, " "); split($8, h, " "); gsub(/\(/, "", a[3]);
      printf "%s produce %s %s: %.0f rec/s, %.2f MB/s, p50 %s ms, p95 %s ms, p99 %s ms, p99.9 %s ms, avg %.1f ms, max %.0f ms (%s)\n",
        sys, sz, run, a[1], a[3], e[1], f[1], g[1], h[1], c[1], d[1], note }' <<<"$perf"
  if [[ -n $RESULTS_DIR && -n ${4:-} ]]; then
    awk -v sys="$1" -v w="$4" -F', ' '{
      split($2, a, " "); split($3, c, " "); split($4, d, " "); split($5, e, " ");
      split($6, f, " "); split($7, g, " "); split($8, h, " "); gsub(/\(/, "", a[3]);
      split("rec_s mb_s avg_ms max_ms p50_ms p95_ms p99_ms p999_ms", k, " ");
      v[1] = a[1]; v[2] = a[3]; v[3] = c[1]; v[4] = d[1]; v[5] = e[1]; v[6] = f[1]; v[7] = g[1]; v[8] = h[1];
      for (i = 1; i <= 8; i++) printf "%s\t%s\t%s\t%s\n", sys, w, k[i], v[i] }' <<<"$perf" \
      >>"$RESULTS_DIR/results.tsv"
  fi
  write_amp_line "$1" "$2" "$3" "${4:-}" "$(awk '{print $1}' <<<"$perf")"
}

# "SYSTEM produce LABEL RUN: write amplification ..." from IO_DELTA, for RECORDS x PAYLOAD_SIZE.
write_amp_line() { # system label run-name workload records
  [[ -n $IO_DELTA && $5 -gt 0 && $PAYLOAD_SIZE -gt 0 ]] || return 0
  local line median nodes wb wc rc
  line=$(awk -v p=$(($5 * PAYLOAD_SIZE)) 'NF == 3 {
      n++; wa[n] = $1 / p; w = w sprintf(" %.1f", $1 / 1048576); c = c sprintf(" %.1f", $2 / 1048576)
      r = r sprintf(" %.1f", $3 / 1048576); s = s sprintf(" %.2f", $1 / p); mb[n] = $1 / 1048576 }
    END {
      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (wa[j] < wa[i]) {t = wa[i]; wa[i] = wa[j]; wa[j] = t}
      printf "%.2f\t%s\t%s\t%s\t%s\n", wa[int((n + 1) / 2)], substr(s, 2), substr(w, 2), substr(c, 2), substr(r, 2) }' <<<"$IO_DELTA")
  IFS=$'\t' read -r median nodes wb wc rc <<<"$line"
  echo "$1 produce $2 $3: write amplification $median bytes per payload byte per node (median; nodes $nodes; write_bytes $wb MB, wchar $wc MB, rchar $rc MB)"
  result "$1" "$4" write_amp "$median"
}

# "raftlog nodes' GC during LABEL RUN: ..." from GC_NOTE; with a WORKLOAD, its figures to the results.
gc_line() { # label run-name [workload]
  [[ -n $GC_NOTE ]] || return 0
  echo "raftlog produce $1 $2: $GC_NOTE"
  result raftlog "${3:-}" gc_pauses "$GC_COUNT"
  result raftlog "${3:-}" gc_max_ms "$GC_MAX"
}

raftlog_produce() { # size records rate-or-empty [more bench produce options...]
  local size=$1 records=$2 rate=${3:-}
  shift 3
  PAYLOAD_SIZE=$size
  measure raftlog "$RAFTLOG" bench produce --records "$records" --size "$size" ${rate:+--rate "$rate"} "$@"
}
kafka_topic() { # name
  "$KAFKA/ktool.sh" org.apache.kafka.tools.TopicCommand --bootstrap-server "$KAFKA_BOOTSTRAP" \
    --create --if-not-exists --topic "$1" --partitions 1 --replication-factor 3 \
    --config min.insync.replicas=2 >>"$RUN_LOG" 2>&1
}
kafka_produce() { # topic size records [rate]
  kafka_topic "$1"
  PAYLOAD_SIZE=$2
  measure kafka "$KAFKA/ktool.sh" org.apache.kafka.tools.ProducerPerformance \
    --bootstrap-server "$KAFKA_BOOTSTRAP" --topic "$1" --num-records "$3" --record-size "$2" \
    --throughput "${4:--1}" --command-property acks=all
}

# The nodes' configuration: cluster-config/, with cluster.shards set to $1 if given.
export CONFIG_DIR=$DATA_DIR/config
write_config() { # [shards]
  local f
  mkdir -p "$CONFIG_DIR"
  for f in "$ROOT"/cluster-config/node-*.properties; do
    awk -v shards="${1:-}" -v off="$PORT_OFFSET" -v sets="${SETS[*]:-}" '
      BEGIN { n = split(sets, kv, " "); for (i = 1; i <= n; i++) { k = kv[i]; sub(/=.*/, "", k); set[k] = kv[i] } }
      { k = $0; sub(/^[[:space:]]*/, "", k); sub(/[[:space:]]*=.*/, "", k) }
      k in set { print set[k]; next }
      shards != "" && /^[[:space:]]*cluster\.shards[[:space:]]*=/ { print "cluster.shards=" shards; next }
      /^[[:space:]]*http\.port[[:space:]]*=[[:space:]]*[1-9]/ { split($0, p, "="); print "http.port=" (p[2] + off); next }
      /^[[:space:]]*cluster\.peers[[:space:]]*=/ {
        while (match($0, /127\.0\.0\.1:[0-9]+/)) {
          out = out substr($0, 1, RSTART + 9) (substr($0, RSTART + 10, RLENGTH - 10) + off)
          $0 = substr($0, RSTART + RLENGTH)
        }
        print out $0; next
      }
      { print }' "$f" >"$CONFIG_DIR/${f##*/}"
  done
  RAFTLOG_SERVERS=$(for i in 1 2 3; do printf '127.0.0.1:%d,' $((9000 + i + PORT_OFFSET)); done)
  export RAFTLOG_SERVERS=${RAFTLOG_SERVERS%,}
}
shards_of_config() { sed -n 's/^[[:space:]]*cluster\.shards[[:space:]]*=[[:space:]]*//p' "$CONFIG_DIR/node-1.properties"; }

# With --out, copies the current cluster's GC logs to DIR/gc-CLUSTER-node-i.log.
CLUSTER=""
keep_gc_logs() {
  local i
  [[ -n $RESULTS_DIR && -n $CLUSTER ]] || return 0
  for i in 1 2 3; do
    cp -f "$DATA_DIR/node-$i/gc.log" "$RESULTS_DIR/gc-$CLUSTER-node-$i.log" 2>/dev/null || true
  done
}

# Starts a fresh raftlog cluster with $1 shards (default: --shards, else the config's) for mode $2.
start_raftlog() {
  keep_gc_logs
  "$ROOT/scripts/stop-cluster.sh" --wipe >>"$RUN_LOG" 2>&1 || true
  write_config "${1:-$SHARDS}"
  "$ROOT/scripts/start-cluster.sh" "${TLS[@]}" >>"$RUN_LOG" 2>&1 ||
    die "the cluster did not start (see $RUN_LOG)"
  if ((${#TLS[@]})); then
    export RAFTLOG_CA=$DATA_DIR/tls/ca.pem RAFTLOG_CERT=$DATA_DIR/tls/client.pem
    export RAFTLOG_KEY=$DATA_DIR/tls/client.key
  fi
  CLUSTER=${2:-$MODE}-$(shards_of_config)
  echo "bench: raftlog cluster up with $(shards_of_config) shards${TLS:+, mutual TLS}" >&2
}

# Prints "node1 node2 node3" values of a /proc/PID/status field in MB.
rss_mb() { # field
  local pid
  for pid in $(raftlog_pids); do
    awk -v f="$1:" '$1 == f {printf "%.0f ", $2 / 1024}' "/proc/$pid/status"
  done
}
# Sets CPU_PCT to each node's CPU (% of one core) over $1 seconds of nothing but waiting, or of
# the command that follows (which must take that long).
node_cpu() { # seconds [command...]
  local secs=$1 pid t0=() t1=() i=0 w0 w
  shift
  local pids=($(raftlog_pids))
  for pid in "${pids[@]}"; do t0+=("$(cpu_ticks "$pid")"); done
  w0=$(now_ms)
  if (($#)); then "$@"; else sleep "$secs"; fi
  w=$(($(now_ms) - w0))
  CPU_PCT=""
  for pid in "${pids[@]}"; do
    CPU_PCT+="$(awk -v d=$(($(cpu_ticks "$pid") - t0[i])) -v w="$w" 'BEGIN{printf "%.1f", d * 1000 / w}')% "
    i=$((i + 1))
  done
}
median() { tr ' ' '\n' | sed 's/%//' | grep . | sort -g | awk '{a[NR] = $1} END{print a[int((NR + 1) / 2)]}'; }

banner() {
  echo "$("$RAFTLOG" --version | head -1): 3 nodes on 127.0.0.1, -Xmx256m each," \
    "JRaft fsync on (raft sync=true), java $(java -version 2>&1 | head -1 | cut -d'"' -f2)," \
    "$(nproc) cores; one client, records of random bytes${SETS[*]:+; set: ${SETS[*]}}${TLS:+; mutual TLS}"
}

# Prints "BYTES MS" per node: the size of its /metrics answer and the median time of 5 scrapes
# (curl's total time), or "- -" for a node without an HTTP port.
scrape_sizes() {
  local i port bytes ms
  for i in 1 2 3; do
    port=$(sed -n 's/^[[:space:]]*http\.port[[:space:]]*=[[:space:]]*//p' "$CONFIG_DIR/node-$i.properties" | tail -1)
    if [[ -z $port || $port == 0 ]]; then
      echo "- -"
      continue
    fi
    bytes=$(curl -s -o /dev/null -w '%{size_download}' "http://127.0.0.1:$port/metrics")
    ms=$(for _ in 1 2 3 4 5; do
      curl -s -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$port/metrics"
    done | awk '{print $1 * 1000}' | median)
    echo "$bytes $ms"
  done
}

# One line: each node's /metrics size and scrape time, and the figures for results.tsv.
scrape_line() { # WHAT WORKLOAD
  local sizes
  sizes=$(scrape_sizes)
  echo "raftlog /metrics $1: bytes per node $(awk '{printf "%s ", $1}' <<<"$sizes")," \
    "median scrape ms $(awk '{printf "%s ", $2}' <<<"$sizes")"
  result raftlog "$2" scrape_bytes "$(awk '{print $1}' <<<"$sizes" | median)"
  result raftlog "$2" scrape_ms "$(awk '{print $2}' <<<"$sizes" | median)"
}

mode_one() {
  # raftlog's offsets of each size's first measured run, for reading them back.
  local -A first_offset=()
  local next_offset=0 s r stream=bench-one
  start_raftlog
  if [[ -n $KAFKA ]]; then
    "$KAFKA/setup.sh" >>"$RUN_LOG" 2>&1 || die "Kafka harness setup failed (see $RUN_LOG)"
    "$KAFKA/start.sh" >>"$RUN_LOG" 2>&1 || die "Kafka did not start: $(tail -5 "$RUN_LOG")"
  fi
  echo "== one stream (--stream $stream), $(shards_of_config) shards"
  if [[ $WARMUP == 1 ]]; then
    for s in $SIZES; do
      raftlog_produce "$s" "$RECORDS" "" --stream "$stream"
      next_offset=$((next_offset + RECORDS))
      [[ -z $KAFKA ]] || kafka_produce "warmup-$s" "$s" "$RECORDS"
    done
    echo "bench: warmed up with $RECORDS records of each size" >&2
  fi
  for ((r = 1; r <= REPEATS; r++)); do
    for s in $SIZES; do
      [[ -n ${first_offset[$s]:-} ]] || first_offset[$s]=$next_offset
      raftlog_produce "$s" "$RECORDS" "" --stream "$stream"
      next_offset=$((next_offset + RECORDS))
      produce_line raftlog "$(label "$s")" "run $r/$REPEATS" "produce $(label "$s")"
      if [[ -n $KAFKA ]]; then
        kafka_produce "perf-s$s-r$r" "$s" "$RECORDS"
        produce_line kafka "$(label "$s")" "run $r/$REPEATS" "produce $(label "$s")"
      fi
    done
  done
  # Read back the first measured run of each size, as the harness's consumer perf test does.
  for s in $SIZES; do
    measure raftlog "$RAFTLOG" bench consume --idle 10s --stream "$stream" --from "${first_offset[$s]}" --records "$RECORDS"
    grep -E '^[0-9]+ records read' <<<"$OUT" | awk -v sz="$(label "$s")" -v note="$NOTE" -F', ' '{
      split($1, n, " "); split($2, a, " "); gsub(/\(/, "", a[3]);
      printf "raftlog consume %s: %.0f rec/s, %.2f MB/s, %d records (%s)\n", sz, a[1], a[3], n[1], note }'
    result raftlog "consume $(label "$s")" rec_s \
      "$(grep -E '^[0-9]+ records read' <<<"$OUT" | awk -F', ' '{split($2, a, " "); print a[1]}')"
    if [[ -n $KAFKA ]]; then
      measure kafka "$KAFKA/ktool.sh" org.apache.kafka.tools.ConsumerPerformance \
        --bootstrap-server "$KAFKA_BOOTSTRAP" --topic "perf-s$s-r1" --num-records "$RECORDS" --timeout 60000
      # start.time, end.time, MB, MB.sec, nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, ...
      grep -E '^[0-9]{4}-' <<<"$OUT" | tail -1 | awk -v sz="$(label "$s")" -v note="$NOTE" -F', *' '{
        printf "kafka consume %s: %.0f rec/s, %.2f MB/s, %d records (fetch phase only: %.0f rec/s) (%s)\n",
          sz, $6, $4, $5, $10, note }'
      grep -E '^[0-9]{4}-' <<<"$OUT" | tail -1 | awk -v w="consume $(label "$s")" -F', *' \
        '{printf "kafka\t%s\trec_s\t%s\nkafka\t%s\tfetch_rec_s\t%s\n", w, $6, w, $10}' |
        if [[ -n $RESULTS_DIR ]]; then cat >>"$RESULTS_DIR/results.tsv"; else cat >/dev/null; fi
    fi
  done
  # Latency at a fixed offered load: a record's latency runs from when it was due.
  local rate_workload trace=()
  rate_workload="rate $(label "$RATE_SIZE") $RATE/s"
  ((TRACE_SLOW == 0)) ||
    trace=(--slow-records "$RESULTS_DIR/slow-records.tsv" --slow-count "$TRACE_SLOW")
  raftlog_produce "$RATE_SIZE" "$RATE_RECORDS" "$RATE" --stream "$stream" "${trace[@]}"
  produce_line raftlog "$(label "$RATE_SIZE")" "at $RATE rec/s" "$rate_workload"
  gc_line "$(label "$RATE_SIZE")" "at $RATE rec/s" "$rate_workload"
  ((TRACE_SLOW == 0)) ||
    echo "raftlog produce $(label "$RATE_SIZE") at $RATE rec/s: the $TRACE_SLOW slowest records in $RESULTS_DIR/slow-records.tsv"
  if [[ -n $KAFKA ]]; then
    kafka_produce "rate-$RATE" "$RATE_SIZE" "$RATE_RECORDS" "$RATE"
    produce_line kafka "$(label "$RATE_SIZE")" "at $RATE rec/s" "$rate_workload"
    "$KAFKA/stop.sh" >>"$RUN_LOG" 2>&1 || true
  fi
  echo "raftlog nodes: peak RSS (VmHWM) $(rss_mb VmHWM)MB, heap limit 256 MB (-Xmx256m)"
}

mode_many() {
  local r
  start_raftlog
  echo "== 100 B records: one stream vs round robin over $MANY_STREAMS streams, $(shards_of_config) shards"
  if [[ $WARMUP == 1 ]]; then # also creates the streams
    raftlog_produce 100 "$RECORDS" "" --stream many-one
    raftlog_produce 100 "$RECORDS" "" --streams "$MANY_STREAMS" --stream-prefix many-
    echo "bench: warmed up (and created the $MANY_STREAMS streams)" >&2
  fi
  for ((r = 1; r <= REPEATS; r++)); do
    raftlog_produce 100 "$RECORDS" "" --stream many-one
    produce_line raftlog "100B" "into 1 stream, run $r/$REPEATS" "many 100B 1 stream"
    raftlog_produce 100 "$RECORDS" "" --streams "$MANY_STREAMS" --stream-prefix many-
    produce_line raftlog "100B" "round robin over $MANY_STREAMS streams, run $r/$REPEATS" \
      "many 100B $MANY_STREAMS streams"
  done
}

mode_lookup() {
  start_raftlog
  echo "== $LOOKUP_STREAMS streams: create, look up, RSS and idle CPU, $(shards_of_config) shards"
  "$RAFTLOG" bench produce --records 1000 --size 100 --stream lookup-one >>"$RUN_LOG" 2>&1
  sleep 5
  node_cpu "$IDLE_SECS"
  echo "raftlog idle with 1 stream: CPU per node over $IDLE_SECS s: ${CPU_PCT}(median $(median <<<"$CPU_PCT")%); RSS $(rss_mb VmRSS)MB"
  result raftlog "lookup 1 stream" idle_cpu_pct "$(median <<<"$CPU_PCT")"
  scrape_line "with 1 stream" "lookup 1 stream"
  measure raftlog "$RAFTLOG" bench lookup --streams "$LOOKUP_STREAMS" --reads "$LOOKUP_READS" \
    --rate "$LOOKUP_RATE" --size 100
  grep -E 'streams created|lookups at' <<<"$OUT" | sed 's/^/raftlog /'
  grep -E 'lookups at' <<<"$OUT" | awk -v w="lookup $LOOKUP_STREAMS streams" -F', ' '{
    for (i = 1; i <= NF; i++) if ($i ~ / ms (50th|99th)$/) {
      split($i, v, " "); printf "raftlog\t%s\t%s\t%s\n", w, ($i ~ /50th/ ? "p50_ms" : "p99_ms"), v[1] } }' |
    if [[ -n $RESULTS_DIR ]]; then cat >>"$RESULTS_DIR/results.tsv"; else cat >/dev/null; fi
  echo "raftlog lookup run: ($NOTE)"
  echo "raftlog nodes with $LOOKUP_STREAMS streams: RSS (VmRSS) $(rss_mb VmRSS)MB, peak (VmHWM) $(rss_mb VmHWM)MB"
  scrape_line "with $LOOKUP_STREAMS streams" "lookup $LOOKUP_STREAMS streams"
  sleep 5
  node_cpu "$IDLE_SECS"
  echo "raftlog idle with $LOOKUP_STREAMS streams: CPU per node over $IDLE_SECS s: ${CPU_PCT}(median $(median <<<"$CPU_PCT")%); RSS $(rss_mb VmRSS)MB"
  result raftlog "lookup $LOOKUP_STREAMS streams" idle_cpu_pct "$(median <<<"$CPU_PCT")"
}

mode_shards() {
  local n records=$((LOAD_RATE * LOAD_SECS))
  echo "== shard count sweep: idle, and $LOAD_RATE rec/s of 1 KB over 1000 streams for $LOAD_SECS s"
  for n in $SWEEP_SHARDS; do
    start_raftlog "$n"
    sleep 10 # the leader balancer spreads the leaders
    node_cpu "$IDLE_SECS"
    echo "raftlog $n shards idle: CPU per node ${CPU_PCT}(median $(median <<<"$CPU_PCT")%); RSS $(rss_mb VmRSS)MB"
    result raftlog "shards $n" idle_cpu_pct "$(median <<<"$CPU_PCT")"
    node_cpu "$LOAD_SECS" raftlog_produce 1024 "$records" "$LOAD_RATE" --streams 1000 --stream-prefix sweep-
    produce_line raftlog "1KB" "$n shards at $LOAD_RATE rec/s" "shards $n" | sed 's/ (load1.*//'
    gc_line "1KB" "$n shards at $LOAD_RATE rec/s" "shards $n"
    echo "raftlog $n shards under load: CPU per node ${CPU_PCT}(median $(median <<<"$CPU_PCT")%); RSS $(rss_mb VmRSS)MB, peak $(rss_mb VmHWM)MB ($NOTE)"
    result raftlog "shards $n" load_cpu_pct "$(median <<<"$CPU_PCT")"
  done
}

# The shard curve: one producer over streams in N different shards, against one stream.
mode_scaling() {
  local n r max=0 base rate
  local -a counts
  read -ra counts <<<"$SCALE_SHARDS"
  [[ " ${counts[*]} " == *" 1 "* ]] || counts=(1 "${counts[@]}")
  for n in "${counts[@]}"; do ((n > max)) && max=$n; done
  start_raftlog "$max"
  sleep 10 # the leader balancer spreads the leaders
  echo "== shard curve: 1 KB from one producer over streams in N shards (leaders on the nodes in turn), $(shards_of_config) shards"
  if [[ $WARMUP == 1 ]]; then
    raftlog_produce 1024 "$RECORDS" "" --spread-shards "$max" --stream-prefix scale-
    echo "bench: warmed up" >&2
  fi
  for ((r = 1; r <= REPEATS; r++)); do
    base=""
    for n in "${counts[@]}"; do
      raftlog_produce 1024 "$RECORDS" "" --spread-shards "$n" --stream-prefix scale-
      produce_line raftlog "1KB" "over $n shards, run $r/$REPEATS" "scaling $n"
      rate=$(grep -E '^[0-9]+ records sent' <<<"$OUT" | awk -F', ' '{split($2, a, " "); print a[1]}')
      [[ $n != 1 ]] || base=$rate
      awk -v n="$n" -v r="$r/$REPEATS" -v x="$rate" -v b="$base" \
        'BEGIN{printf "raftlog shard curve run %s: %d shards %.0f rec/s, %.2fx one stream\n", r, n, x, x / b}'
      result raftlog "scaling $n" ratio "$(awk -v x="$rate" -v b="$base" 'BEGIN{printf "%.3f", x / b}')"
    done
  done
}

echo "bench: data and logs in $DATA_DIR" >&2
"$RAFTLOG" --version >/dev/null # builds the CLI now if it is stale, outside any measurement
banner
for MODE in ${MODES//,/ }; do
  "mode_$MODE"
done
if [[ -n $RESULTS_DIR ]]; then
  plot=(--results "$RESULTS_DIR/results.tsv" --out "$RESULTS_DIR")
  [[ -z $FAILOVER ]] || plot+=(--failover "$FAILOVER")
  "$RAFTLOG" bench plot "${plot[@]}" | sed 's/^/bench: plot: /' >&2
  echo "bench: results in $RESULTS_DIR (results.tsv, bench.txt, *.svg, gc-*.log)" >&2
fi
