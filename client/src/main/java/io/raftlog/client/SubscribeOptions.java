package io.raftlog.client;

import io.raftlog.api.v1.Consistency;
import io.raftlog.api.v1.OffsetReset;
import io.raftlog.wire.StreamNames;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Where a {@link Subscription} starts and how it reads, for {@link RaftlogClient#subscribe(String,
 * SubscribeOptions)}. Immutable: a start ({@link #fromOffset}, {@link #fromEarliest}, {@link
 * #fromLatest}, {@link #fromTime}, or {@link #consumer}), then {@code with...} calls that each
 * answer a changed copy.
 *
 * <pre>{@code
 * SubscribeOptions.consumer("billing")                 // its committed offset, else the earliest
 * SubscribeOptions.fromLatest().withConsumer("audit")  // its committed offset, else the latest
 * SubscribeOptions.fromTime(Instant.parse("2026-12-05T10:00:00Z"))
 * SubscribeOptions.fromOffset(42).withReset(OffsetReset.OFFSET_RESET_EARLIEST)
 * }</pre>
 *
 * <p>The reset policy says what happens when the subscription's position is below the stream's
 * first offset (retention or a truncation removed the records, also while it reads): {@code
 * OFFSET_RESET_FAIL} (the default) makes {@link Subscription#poll} throw {@code OUT_OF_RANGE} with
 * the server's message; {@code OFFSET_RESET_EARLIEST} goes on from the first record still held;
 * {@code OFFSET_RESET_LATEST} from the records appended after that moment.
 */
public final class SubscribeOptions {
  /** How often a consumer's subscription commits what it handed out, by default. */
  public static final Duration DEFAULT_COMMIT_INTERVAL = Duration.ofSeconds(5);

  /** What a start names. */
  enum Start {
    OFFSET,
    EARLIEST,
    LATEST,
    TIME
  }

  private final Start start;
  private final long value; // the offset (OFFSET) or milliseconds since the epoch (TIME)
  private final OffsetReset reset;
  private final Consistency consistency;
  private final String consumer;
  private final Duration commitInterval;

  private SubscribeOptions(
      Start start,
      long value,
      OffsetReset reset,
      Consistency consistency,
      String consumer,
      Duration commitInterval) {
    this.start = start;
    this.value = value;
    this.reset = reset;
    this.consistency = consistency;
    this.consumer = consumer;
    this.commitInterval = commitInterval;
  }

  private static SubscribeOptions of(Start start, long value) {
    return new SubscribeOptions(
        start,
        value,
        OffsetReset.OFFSET_RESET_FAIL,
        Consistency.LINEARIZABLE,
        null,
        DEFAULT_COMMIT_INTERVAL);
  }

  /** From {@code offset} (0 is the first record a stream ever held). */
  public static SubscribeOptions fromOffset(long offset) {
    if (offset < 0) {
      throw new IllegalArgumentException("offset must be >= 0, got " + offset);
    }
    return of(Start.OFFSET, offset);
  }

  /** From the stream's first record still held (its first offset). */
  public static SubscribeOptions fromEarliest() {
    return of(Start.EARLIEST, 0);
  }

  /** From the stream's next offset: only records appended after the subscription starts. */
  public static SubscribeOptions fromLatest() {
    return of(Start.LATEST, 0);
  }

  /**
   * From the first record whose timestamp is at or after {@code time} (the stream's next offset if
   * none is yet). The time is looked up once, when the subscription starts; it then goes on by
   * offset, through reconnects too.
   */
  public static SubscribeOptions fromTime(Instant time) {
    return of(Start.TIME, time.toEpochMilli());
  }

  /**
   * As the named consumer: from its committed offset, or from the stream's first record if it has
   * never committed ({@link #fromEarliest()}{@code .withConsumer(name)}; start a new consumer
   * elsewhere with another start and {@link #withConsumer}).
   */
  public static SubscribeOptions consumer(String name) {
    return fromEarliest().withConsumer(name);
  }

  /**
   * The same options as the named consumer: the subscription starts from the consumer's committed
   * offset (this start only if it has none), and commits the position it reached: at a {@link
   * Subscription#poll} once the commit interval has passed since the last commit (what earlier
   * polls handed out, which the caller has come back from: at least once), on {@link
   * Subscription#commit()}, and on {@link Subscription#close()}.
   *
   * @throws IllegalArgumentException if {@code name} breaks the stream-name rule
   */
  public SubscribeOptions withConsumer(String name) {
    if (name == null) {
      throw new IllegalArgumentException("the consumer name is null: use " + StreamNames.RULE);
    }
    String problem = StreamNames.problem(name);
    if (problem != null) {
      throw new IllegalArgumentException("consumer name: " + problem);
    }
    return new SubscribeOptions(start, value, reset, consistency, name, commitInterval);
  }

  /** The same options with the reset policy {@code reset} (default {@code OFFSET_RESET_FAIL}). */
  public SubscribeOptions withReset(OffsetReset reset) {
    if (reset == null || reset == OffsetReset.UNRECOGNIZED) {
      throw new IllegalArgumentException("reset must be FAIL, EARLIEST or LATEST, got " + reset);
    }
    return new SubscribeOptions(start, value, reset, consistency, consumer, commitInterval);
  }

  /**
   * The same options reading with {@code consistency} (default {@code LINEARIZABLE}; with {@code
   * LOCAL} a resumed stream starts from what its new node has applied).
   */
  public SubscribeOptions withConsistency(Consistency consistency) {
    if (consistency == null || consistency == Consistency.UNRECOGNIZED) {
      throw new IllegalArgumentException("consistency must be LINEARIZABLE or LOCAL");
    }
    return new SubscribeOptions(start, value, reset, consistency, consumer, commitInterval);
  }

  /**
   * The same options committing at most this often (default 5 s; zero: at every poll that has
   * something new to commit). Only a consumer's subscription commits.
   */
  public SubscribeOptions withCommitInterval(Duration interval) {
    if (interval == null || interval.isNegative()) {
      throw new IllegalArgumentException("commit interval must be >= 0, got " + interval);
    }
    return new SubscribeOptions(start, value, reset, consistency, consumer, interval);
  }

  Start start() {
    return start;
  }

  /** The offset of an {@code OFFSET} start, the time (ms) of a {@code TIME} start. */
  long value() {
    return value;
  }

  public OffsetReset reset() {
    return reset;
  }

  public Consistency consistency() {
    return consistency;
  }

  /** The consumer's name, or null when the subscription is not a named consumer's. */
  public String consumer() {
    return consumer;
  }

  public Duration commitInterval() {
    return commitInterval;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SubscribeOptions s
        && start == s.start
        && value == s.value
        && reset == s.reset
        && consistency == s.consistency
        && Objects.equals(consumer, s.consumer)
        && commitInterval.equals(s.commitInterval);
  }

  @Override
  public int hashCode() {
    return Objects.hash(start, value, reset, consistency, consumer, commitInterval);
  }

  @Override
  public String toString() {
    String from =
        switch (start) {
          case OFFSET -> "offset " + value;
          case EARLIEST -> "earliest";
          case LATEST -> "latest";
          case TIME -> Instant.ofEpochMilli(value).toString();
        };
    return (consumer == null ? "" : "consumer " + consumer + ", else ")
        + "from "
        + from
        + ", reset "
        + reset
        + ", "
        + consistency
        + (consumer == null ? "" : ", commit every " + ClientSetting.human(commitInterval));
  }
}
