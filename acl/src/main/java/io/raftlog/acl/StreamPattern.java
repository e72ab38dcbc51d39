package io.raftlog.acl;

/**
 * The streams of an ACL line: a stream's exact name, a prefix ending in {@code *} ({@code
 * orders.*}: every stream whose name starts with {@code orders.}), or {@code *} alone: every
 * stream. Immutable.
 */
final class StreamPattern {
  private final String text;
  private final String prefix; // null for an exact name

  private StreamPattern(String text, String prefix) {
    this.text = text;
    this.prefix = prefix;
  }

  /** The pattern {@code text} writes, or null (with {@code problem} set) when it is not one. */
  static StreamPattern parse(String text, StringBuilder problem) {
    int star = text.indexOf('*');
    if (star >= 0 && star != text.length() - 1) {
      problem.append(
          "stream pattern '"
              + text
              + "' has a * before its end: write an exact name, a prefix ending in *, or * alone");
      return null;
    }
    return new StreamPattern(text, star < 0 ? null : text.substring(0, star));
  }

  boolean covers(String stream) {
    return prefix == null ? text.equals(stream) : stream.startsWith(prefix);
  }

  /** Whether this is {@code *} alone: every stream. */
  boolean all() {
    return "".equals(prefix);
  }

  @Override
  public String toString() {
    return text;
  }
}
