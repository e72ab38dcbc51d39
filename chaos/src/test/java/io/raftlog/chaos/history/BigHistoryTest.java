package io.raftlog.chaos.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checker's streaming design holds on a history several times larger than its heap: a synthetic
 * chaos history ({@link SyntheticHistory}, 200,000 appends over 100 streams, about 100 MB) with one
 * lost append seeded halfway is judged by {@code CheckHistoryMain} in a JVM of its own with a heap
 * that fits the final log's index but not the file, and reports exactly that loss. Holding the
 * file, or the ops, in memory runs it out of heap (exit 2); a false violation anywhere in the
 * history shows as a second one.
 *
 * <p>{@code -Dhistory.big.appends=3600000} runs it at the size of a 30-minute chaos run at 2,000
 * appends a second (1,000 streams, 1.6 GB); the heap grows with the final log.
 */
class BigHistoryTest {
  /** Heap for the JVM's own use and the reader, whatever the size. */
  private static final long BASE_HEAP_MB = 32;

  /** Heap per final record: the index needs about 50 bytes; twice that, for a loaded machine. */
  private static final long BYTES_PER_RECORD = 100;

  /** Far above the 2-3 s it takes: the machine may be shared with other builds. */
  private static final long MAX_CHECK_SECONDS = 90;

  private static final Pattern COUNT = Pattern.compile(" (\\w+)=(\\d+)");

  @TempDir Path dir;

  @Test
  void bigHistoryIsJudgedInBoundedHeapAndItsOneLossFound() throws Exception {
    long appends = Long.getLong("history.big.appends", 200_000);
    int streams = appends >= 1_000_000 ? 1000 : 100;
    SyntheticHistory history = new SyntheticHistory(streams, appends);
    Path file = dir.resolve("history.jsonl");
    long lost = history.write(file, true);
    long heapMb = BASE_HEAP_MB + appends * BYTES_PER_RECORD / (1 << 20);
    assertTrue(
        Files.size(file) > 3 * (heapMb << 20) / 2,
        () -> "the history must dwarf the heap to show it is streamed: " + file);

    String out = checkInOwnJvm(file, heapMb, 1);

    String verdict = out.lines().findFirst().orElse("");
    assertEquals(1, count(verdict, "violations"), out);
    assertEquals(1, count(verdict, "lost"), out);
    assertTrue(out.contains("LOST: "), out);
    assertTrue(out.contains("append op " + lost + " of 'lost|" + lost + "'"), out);
    assertEquals(history.ops(true), count(verdict, "ops"), verdict);
    assertEquals(appends + 1, count(verdict, "appends_ok"), verdict);
    assertEquals(appends, count(verdict, "final_records"), verdict);
    assertEquals(streams, count(verdict, "streams"), verdict);
    assertTrue(count(verdict, "checked_ms") < MAX_CHECK_SECONDS * 1000, verdict);

    // A quarter of that heap cannot hold the index: "cannot judge" (2), never "violations" (1).
    String starved = checkInOwnJvm(file, heapMb / 4, 2);
    assertTrue(starved.startsWith("history: out of memory judging "), starved);
  }

  /**
   * What {@code scripts/check-history.sh} prints for {@code file}, judged in {@code heapMb}; it
   * must exit with {@code exit}.
   */
  private String checkInOwnJvm(Path file, long heapMb, int exit)
      throws IOException, InterruptedException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Path output = dir.resolve("verdict-" + heapMb + "m.txt");
    Process p =
        new ProcessBuilder(
                java.toString(),
                "-Xmx" + heapMb + "m",
                "-cp",
                System.getProperty("java.class.path"),
                CheckHistoryMain.class.getName(),
                file.toString())
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .start();
    boolean ended = p.waitFor(2 * MAX_CHECK_SECONDS, TimeUnit.SECONDS);
    if (!ended) {
      p.destroyForcibly().waitFor();
    }
    String out = Files.readString(output, StandardCharsets.UTF_8);
    assertTrue(ended, () -> "the check did not end in " + 2 * MAX_CHECK_SECONDS + " s: " + out);
    assertEquals(exit, p.exitValue(), () -> "in " + heapMb + " MB: " + out);
    return out;
  }

  /** The number named {@code key} in the verdict line; -1 if absent. */
  private static long count(String verdict, String key) {
    Matcher m = COUNT.matcher(verdict);
    while (m.find()) {
      if (m.group(1).equals(key)) {
        return Long.parseLong(m.group(2));
      }
    }
    return -1;
  }
}
