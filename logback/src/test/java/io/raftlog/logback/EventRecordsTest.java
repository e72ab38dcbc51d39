package io.raftlog.logback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import io.raftlog.api.v1.Record;
import io.raftlog.otlp.LogDecoder;
import io.raftlog.otlp.LogEntry;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * An event larger than the nodes' record limit: the node would refuse the whole batch it travels in
 * (INVALID_ARGUMENT), and with it the other events of that batch, so the appender cuts it to fit
 * or, when even that is not enough, drops it alone.
 */
class EventRecordsTest {
  private static final int LIMIT = 4_096;
  private final LoggerContext context = new LoggerContext();

  @Test
  void aMessageOverTheRecordLimitIsCutToFitAndSaysSo() throws Exception {
    for (EventRecords.Encoding encoding : EventRecords.Encoding.values()) {
      EventRecords records = new EventRecords(encoding, "svc", "host", LIMIT);
      Record r = records.encode(event("x".repeat(100_000), Map.of()));
      assertTrue(size(r) <= LIMIT, encoding + ": " + size(r) + " bytes");
      LogEntry log = LogDecoder.decode(r);
      assertTrue(log.body().startsWith("xxxx"), log.body());
      assertTrue(log.body().endsWith(" more characters]"), log.body());
      assertEquals("true", log.attributes().get(EventRecords.CUT));
    }
  }

  @Test
  void anEventThatCannotBeCutToFitIsDroppedAlone() {
    EventRecords records = new EventRecords(EventRecords.Encoding.OTLP, "svc", "host", LIMIT);
    Record tooLarge = records.encode(event("small", Map.of("huge", "y".repeat(10_000))));
    assertTrue(tooLarge == null, "not dropped: " + (tooLarge == null ? 0 : size(tooLarge)));
    Record ok = records.encode(event("small", Map.of("fine", "y")));
    assertTrue(size(ok) <= LIMIT);
  }

  private LoggingEvent event(String message, Map<String, String> mdc) {
    LoggingEvent e =
        new LoggingEvent(
            "fqcn", context.getLogger("app.Big"), Level.INFO, message, null, new Object[0]);
    e.setMDCPropertyMap(mdc);
    return e;
  }

  private static long size(Record r) {
    long n = r.getValue().size();
    for (var h : r.getHeadersList()) {
      n += h.getKeyBytes().size() + h.getValue().size();
    }
    return n;
  }
}
