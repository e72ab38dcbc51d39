package io.raftlog.wire;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * Stream names and the slot each one hashes to: one rule for nodes and clients, so a client finds a
 * stream's shard without asking.
 */
public final class StreamNames {
  private StreamNames() {}

  /** The stream of a request that names none. */
  public static final String DEFAULT = "default";

  /** The longest name, in bytes. */
  public static final int MAX_BYTES = 255;

  /** How many slots stream names hash into; the catalog maps slots onto shards. */
  public static final int SLOT_COUNT = 4096;

  /** The rule, as error messages state it. */
  public static final String RULE = "1 to " + MAX_BYTES + " characters from A-Z a-z 0-9 . _ : / -";

  /** {@code name}, or {@link #DEFAULT} for an empty one. */
  public static String orDefault(String name) {
    return name == null || name.isEmpty() ? DEFAULT : name;
  }

  /** Null when {@code name} follows the rule; else what is wrong with it, in words. */
  public static String problem(String name) {
    if (name.isEmpty()) {
      return "the stream name is empty: use " + RULE;
    }
    if (name.length() > MAX_BYTES) {
      return "the stream name is " + name.length() + " characters long: use " + RULE;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (!allowed(c)) {
        return "the stream name '"
            + printable(name)
            + "' has "
            + describe(c)
            + " at position "
            + i
            + ": use "
            + RULE;
      }
    }
    return null;
  }

  /** Whether {@code name} follows the rule. */
  public static boolean isValid(String name) {
    return problem(name) == null;
  }

  /**
   * The slot of a stream: CRC-32 (IEEE) of its UTF-8 bytes, modulo {@link #SLOT_COUNT}. Clients in
   * other languages compute the same with zlib's crc32.
   */
  public static int slotOf(String name) {
    return slotOf(name, SLOT_COUNT);
  }

  /**
   * The slot of a stream in a map of {@code slotCount} slots (what a {@code GetCluster} answer
   * gives): CRC-32 (IEEE) of its UTF-8 bytes, modulo {@code slotCount}.
   */
  public static int slotOf(String name, int slotCount) {
    CRC32 crc = new CRC32();
    crc.update(name.getBytes(StandardCharsets.UTF_8));
    return (int) (crc.getValue() % slotCount);
  }

  /** Whether {@code c} may appear in a stream name. */
  public static boolean allowed(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '.'
        || c == '_'
        || c == ':'
        || c == '/'
        || c == '-';
  }

  private static String describe(char c) {
    return c < 0x20 || c > 0x7e
        ? String.format("the character U+%04X", (int) c)
        : "the character '" + c + "'";
  }

  private static String printable(String name) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < Math.min(name.length(), 64); i++) {
      char c = name.charAt(i);
      b.append(c < 0x20 || c > 0x7e ? '?' : c);
    }
    return name.length() > 64 ? b + "..." : b.toString();
  }
}
