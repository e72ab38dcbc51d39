package io.raftlog.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The trace of the slowest records: slowest first, with the records acknowledged with them. */
class SlowRecordsTest {
  @TempDir Path dir;

  @Test
  void slowestFirstWithTheirAckGroup() throws Exception {
    long ms = 1_000_000;
    SlowRecords slow = new SlowRecords(4, 0, 1_700_000_000_000L);
    // Records 0 and 2 go to stream a (shard 0), 1 and 3 to stream b; all of shard 0 acked at once.
    slow.sent(0, 0, 0);
    slow.sent(1, ms, ms);
    slow.sent(2, 2 * ms, 2 * ms);
    slow.sent(3, 3 * ms, 3 * ms);
    slow.acked(0, 50 * ms);
    slow.acked(2, 50 * ms + 10_000);
    slow.acked(1, 5 * ms);
    slow.acked(3, 9 * ms);
    Path file = dir.resolve("slow.tsv");
    slow.write(file, 3, new String[] {"a", "b"}, new ShardLayout(ShardLayoutTest.CLUSTER));
    List<String> lines = Files.readAllLines(file);
    assertEquals(5, lines.size(), lines::toString);
    String[] first = lines.get(2).split("\t");
    String[] second = lines.get(3).split("\t");
    String[] third = lines.get(4).split("\t");
    assertEquals(List.of("1", "0", "a"), List.of(first[0], first[1], first[2]));
    assertEquals("50.000", first[8]);
    assertEquals(List.of("2", "2", "a"), List.of(second[0], second[1], second[2]));
    assertEquals(first[9], second[9], "acknowledged together: one group");
    assertEquals("2", first[10]);
    assertEquals(List.of("0.000", "2.000"), List.of(first[11], first[12]));
    assertEquals("3", third[1]);
    assertEquals("1", third[10], "records 1 and 3 were acknowledged 4 ms apart");
    int shardOfA = new ShardLayout(ShardLayoutTest.CLUSTER).shardOf("a");
    assertEquals(String.valueOf(shardOfA), first[3]);
  }
}
