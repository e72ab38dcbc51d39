# shellcheck shell=bash
# Shared by the benchmark scripts that measure produce stalls under a fixed-rate load
# (rolling-restart-bench.sh, membership-bench.sh); sourced, not run. The load is `raftlog bench
# produce --rate R --slow-records records.tsv --slow-count <all>`: records.tsv has every record's
# timeline. A record's stall is its latency at the fixed rate: from when it was due (its send time
# on the rate's schedule) to its acknowledgement, so a producer held up by a shard without a leader
# shows the whole hold-up. The script cuts the run into windows (ms from the producer's start); a
# window's figures are over the records due in it, and its longest ack gap is the longest time in
# it with no acknowledgement at all.

# Prints the producer's start, ms since the epoch, from records.tsv $1 (its first line says it).
records_start_epoch() {
  sed -nE '1s/.* at ([0-9]+) ms since the epoch.*/\1/p' "$1"
}

# Windows file $1 (tab-separated, one window a line; columns 3 and 4 are its start and end, ms from
# the producer's start; the others are the caller's) and records.tsv $2: prints, sorted, a line
# "window <TAB> stall_ms <TAB> shard <TAB> due" for each record due in a window and "window <TAB>
# acked_ms <TAB> - <TAB> ack" for each acknowledgement in one (a record counts in every window
# that holds it: windows may nest).
records_by_window() {
  awk -F'\t' 'FNR == NR { n++; lo[n] = $3; hi[n] = $4; next }
    FNR <= 2 { next }
    { for (i = 1; i <= n; i++) {
        if ($6 + 0 >= lo[i] && $6 + 0 < hi[i]) print i "\t" $9 "\t" $4 "\tdue"
        if ($8 + 0 >= lo[i] && $8 + 0 < hi[i]) print i "\t" $8 "\t-\tack"
      } }' "$1" "$2" | sort -t$'\t' -k4,4 -k1,1n -k2,2g
}

# Windows file $1 and records_by_window's output $2: prints one line per window, tab-separated:
# the window's line number, its records, stall p50, p99 and max (ms), the shard of the max, the
# longest ack gap (ms); a window with no record has 0 records and "-" for the rest.
window_stats() {
  awk -F'\t' '
    FNR == NR { n++; next }
    $4 == "due" { c[$1]++; v[$1, c[$1]] = $2; if ($2 + 0 >= mx[$1]) { mx[$1] = $2 + 0; sh[$1] = $3 } }
    $4 == "ack" { if (($1 in last) && $2 - last[$1] > gap[$1]) gap[$1] = $2 - last[$1]; last[$1] = $2 }
    END {
      for (i = 1; i <= n; i++) {
        k = c[i]
        if (k == 0) { printf "%d\t0\t-\t-\t-\t-\t-\n", i; continue }
        p50 = v[i, int((k + 1) / 2)]; p99 = v[i, int(k * 0.99 + 0.999)]; if (p99 == "") p99 = v[i, k]
        printf "%d\t%d\t%.1f\t%.1f\t%.1f\t%s\t%.1f\n", i, k, p50, p99, mx[i], sh[i], gap[i] + 0
      }
    }' "$1" "$2"
}
