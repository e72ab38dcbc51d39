package io.raftlog.chaos.history;

import java.nio.file.Path;

/**
 * What the judges of one check share: the file (to name it when a line is not a history), the index
 * of the final log, the largest offsets acknowledged so far, and where violations go. Made by the
 * {@link HistoryChecker} for one file; used on its thread only.
 */
record Judging(Path file, FinalLog log, LatestAcks acks, Violations violations) {

  /** The file is not a history at {@code line}: {@code what} says why. */
  HistoryFormatException badLine(long line, String what) {
    return new HistoryFormatException(file + " line " + line + ": " + what);
  }
}
