#!/usr/bin/env bash
# Judges a chaos run's history (history.jsonl, one JSON operation a line): every acknowledged append
# present once at its offset, unknown-outcome appends at most once, failed ones absent, linearizable
# reads not stale, reads and subscriptions matching the final log, subscriptions gap-free, offsets
# only growing, no value nobody sent.
#
# Usage: scripts/check-history.sh FILE
# Prints one verdict line ("history: ok ..." or "history: VIOLATIONS ... lost=2 ...") and up to 20
# violations. Exit 0: none; 1: violations; 2: FILE cannot be judged (missing, not JSON lines, no
# final reads). Runs in at most 1 GiB of heap (CHECK_HISTORY_HEAP overrides it).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CHAOS_JAR=$ROOT/chaos/target/raftlog-chaos.jar

if [[ $# != 1 ]]; then
  echo "usage: scripts/check-history.sh FILE   (a chaos run's history.jsonl)" >&2
  exit 2
fi
if [[ ! -f $CHAOS_JAR ]]; then
  echo "history: $CHAOS_JAR is missing: build it with mvn -B -q package -DskipTests" >&2
  exit 2
fi
exec java "-Xmx${CHECK_HISTORY_HEAP:-1g}" -cp "$CHAOS_JAR" io.raftlog.chaos.history.CheckHistoryMain "$1"
