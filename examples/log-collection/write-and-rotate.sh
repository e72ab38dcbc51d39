#!/usr/bin/env bash
# Writes numbered log lines into a file and rotates it as it goes, for `raftlog tail` to follow:
# every --every lines the file is rotated, by rename (app.log -> app.log.1, a new app.log) and by
# copy-truncate (app.log copied to app.log.1, then emptied in place) in turn, as logrotate does.
# Every few lines a multi-line event (an ERROR with a Java stack trace) for --multiline '^\d{4}-'.
#
# Usage: examples/log-collection/write-and-rotate.sh FILE [--lines N] [--every N] [--rate N]
#   FILE       the log file to write (its directory is created); app.log.1 beside it is the rotated one
#   --lines N  how many lines in all, then it stops (default 1000)
#   --every N  rotate after every N lines (default 300)
#   --rate N   lines per second, at most (default 50); it never runs longer than a minute
# Then, in other terminals:
#   scripts/raftlog tail FILE --stream logs.demo --multiline '^\d{4}-'
#   scripts/raftlog consume --stream logs.demo --from 0 --follow
set -euo pipefail

die() {
  echo "write-and-rotate: $*" >&2
  exit 1
}

[[ $# -ge 1 && $1 != -* ]] || die "usage: $0 FILE [--lines N] [--every N] [--rate N]"
FILE=$1
shift
LINES=1000
EVERY=300
RATE=50
while [[ $# -gt 0 ]]; do
  [[ $# -ge 2 && $2 =~ ^[1-9][0-9]*$ ]] || die "$1 needs a positive number"
  case $1 in
    --lines) LINES=$2 ;;
    --every) EVERY=$2 ;;
    --rate) RATE=$2 ;;
    *) die "unknown option: $1" ;;
  esac
  shift 2
done
mkdir -p "$(dirname "$FILE")"
deadline=$((SECONDS + 60))
pause=$(awk -v r="$RATE" 'BEGIN { printf "%.3f", 1 / r }')
rotations=0

rotate() {
  if ((rotations % 2 == 0)); then
    mv -f "$FILE" "$FILE.1" # rename: the tailer finishes the old file, then reads the new one
    : >"$FILE"
    echo "write-and-rotate: rotated $FILE by rename after line $1" >&2
  else
    cp -f "$FILE" "$FILE.1" # copy-truncate: the file keeps its inode and starts again at 0
    : >"$FILE"
    echo "write-and-rotate: rotated $FILE by copy-truncate after line $1" >&2
  fi
  rotations=$((rotations + 1))
}

for ((i = 1; i <= LINES && SECONDS < deadline; i++)); do
  now=$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)
  if ((i % 50 == 0)); then
    # one event over four lines: the ERROR line starts it, the trace continues it
    printf '%s ERROR line %d: request failed\njava.lang.IllegalStateException: boom %d\n\tat demo.Handler.handle(Handler.java:42)\n\tat demo.Server.run(Server.java:7)\n' \
      "$now" "$i" "$i" >>"$FILE"
  else
    printf '%s INFO line %d: request served\n' "$now" "$i" >>"$FILE"
  fi
  ((i % EVERY != 0)) || rotate "$i"
  sleep "$pause"
done
echo "write-and-rotate: wrote $((i - 1)) lines (events) into $FILE, rotated $rotations times" >&2
