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
 *   <li>{@code final}: {@code ok} lines only, one per page of the linearizable read of each whole
 *       stream at the end of the run ({@code offsets}, {@code values}; a stream with no records has
 *       one empty page). They are the checker's truth.
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
    FINAL;

    String json() {
      return name().toLowerCase();
    }
  }

  public static Op appendInvoke(long id, String node, String stream, String value) {
    return new Op(id, Type.INVOKE, F.APPEND, 0, node, stream, -1, 0, value, null, null, null, null);
  }

  public static Op appendOk(long id, String node, String stream, String value, long offset) {
    return new Op(id, Type.OK, F.APPEND, 0, node, stream, offset, 0, value, null, null, null, null);
  }

  /** {@code type} FAIL or UNKNOWN. */
  public static Op appendNotOk(
      long id, Type type, String node, String stream, String value, String code, String error) {
    return new Op(id, type, F.APPEND, 0, node, stream, -1, 0, value, null, null, code, error);
  }

  public static Op readInvoke(long id, String node, String stream, long offset, int max) {
    return new Op(
        id, Type.INVOKE, F.READ, 0, node, stream, offset, max, null, null, null, null, null);
  }

  public static Op readOk(
      long id, String node, String stream, long[] offsets, List<String> values) {
    return new Op(id, Type.OK, F.READ, 0, node, stream, -1, 0, null, offsets, values, null, null);
  }

  public static Op readFail(long id, String node, String stream, String code, String error) {
    return new Op(id, Type.FAIL, F.READ, 0, node, stream, -1, 0, null, null, null, code, error);
  }

  public static Op subscribeInvoke(long id, String node, String stream, long offset) {
    return new Op(
        id, Type.INVOKE, F.SUBSCRIBE, 0, node, stream, offset, 0, null, null, null, null, null);
  }

  public static Op delivered(long id, String node, String stream, long offset, String value) {
    return new Op(
        id, Type.OK, F.SUBSCRIBE, 0, node, stream, offset, 0, value, null, null, null, null);
  }

  public static Op subscribeFail(long id, String node, String stream, String code, String error) {
    return new Op(
        id, Type.FAIL, F.SUBSCRIBE, 0, node, stream, -1, 0, null, null, null, code, error);
  }

  public static Op finalPage(
      long id, String node, String stream, long[] offsets, List<String> values) {
    return new Op(id, Type.OK, F.FINAL, 0, node, stream, -1, 0, null, offsets, values, null, null);
  }

  /** This op stamped at {@code nanos}. */
  Op at(long nanos) {
    return new Op(
        id, type, f, nanos, node, stream, offset, max, value, offsets, values, code, error);
  }
}
