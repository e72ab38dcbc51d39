#!/usr/bin/env bash
# Benchmarks a fresh local three-node raftlog cluster with the workloads of the Kafka peer harness
# (../shared/peers/kafka/bench.sh): produce 1 KB and 100 B records as fast as they go, read them
# back, and produce 1 KB at a fixed rate for latency. Prints one line per run, in the harness's
# shape, with the CPU seconds the three nodes and the client used:
#
#   raftlog produce 1KB run 1/3: 25000 rec/s, 24.41 MB/s, p50 … ms, p95 …, p99 …, p99.9 …, avg …,
#   max … (load1=… cpu_psi10=…%; wall 8.0 s, cpu nodes 11.2 s + client 4.1 s)
#
# Usage: scripts/bench.sh [--kafka DIR] [--modes LIST] [--shards N]
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
#              by name at LOOKUP_RATE/s (p50/p99); each node's RSS; idle CPU again
#     shards   for each shard count in SWEEP_SHARDS, a fresh cluster: each node's idle CPU over
#              IDLE_SECS and RSS, then its CPU and RSS under LOAD_RATE records/s of 1 KB round
#              robin over 1,000 streams for LOAD_SECS
#     all      one,many,lookup,shards
#   --port-offset N  add N to the nodes' ports (9001-9003, 8101-8103), e.g. 10000 when another
#                cluster holds those.
#   --shards N   cluster.shards of the clusters of the modes one, many and lookup (default: that of
#                cluster-config/, 6).
# Environment (defaults in brackets):
#   RECORDS [200000] records per produce run; SIZES ["1024 100"] record sizes in bytes;
#   REPEATS [3] produce runs per size; RATE [5000] records/s of the fixed-rate run, which sends
#   RATE_RECORDS [50000] records of RATE_SIZE [1024] bytes; WARMUP [1] one unmeasured run of each
#   size first (fresh JVMs are several times slower); MANY_STREAMS [100000]; LOOKUP_STREAMS
#   [1000000]; LOOKUP_READS [10000]; LOOKUP_RATE [1000]; IDLE_SECS [30]; SWEEP_SHARDS ["3 6 12
#   24"]; LOAD_RATE [2000]; LOAD_SECS [20]; BENCH_DATA_DIR [a new directory under /tmp].
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
MODES=one
SHARDS=""
PORT_OFFSET=0
KAFKA=""
KAFKA_BOOTSTRAP=127.0.0.1:29091

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
      MODES=${2//all/one,many,lookup,shards}
      shift 2
      ;;
    --port-offset)
      [[ $# -ge 2 && $2 =~ ^[0-9]+$ ]] || die "--port-offset needs a number"
      PORT_OFFSET=$2
      shift 2
      ;;
    --shards)
      [[ $# -ge 2 && $2 =~ ^[1-9][0-9]*$ ]] || die "--shards needs a positive number"
      SHARDS=$2
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
  [[ $m =~ ^(one|many|lookup|shards)$ ]] || die "unknown mode: $m (see --help)"
done

export DATA_DIR=${BENCH_DATA_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/raftlog-bench.XXXXXX")}
# shellcheck source=scripts/cluster-lib.sh
source "$ROOT/scripts/cluster-lib.sh" # raftlog_pid
RAFTLOG=$ROOT/scripts/raftlog
RUN_LOG=$DATA_DIR/bench.log
mkdir -p "$DATA_DIR"

cleanup() {
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

# measure SYSTEM COMMAND...: runs the command under /usr/bin/time; sets OUT (its stdout) and NOTE
# (load before, wall time, CPU of the system's nodes and of the client).
measure() {
  local system=$1 before c0 t0 pids
  shift
  if [[ $system == raftlog ]]; then pids=$(raftlog_pids); else pids=$(kafka_pids); fi
  before=$(load)
  # shellcheck disable=SC2086
  c0=$(cpu_ticks $pids)
  t0=$(now_ms)
  OUT=$(/usr/bin/time -f "%U %S" -o "$DATA_DIR/time" "$@" 2>>"$RUN_LOG") ||
    die "$system run failed: $* (see $RUN_LOG)"
  # shellcheck disable=SC2086
  NOTE=$(awk -v l="$before" -v w=$(($(now_ms) - t0)) -v n=$(($(cpu_ticks $pids) - c0)) \
    -v c="$(awk '{print $1 + $2}' "$DATA_DIR/time")" \
    'BEGIN{printf "%s; wall %.1f s, cpu nodes %.1f s + client %.1f s", l, w / 1000, n / 100, c}')
}

# Turns a producer perf line (raftlog's bench produce and Kafka's tool print the same one) into ours.
produce_line() { # system label run-name
  grep -E '^[0-9]+ records sent' <<<"$OUT" | tail -1 | awk -v sys="$1" -v sz="$2" -v run="$3" \
    -v note="$NOTE" -F', ' '{
      split($2, a, " "); split($3, c, " "); split($4, d, " "); split($5, e, " ");
      split($6, f, " "); split($7, g, " "); split($8, h, " "); gsub(/\(/, "", a[3]);
      printf "%s produce %s %s: %.0f rec/s, %.2f MB/s, p50 %s ms, p95 %s ms, p99 %s ms, p99.9 %s ms, avg %.1f ms, max %.0f ms (%s)\n",
        sys, sz, run, a[1], a[3], e[1], f[1], g[1], h[1], c[1], d[1], note }'
}

raftlog_produce() { # size records rate-or-empty [more bench produce options...]
  local size=$1 records=$2 rate=${3:-}
  shift 3
  measure raftlog "$RAFTLOG" bench produce --records "$records" --size "$size" ${rate:+--rate "$rate"} "$@"
}
kafka_topic() { # name
  "$KAFKA/ktool.sh" org.apache.kafka.tools.TopicCommand --bootstrap-server "$KAFKA_BOOTSTRAP" \
    --create --if-not-exists --topic "$1" --partitions 1 --replication-factor 3 \
    --config min.insync.replicas=2 >>"$RUN_LOG" 2>&1
}
kafka_produce() { # topic size records [rate]
  kafka_topic "$1"
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
    awk -v shards="${1:-}" -v off="$PORT_OFFSET" '
      shards != "" && /^[[:space:]]*cluster\.shards[[:space:]]*=/ { print "cluster.shards=" shards; next }
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

# Starts a fresh raftlog cluster with $1 shards (default: --shards, else the config's).
start_raftlog() {
  "$ROOT/scripts/stop-cluster.sh" --wipe >>"$RUN_LOG" 2>&1 || true
  write_config "${1:-$SHARDS}"
  "$ROOT/scripts/start-cluster.sh" >>"$RUN_LOG" 2>&1 || die "the cluster did not start (see $RUN_LOG)"
  echo "bench: raftlog cluster up with $(shards_of_config) shards" >&2
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
    "$(nproc) cores; one client, records of random bytes"
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
      produce_line raftlog "$(label "$s")" "run $r/$REPEATS"
      if [[ -n $KAFKA ]]; then
        kafka_produce "perf-s$s-r$r" "$s" "$RECORDS"
        produce_line kafka "$(label "$s")" "run $r/$REPEATS"
      fi
    done
  done
  # Read back the first measured run of each size, as the harness's consumer perf test does.
  for s in $SIZES; do
    measure raftlog "$RAFTLOG" bench consume --idle 10s --stream "$stream" --from "${first_offset[$s]}" --records "$RECORDS"
    grep -E '^[0-9]+ records read' <<<"$OUT" | awk -v sz="$(label "$s")" -v note="$NOTE" -F', ' '{
      split($1, n, " "); split($2, a, " "); gsub(/\(/, "", a[3]);
      printf "raftlog consume %s: %.0f rec/s, %.2f MB/s, %d records (%s)\n", sz, a[1], a[3], n[1], note }'
    if [[ -n $KAFKA ]]; then
      measure kafka "$KAFKA/ktool.sh" org.apache.kafka.tools.ConsumerPerformance \
        --bootstrap-server "$KAFKA_BOOTSTRAP" --topic "perf-s$s-r1" --num-records "$RECORDS" --timeout 60000
      # start.time, end.time, MB, MB.sec, nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, ...
      grep -E '^[0-9]{4}-' <<<"$OUT" | tail -1 | awk -v sz="$(label "$s")" -v note="$NOTE" -F', *' '{
        printf "kafka consume %s: %.0f rec/s, %.2f MB/s, %d records (fetch phase only: %.0f rec/s) (%s)\n",
          sz, $6, $4, $5, $10, note }'
    fi
  done
  # Latency at a fixed offered load: a record's latency runs from when it was due.
  raftlog_produce "$RATE_SIZE" "$RATE_RECORDS" "$RATE" --stream "$stream"
  produce_line raftlog "$(label "$RATE_SIZE")" "at $RATE rec/s"
  if [[ -n $KAFKA ]]; then
    kafka_produce "rate-$RATE" "$RATE_SIZE" "$RATE_RECORDS" "$RATE"
    produce_line kafka "$(label "$RATE_SIZE")" "at $RATE rec/s"
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
    produce_line raftlog "100B" "into 1 stream, run $r/$REPEATS"
    raftlog_produce 100 "$RECORDS" "" --streams "$MANY_STREAMS" --stream-prefix many-
    produce_line raftlog "100B" "round robin over $MANY_STREAMS streams, run $r/$REPEATS"
  done
}

mode_lookup() {
  start_raftlog
  echo "== $LOOKUP_STREAMS streams: create, look up, RSS and idle CPU, $(shards_of_config) shards"
  "$RAFTLOG" bench produce --records 1000 --size 100 --stream lookup-one >>"$RUN_LOG" 2>&1
  sleep 5
  node_cpu "$IDLE_SECS"
  echo "raftlog idle with 1 stream: CPU per node over $IDLE_SECS s: ${CPU_PCT}(median $(median <<<"$CPU_PCT")%); RSS $(rss_mb VmRSS)MB"
  measure raftlog "$RAFTLOG" bench lookup --streams "$LOOKUP_STREAMS" --reads "$LOOKUP_READS" \
    --rate "$LOOKUP_RATE" --size 100
  grep -E 'streams created|lookups at' <<<"$OUT" | sed 's/^/raftlog /'
  echo "raftlog lookup run: ($NOTE)"
  echo "raftlog nodes with $LOOKUP_STREAMS streams: RSS (VmRSS) $(rss_mb VmRSS)MB, peak (VmHWM) $(rss_mb VmHWM)MB"
  sleep 5
  node_cpu "$IDLE_SECS"
  echo "raftlog idle with $LOOKUP_STREAMS streams: CPU per node over $IDLE_SECS s: ${CPU_PCT}(median $(median <<<"$CPU_PCT")%); RSS $(rss_mb VmRSS)MB"
}

mode_shards() {
  local n records=$((LOAD_RATE * LOAD_SECS))
  echo "== shard count sweep: idle, and $LOAD_RATE rec/s of 1 KB over 1000 streams for $LOAD_SECS s"
  for n in $SWEEP_SHARDS; do
    start_raftlog "$n"
    sleep 10 # the leader balancer spreads the leaders
    node_cpu "$IDLE_SECS"
    echo "raftlog $n shards idle: CPU per node ${CPU_PCT}(median $(median <<<"$CPU_PCT")%); RSS $(rss_mb VmRSS)MB"
    node_cpu "$LOAD_SECS" raftlog_produce 1024 "$records" "$LOAD_RATE" --streams 1000 --stream-prefix sweep-
    produce_line raftlog "1KB" "$n shards at $LOAD_RATE rec/s" | sed 's/ (load1.*//'
    echo "raftlog $n shards under load: CPU per node ${CPU_PCT}(median $(median <<<"$CPU_PCT")%); RSS $(rss_mb VmRSS)MB, peak $(rss_mb VmHWM)MB ($NOTE)"
  done
}

echo "bench: data and logs in $DATA_DIR" >&2
"$RAFTLOG" --version >/dev/null # builds the CLI now if it is stale, outside any measurement
banner
for m in ${MODES//,/ }; do
  "mode_$m"
done
