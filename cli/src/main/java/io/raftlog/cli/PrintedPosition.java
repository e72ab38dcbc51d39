package io.raftlog.cli;

import io.grpc.Status;
import io.raftlog.client.RaftlogClient;
import io.raftlog.client.RaftlogException;
import io.raftlog.client.SubscribeOptions;

/**
 * Where {@code consume} is in its stream: the offset after the last record it read, printed or left
 * out by {@code --severity} / {@code --where}, which it commits for a named consumer once the
 * records are flushed. Exactly what was read and printed, no more: a restart with the same consumer
 * neither skips nor repeats a record (unless the process died between a print and its commit); a
 * record a filter left out is not offered again to that consumer, whatever filters it runs with
 * next. Used by the command's one thread.
 */
final class PrintedPosition {
  private final RaftlogClient client;
  private final String stream;
  private final String consumer; // null: nothing is committed
  private long committed; // -1: the consumer had none
  private long position;

  private PrintedPosition(
      RaftlogClient client, String stream, String consumer, long committed, long position) {
    this.client = client;
    this.stream = stream;
    this.consumer = consumer;
    this.committed = committed;
    this.position = position;
  }

  /**
   * Where to start: the consumer's committed offset if it has one, else the offset {@code how}
   * names now.
   */
  static PrintedPosition start(
      RaftlogClient client, String stream, String consumer, SubscribeOptions how) {
    long committed = -1;
    if (consumer != null) {
      try {
        committed = client.getConsumer(stream, consumer).getCommittedOffset();
      } catch (RaftlogException e) {
        if (e.code() != Status.Code.NOT_FOUND) {
          throw e;
        }
      }
    }
    long start = committed >= 0 ? committed : client.startOffset(stream, how);
    return new PrintedPosition(client, stream, consumer, committed, start);
  }

  long position() {
    return position;
  }

  /**
   * Records up to {@code next} (exclusive) are read, and those kept printed and flushed: commit.
   */
  void printed(long next) {
    position = next;
    commit();
  }

  /** Commits the position for the consumer, if there is one and it moved. */
  void commit() {
    if (consumer != null && position != committed) {
      committed = client.commitOffset(stream, consumer, position, false).getCommittedOffset();
    }
  }

  /** What was committed, for the line printed when interrupted. */
  String describe() {
    return consumer == null
        ? "stopped at offset " + position
        : "consumer " + consumer + " committed offset " + committed;
  }
}
