package io.raftlog.chaos.history;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code scripts/check-history.sh FILE}: judges one history file, prints the verdict line and up to
 * 20 violations; exit 0 when it holds none, 1 on violations, 2 when the file cannot be judged.
 */
public final class CheckHistoryMain {
  static final int SHOWN = 20;

  private CheckHistoryMain() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length != 1 || args[0].startsWith("-")) {
      err.println("usage: check-history.sh FILE   (a chaos run's history.jsonl)");
      return 2;
    }
    Path file = Path.of(args[0]);
    if (!Files.isRegularFile(file)) {
      err.println("history: " + file + " is not a file");
      return 2;
    }
    Verdict v;
    try {
      v = HistoryChecker.check(file);
    } catch (HistoryFormatException e) {
      err.println("history: cannot judge " + e.getMessage());
      return 2;
    } catch (IOException e) {
      err.println("history: cannot read " + file + ": " + e);
      return 2;
    } catch (OutOfMemoryError e) {
      // not a verdict: exit 2 rather than the JVM's 1, which would read as "violations"
      err.println(
          "history: out of memory judging "
              + file
              + " (the final log needs about 50 bytes a record): give it more heap,"
              + " e.g. CHECK_HISTORY_HEAP=2g");
      return 2;
    }
    out.println(v.line());
    v.first().stream().limit(SHOWN).forEach(x -> out.println("  " + x));
    if (v.violations() > SHOWN) {
      out.println("  ... and " + (v.violations() - SHOWN) + " more");
    }
    return v.ok() ? 0 : 1;
  }
}
