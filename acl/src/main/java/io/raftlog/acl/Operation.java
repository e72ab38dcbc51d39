package io.raftlog.acl;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** What an ACL line grants: one of the four kinds of call a principal may make. */
public enum Operation {
  /** Appends to a stream (Produce, ProduceStream, an OTLP export). */
  PRODUCE,
  /** Reads a stream and keeps named consumers' positions in it. */
  CONSUME,
  /** Creates, updates, truncates and deletes a stream. */
  ADMIN,
  /** Membership calls and reads of the whole cluster; concerns no stream. */
  CLUSTER;

  /** The name as the ACL file and the CLI write it: {@code produce}, {@code consume}, ... */
  public String word() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The operation {@code word} names, or null when it names none. */
  public static Operation of(String word) {
    for (Operation op : values()) {
      if (op.word().equals(word)) {
        return op;
      }
    }
    return null;
  }

  /** Every operation's word, for messages: {@code produce, consume, admin or cluster}. */
  public static String words() {
    String all = Arrays.stream(values()).map(Operation::word).collect(Collectors.joining(", "));
    int last = all.lastIndexOf(", ");
    return all.substring(0, last) + " or " + all.substring(last + 2);
  }

  /** What a principal does with this operation on {@code stream}, as a decision states it. */
  String on(String stream) {
    return this == CLUSTER ? "make cluster calls" : word() + " " + stream;
  }
}
