package io.raftlog.chaos.history;

import java.util.List;

/**
 * One event of a chaos history: one JSON line of {@code history.jsonl}. An operation is an {@code
 * invoke} line and, later, the completion lines with the same {@code id}.
 *
 * <p>The lines, by {@code f}:
 *
 * <ul>
 *   <li>{@code append}: {@code invoke} (stream, value) when the producer is handed the record; then
 *       one of {@code ok} (with the acknowledged {@code offset}), {@code fail} (the append
 *       certainly did not happen) or {@code unknown} (it may or may not have happened), each with
 *       the stream (the value is the invoke's; writing it again is optional) and {@code
 *       code}/{@code error} on fail and unknown. {@link AppendOutcome} decides fail against
 *       unknown.
 *   <li>{@code read}: a linearizable {@code Consume}: {@code invoke} (node asked, stream, start
 *       {@code offset}, {@code max} records), then {@code ok} with {@code offsets} and {@code
 *       values}, or {@code fail} with {@code code} and {@code error}.
 *   <li>{@code subscribe}: {@code invoke} (stream, start {@code offset}) when a subscription opens;
 *       one {@code ok} line per record it delivers (its {@code offset} and {@code value}); {@code
 *       fail} when it gives up. A later subscription of the same stream is a new id.
 *   <li>{@code truncate}: {@code invoke} (stream, {@code offset}: records below it are to go), then
 *       {@code ok} with the stream's first {@code offset} the log answered, or {@code fail} /
 *       {@code unknown} with {@code code} and {@code error}.
 *   <li>{@code commit}: a named {@code consumer}'s commit: {@code invoke} (stream, consumer, the
 *       {@code offset} committed, never forced), then {@code ok} with the committed {@code offset}
 *       the log answered, or {@code fail} / {@code unknown}.
 *   <li>{@code position}: a named consumer's committed offset read back (a linearizable {@code
 *       GetConsumer}, as a restarted reader does): {@code invoke} (stream, consumer), then {@code
 *       ok} with the committed {@code offset}, or {@code fail} ({@code NOT_FOUND}: none committed
 *       yet).
 *   <li>{@code final}: {@code ok} lines only. Without a consumer: one per page of the linearizable
 *       read of each whole stream at the end of the run, from the stream's first offset ({@code
 *       offsets}, {@code values}, and that first {@code offset}, 0 if absent; a stream with no
 *       records has one empty page). With a {@code consumer}: its committed {@code offset} at the
 *       end (absent if it has none). They are the checker's truth.
 * </ul>
 *
 * <p>{@code time} is nanoseconds since the history was opened, taken when the line is written (so
 * the file is in time order); {@code node} is the node asked or the leader that served, or {@code
 * "client"} when the client chose the node and does not say which. A value is the record's bytes,
 * one character per byte (ISO-8859-1): the chaos workload's values are ASCII text. Fields that do
 * not apply are absent: {@code offset} -1, {@code max} 0, strings and lists null.
 */
public record Op(
    long id,
    Type type,
    F f,
    long time,
    String node,
    String stream,
    String consumer,
    long offset,
    int max,
    String value,
    long[] offsets,
    List<String> values,
    String code,
    String error) {

  /** What a line says about its operation. */
  public enum Type {
    INVOKE,
    OK,
    FAIL,
    UNKNOWN;

    String json() {
      return name().toLowerCase();
    }
  }

  /** The operation's function. */
  public enum F {
    APPEND,
    READ,
    SUBSCRIBE,
    TRUNCATE,
    COMMIT,
    POSITION,
    FINAL;

    String json() {
      return name().toLowerCase();
    }
  }

  public static Op appendInvoke(long id, String node, String stream, String value) {
    return new Op(
        id, Type.INVOKE, F.APPEND, 0, node, stream, null, -1, 0, value, null, null, null, null);
  }

  public static Op appendOk(long id, String node, String stream, String value, long offset) {
    return new Op(
        id, Type.OK, F.APPEND, 0, node, stream, null, offset, 0, value, null, null, null, null);
  }

  /** {@code type} FAIL or UNKNOWN. */
  public static Op appendNotOk(
      long id, Type type, String node, String stream, String value, String code, String error) {
    return new Op(id, type, F.APPEND, 0, node, stream, null, -1, 0, value, null, null, code, error);
  }

  public static Op readInvoke(long id, String node, String stream, long offset, int max) {
    return new Op(
        id, Type.INVOKE, F.READ, 0, node, stream, null, offset, max, null, null, null, null, null);
  }

  public static Op readOk(
      long id, String node, String stream, long[] offsets, List<String> values) {
    return new Op(
        id, Type.OK, F.READ, 0, node, stream, null, -1, 0, null, offsets, values, null, null);
  }

  public static Op readFail(long id, String node, String stream, String code, String error) {
    return new Op(
        id, Type.FAIL, F.READ, 0, node, stream, null, -1, 0, null, null, null, code, error);
  }

  public static Op subscribeInvoke(long id, String node, String stream, long offset) {
    return new Op(
        id,
        Type.INVOKE,
        F.SUBSCRIBE,
        0,
        node,
        stream,
        null,
        offset,
        0,
        null,
        null,
        null,
        null,
        null);
  }

  public static Op delivered(long id, String node, String stream, long offset, String value) {
    return new Op(
        id, Type.OK, F.SUBSCRIBE, 0, node, stream, null, offset, 0, value, null, null, null, null);
  }

  public static Op subscribeFail(long id, String node, String stream, String code, String error) {
    return new Op(
        id, Type.FAIL, F.SUBSCRIBE, 0, node, stream, null, -1, 0, null, null, null, code, error);
  }

  /** A page of a stream's final read, from offset 0 of a stream that was never truncated. */
  public static Op finalPage(
      long id, String node, String stream, long[] offsets, List<String> values) {
    return finalPage(id, node, stream, 0, offsets, values);
  }

  /** A page of a stream's final read; {@code first}: the stream's first offset. */
  public static Op finalPage(
      long id, String node, String stream, long first, long[] offsets, List<String> values) {
    return new Op(
        id, Type.OK, F.FINAL, 0, node, stream, null, first, 0, null, offsets, values, null, null);
  }

  /** A consumer's committed offset at the end of the run; -1 if it has none. */
  public static Op finalPosition(long id, String node, String stream, String consumer, long at) {
    return new Op(
        id, Type.OK, F.FINAL, 0, node, stream, consumer, at, 0, null, null, null, null, null);
  }

  public static Op truncateInvoke(long id, String node, String stream, long beforeOffset) {
    return new Op(
        id,
        Type.INVOKE,
        F.TRUNCATE,
        0,
        node,
        stream,
        null,
        beforeOffset,
        0,
        null,
        null,
        null,
        null,
        null);
  }

  /** {@code firstOffset}: the stream's first offset as the truncate answered it. */
  public static Op truncateOk(long id, String node, String stream, long firstOffset) {
    return new Op(
        id,
        Type.OK,
        F.TRUNCATE,
        0,
        node,
        stream,
        null,
        firstOffset,
        0,
        null,
        null,
        null,
        null,
        null);
  }

  public static Op commitInvoke(long id, String node, String stream, String consumer, long at) {
    return new Op(
        id, Type.INVOKE, F.COMMIT, 0, node, stream, consumer, at, 0, null, null, null, null, null);
  }

  /** {@code committed}: the consumer's committed offset as the commit answered it. */
  public static Op commitOk(long id, String node, String stream, String consumer, long committed) {
    return new Op(
        id, Type.OK, F.COMMIT, 0, node, stream, consumer, committed, 0, null, null, null, null,
        null);
  }

  public static Op positionInvoke(long id, String node, String stream, String consumer) {
    return new Op(
        id,
        Type.INVOKE,
        F.POSITION,
        0,
        node,
        stream,
        consumer,
        -1,
        0,
        null,
        null,
        null,
        null,
        null);
  }

  public static Op positionOk(
      long id, String node, String stream, String consumer, long committed) {
    return new Op(
        id,
        Type.OK,
        F.POSITION,
        0,
        node,
        stream,
        consumer,
        committed,
        0,
        null,
        null,
        null,
        null,
        null);
  }

  /**
   * A {@code truncate}, {@code commit} or {@code position} that did not answer: {@code type} FAIL
   * (it certainly did not happen) or UNKNOWN; {@code consumer} null for a truncate.
   */
  public static Op notOk(
      long id,
      Type type,
      F f,
      String node,
      String stream,
      String consumer,
      String code,
      String error) {
    return new Op(id, type, f, 0, node, stream, consumer, -1, 0, null, null, null, code, error);
  }

  /** This op stamped at {@code nanos}. */
  Op at(long nanos) {
    return new Op(
        id, type, f, nanos, node, stream, consumer, offset, max, value, offsets, values, code,
        error);
  }
}
