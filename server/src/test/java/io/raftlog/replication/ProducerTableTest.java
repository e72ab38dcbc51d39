package io.raftlog.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.raftlog.replication.ProducerTable.BatchRef;
import io.raftlog.replication.ProducerTable.PartRef;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProducerTableTest {

  @Test
  void aRetryOfAnyOfTheLastFiveBatchesIsADuplicateWithItsOriginalOffsets() {
    ProducerTable t = new ProducerTable(10);
    for (int seq = 0; seq < 7; seq++) {
      t.remember(1, BatchRef.single(seq, seq * 10L, 10), seq + 1);
    }
    for (int seq = 2; seq < 7; seq++) {
      var d = assertInstanceOf(ProducerTable.Duplicate.class, t.check(1, seq));
      assertEquals(seq * 10L, d.batch().parts().get(0).baseOffset());
    }
    var old = assertInstanceOf(ProducerTable.Reject.class, t.check(1, 1));
    assertTrue(old.reason().contains("older than the last 5"), old.reason());
  }

  @Test
  void aSequenceGapIsRejectedAndTheNextSequenceAccepted() {
    ProducerTable t = new ProducerTable(10);
    t.remember(1, BatchRef.single(0, 0, 1), 1);
    var gap = assertInstanceOf(ProducerTable.Reject.class, t.check(1, 2));
    assertTrue(gap.reason().contains("next expected sequence is 1"), gap.reason());
    assertInstanceOf(ProducerTable.Accept.class, t.check(1, 1));
    assertInstanceOf(ProducerTable.Accept.class, t.check(2, 17)); // unknown producer
  }

  @Test
  void theLeastRecentlyUsedProducerIsForgottenFirst() {
    ProducerTable t = new ProducerTable(2);
    assertEquals(List.of(), t.remember(1, BatchRef.single(0, 0, 1), 1));
    assertEquals(List.of(), t.remember(2, BatchRef.single(0, 1, 1), 2));
    assertEquals(List.of(), t.remember(1, BatchRef.single(1, 2, 1), 3)); // 1 is now the newest
    assertEquals(List.of(2L), t.remember(3, BatchRef.single(0, 3, 1), 4));
    assertEquals(2, t.size());
    assertInstanceOf(ProducerTable.Duplicate.class, t.check(1, 1));
  }

  @Test
  void reloadingFromStorageKeepsBatchesAndEvictionOrder() {
    ProducerTable t = new ProducerTable(2);
    t.remember(5, BatchRef.single(0, 0, 3), 10);
    t.remember(6, BatchRef.single(0, 3, 1), 11);
    t.remember(5, BatchRef.single(1, 4, 2), 12);
    Map<Long, byte[]> stored = new HashMap<>();
    stored.put(5L, t.encoded(5));
    stored.put(6L, t.encoded(6));

    ProducerTable reloaded = ProducerTable.load(stored, 2);
    var d = assertInstanceOf(ProducerTable.Duplicate.class, reloaded.check(5, 1));
    assertEquals(BatchRef.single(1, 4, 2), d.batch());
    // Producer 6 was used least recently before the reload, so it goes first after it too.
    assertEquals(List.of(6L), reloaded.remember(7, BatchRef.single(0, 6, 1), 13));
  }

  @Test
  void aMultiPartBatchKeepsEveryPartsOffsetsThroughStorage() {
    ProducerTable t = new ProducerTable(10);
    BatchRef parts =
        new BatchRef(0, List.of(new PartRef(7, 2), new PartRef(0, 1), new PartRef(9, 0)));
    t.remember(3, parts, 1);
    t.remember(3, BatchRef.single(1, 9, 4), 2);
    ProducerTable reloaded = ProducerTable.load(Map.of(3L, t.encoded(3)), 10);
    var d = assertInstanceOf(ProducerTable.Duplicate.class, reloaded.check(3, 0));
    assertEquals(parts, d.batch());
    assertEquals(
        BatchRef.single(1, 9, 4), ((ProducerTable.Duplicate) reloaded.check(3, 1)).batch());
    assertInstanceOf(ProducerTable.Accept.class, reloaded.check(3, 2));
  }
}
