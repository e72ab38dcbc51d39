#!/usr/bin/env bash
# OTLP ingest against the Produce API on the same log records (issue 23): starts a fresh local
# three-node cluster (cluster-config/, ports moved up by --port-offset), then runs
# io.raftlog.bench.OtlpIngestBench (bench/, built with -Pjmh if its jar is missing or stale): the
# OpenTelemetry Java SDK's OTLP/gRPC exporter (BatchLogRecordProcessor, one export of --batch logs
# at a time, to the leader of its stream's shard) against the Java client's Producer sending the
# records the node stores for the same logs; a warm-up of each, then --runs of each alternated, each
# run into a new stream. Prints each run's log records/s and the medians; stops the cluster.
#
# Usage: scripts/otlp-bench.sh [--port-offset N] [--records N] [--runs N] [--batch N]
#   --port-offset N  add N to the nodes' ports (9001-9003, 8101-8103, HTTP 9201-9203)
#   --records N      logs per run (default 100000)
#   --runs N         measured runs of each API (default 3)
#   --batch N        the SDK exporter's batch size, maxExportBatchSize (default 512, its default)
#   BENCH_LOCK       if set, a file to hold with flock(1) from the cluster's start to its stop
#                    (after any build), so that only one benchmark runs on the machine at a time
#   BENCH_DATA_DIR   where the cluster lives (default: a new directory under /tmp, removed after)
set -euo pipefail

ARGS=("$@")
PORT_OFFSET=0
RECORDS=100000
RUNS=3
BATCH=512
while (($#)); do
  case $1 in
    --port-offset | --records | --runs | --batch)
      [[ $# -ge 2 && $2 =~ ^[0-9]+$ ]] || { echo "otlp-bench: $1 needs a number" >&2; exit 1; }
      case $1 in
        --port-offset) PORT_OFFSET=$2 ;;
        --records) RECORDS=$2 ;;
        --runs) RUNS=$2 ;;
        --batch) BATCH=$2 ;;
      esac
      shift 2 ;;
    *) echo "otlp-bench: unknown argument $1 (see the header of $0)" >&2; exit 1 ;;
  esac
done

OWN_DIR=""
if [[ -z ${BENCH_DATA_DIR:-} ]]; then
  OWN_DIR=$(mktemp -d /tmp/raftlog-otlp-bench.XXXXXX)
  BENCH_DATA_DIR=$OWN_DIR
fi
export DATA_DIR=$BENCH_DATA_DIR
# shellcheck source=scripts/cluster-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/cluster-lib.sh" # ROOT, DATA_DIR, write_bench_template
export CONFIG_DIR=$DATA_DIR/config

JAR=$ROOT/bench/target/raftlog-jmh.jar
if [[ ! -f $JAR || -n $(find "$ROOT"/{proto,otlp,server,client,bench}/src "$ROOT"/pom.xml \
  "$ROOT"/{proto,otlp,server,client,bench}/pom.xml -newer "$JAR" -print -quit 2>/dev/null) ]]; then
  echo "otlp-bench: building $JAR..." >&2
  (cd "$ROOT" && mvn -B -q -Pjmh package -DskipTests -pl bench -am) >&2
fi

# Built outside the lock (a build is no measurement); from here on, one benchmark at a time.
if [[ -n ${BENCH_LOCK:-} && -z ${OTLP_BENCH_LOCKED:-} ]]; then
  [[ -z $OWN_DIR ]] || rm -rf "$OWN_DIR"
  OTLP_BENCH_LOCKED=1 exec flock "$BENCH_LOCK" "$0" "${ARGS[@]}"
fi

cleanup() {
  "$ROOT/scripts/stop-cluster.sh" --wipe >/dev/null 2>&1 || true
  [[ -z $OWN_DIR ]] || rm -rf "$OWN_DIR"
}
trap cleanup EXIT

write_bench_template 6 "$PORT_OFFSET"
"$ROOT/scripts/start-cluster.sh" --clean >"$DATA_DIR/start.log" 2>&1 \
  || { echo "otlp-bench: the cluster did not start:" >&2; tail -20 "$DATA_DIR/start.log" >&2; exit 1; }
SERVERS=$(for i in 1 2 3; do printf '127.0.0.1:%d,' $((9000 + i + PORT_OFFSET)); done)
echo "otlp-bench: $RECORDS logs per run, $RUNS runs of each, SDK batch $BATCH, servers ${SERVERS%,}" >&2
java -cp "$JAR" io.raftlog.bench.OtlpIngestBench "${SERVERS%,}" "$RECORDS" "$RUNS" "$BATCH"
