package io.raftlog.cli;

import io.raftlog.api.v1.Record;
import io.raftlog.otlp.LogDecoder;
import io.raftlog.otlp.LogEntry;
import io.raftlog.otlp.LogFilter;
import io.raftlog.otlp.UnreadableLogException;
import java.io.PrintWriter;

/**
 * What {@code consume} does with each record it reads: prints it in its {@link RecordFormat} if the
 * {@link LogFilter} ({@code --severity}, {@code --where}) keeps it. A record is decoded into its
 * log only when the format or the filter needs it. A record whose value is not the log its {@code
 * content-type} names gets one line on stderr ({@code raftlog: offset N skipped: why}) and the
 * reading goes on: it is skipped when a filter or {@code --format log} needed the log, and printed
 * as a plain record (its value, no {@code "log"}) by {@code --format json} without filters. Used by
 * the command's one thread.
 */
final class RecordPrinter {
  private final RecordFormat format;
  private final LogFilter filter;
  private final PrintWriter out;
  private final PrintWriter err;

  RecordPrinter(RecordFormat format, LogFilter filter, PrintWriter out, PrintWriter err) {
    this.format = format;
    this.filter = filter;
    this.out = out;
    this.err = err;
  }

  /** Prints {@code r} if the filter keeps it; answers whether it did. */
  boolean print(Record r) {
    if (filter.keepsAll() && !format.showsLog(r)) {
      out.println(format.format(r));
      return true;
    }
    LogEntry log;
    try {
      log = LogDecoder.decode(r);
    } catch (UnreadableLogException e) {
      boolean plain = filter.keepsAll() && format == RecordFormat.JSON;
      err.println(
          "raftlog: offset "
              + Long.toUnsignedString(r.getOffset())
              + (plain ? " printed without \"log\": " : " skipped: ")
              + e.getMessage());
      err.flush();
      if (plain) {
        out.println(format.format(r));
      }
      return plain;
    }
    if (!filter.test(log, !LogDecoder.isLog(r))) {
      return false;
    }
    out.println(format.format(r, log));
    return true;
  }
}
