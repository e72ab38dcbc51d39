#!/usr/bin/env bash
# Runs the JMH microbenchmarks (bench/): builds bench/target/raftlog-jmh.jar first if it is missing
# or older than the sources it is built from, then passes every argument to JMH.
#
# Usage: scripts/jmh.sh [JMH options] [benchmark regexp]
#   e.g. scripts/jmh.sh RocksLogStoreBenchmark -p recordBytes=1024
#        scripts/jmh.sh -h       (JMH's options)
# Benchmarks measure: run them on an otherwise idle machine.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
JAR=$ROOT/bench/target/raftlog-jmh.jar

# The bench jar holds the server and proto classes too; a pom change may change a version.
stale() {
  [[ -f $JAR ]] || return 0
  [[ -n $(find "$ROOT"/{proto,server,bench}/src "$ROOT"/pom.xml "$ROOT"/{proto,server,bench}/pom.xml \
    -newer "$JAR" -print -quit 2>/dev/null) ]]
}

if stale; then
  echo "jmh: building $JAR..." >&2
  (cd "$ROOT" && mvn -B -q -Pjmh package -DskipTests -pl bench -am) >&2
fi
exec java -jar "$JAR" "$@"
