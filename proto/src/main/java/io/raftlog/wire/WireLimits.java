package io.raftlog.wire;

/** The numbers of raftlog's wire contract that nodes enforce and clients plan by. */
public final class WireLimits {
  private WireLimits() {}

  /** Records a {@code Consume} answers when the request leaves {@code max_records} at 0. */
  public static final int DEFAULT_MAX_RECORDS = 100;

  /** The most records one {@code Consume} answer or stream response holds. */
  public static final int MAX_RECORDS = 10_000;

  /**
   * The batches a node remembers per idempotent producer: a retry of any of the producer's last
   * this many batches is answered with its original offsets. A producer therefore keeps at most
   * this many batches in flight, or a retry could fall out of the window.
   */
  public static final int IDEMPOTENCE_WINDOW = 5;
}
