#!/usr/bin/env bash
# Builds the log-collection example and runs it: a pretend checkout service that logs a few lines a
# second through the raftlog-logback appender into the stream logs.checkout.
#
# Usage: examples/log-collection/run.sh [SECONDS] [LINES_PER_SECOND]   (default 30 and 4)
#   RAFTLOG_SERVERS   the cluster's client addresses (default: the local cluster of
#                     scripts/start-cluster.sh, 127.0.0.1:9001,127.0.0.1:9002,127.0.0.1:9003)
#   RAFTLOG_ENCODING  otlp (default) or json
#   MAVEN_ARGS        extra Maven arguments for the build, e.g. -o when offline
# Builds the example and the modules it needs (mvn package) when its classpath file is missing or
# older than their sources; build output goes to stderr.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
CLASSPATH_FILE=$HERE/target/classpath.txt

stale() {
  [[ -f $CLASSPATH_FILE ]] || return 0
  [[ -n $(find "$HERE"/src "$HERE"/pom.xml "$ROOT"/{proto,otlp,client,logback}/src \
    "$ROOT"/pom.xml "$ROOT"/*/pom.xml -newer "$CLASSPATH_FILE" -print -quit 2>/dev/null) ]]
}

if stale; then
  echo "run.sh: building the example..." >&2
  # package builds the modules it needs (-am); build-classpath writes each one's runtime classpath
  # to its target/classpath.txt, the reactor's own modules as their jars.
  (cd "$ROOT" && mvn -B -q -Dstyle.color=never -DskipTests -pl examples/log-collection -am \
    package org.apache.maven.plugins:maven-dependency-plugin:3.9.0:build-classpath \
    -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime) >&2
fi

exec java -cp "$HERE/target/classes:$(cat "$CLASSPATH_FILE")" \
  io.raftlog.examples.logcollection.CheckoutService "$@"
