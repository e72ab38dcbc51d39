package io.raftlog.client;

import static io.raftlog.client.ResendQueueTest.record;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A producer that never sends needs no cluster: its channel to the (absent) node is never opened.
 */
class ProducerCloseTest {
  @Test
  void closingAnIdleProducerStopsItsThreadsAndLaterSendsFailAsClosed() {
    ClientOptions options = RecordAccumulatorTest.options(1 << 20, 1 << 20, Duration.ZERO);
    try (NodeChannels channels = new NodeChannels(options)) {
      Producer producer =
          new Producer(options, channels, new Backoff(Duration.ofMillis(1), Duration.ofMillis(1)));
      String threads = "raftlog-producer-" + Long.toHexString(producer.producerId());
      producer.flush(); // nothing sent: returns at once

      producer.close();
      producer.close(); // a second close is a no-op

      assertFalse(
          Thread.getAllStackTraces().keySet().stream()
              .anyMatch(t -> t.getName().equals(threads) && t.isAlive()),
          "the sender thread stopped");
      IllegalStateException e =
          assertThrows(IllegalStateException.class, () -> producer.send(record("late")));
      assertEquals("producer is closed", e.getMessage());
      assertEquals(0, producer.streamsOpened());
    }
  }
}
