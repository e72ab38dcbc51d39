package io.raftlog.client;

import io.raftlog.wire.StreamNames;

/**
 * The client's check of a stream name before any call: a bad name fails on the caller's thread with
 * the rule in words ({@link StreamNames}), never as a round trip to a node.
 */
final class StreamNameCheck {
  private StreamNameCheck() {}

  /**
   * {@code name} if it is a valid stream name.
   *
   * @throws IllegalArgumentException saying what is wrong with it
   */
  static String checkStream(String name) {
    if (name == null) {
      throw new IllegalArgumentException("the stream name is null: use " + StreamNames.RULE);
    }
    String problem = StreamNames.problem(name);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
    return name;
  }
}
