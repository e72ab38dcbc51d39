package io.raftlog.chaos.history;

import io.raftlog.chaos.history.Violation.Kind;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Judges a history file (see {@link Op}) in two streaming passes, so that memory grows with the
 * final log (16-24 bytes a record) and the operations in flight, never with the file.
 *
 * <ol>
 *   <li>The {@code final} lines: each stream's final log as a 64-bit hash of the value at each
 *       offset, and an index from value hash to (stream, offset). A value in the final log twice is
 *       remembered with all its places.
 *   <li>Every other line in file order (which is time order: {@link HistoryWriter} stamps lines as
 *       it writes them). Per stream it keeps the largest offset acknowledged so far, which is what
 *       a read or append invoked now must respect.
 * </ol>
 *
 * <p>Values identify appends: each append must send a value no other append sends (the chaos
 * workload's name their stream and number); the checker stops with a {@link HistoryFormatException}
 * if a value present in the final log is sent twice. Two different values whose 64-bit hashes
 * collide would be taken for one: with a few million values the chance is below one in a million
 * million.
 *
 * <p>Not thread-safe: one checker, one thread, one file at a time.
 */
public final class HistoryChecker {
  /** Violations kept with their message (all are counted). */
  private static final int KEEP = 1000;

  private static final int OFFSET_BITS = 40;
  private static final long OFFSET_MASK = (1L << OFFSET_BITS) - 1;

  private final Path file;
  private final Map<String, StreamState> streams = new HashMap<>();
  private final List<StreamState> byIndex = new ArrayList<>();
  private final LongLongMap finalIndex = new LongLongMap(1 << 16);
  private final Map<Long, long[]> repeated = new HashMap<>();
  private final Map<Kind, Long> counts = new EnumMap<>(Kind.class);
  private final List<Violation> first = new ArrayList<>();
  private final Map<Long, PendingAppend> appends = new HashMap<>();
  private final Map<Long, PendingRead> reads = new HashMap<>();
  private final Map<Long, Subscription> subscriptions = new HashMap<>();
  private long finalRecords;
  private long appendsOk;
  private long appendsFailed;
  private long appendsUnknown;
  private long readsDone;
  private long deliveries;

  private HistoryChecker(Path file) {
    this.file = file;
  }

  /**
   * Checks {@code file}.
   *
   * @throws HistoryFormatException if it is not a history (naming the line), or has no final reads
   */
  public static Verdict check(Path file) throws IOException, HistoryFormatException {
    return new HistoryChecker(file).run();
  }

  private Verdict run() throws IOException, HistoryFormatException {
    long t0 = System.nanoTime();
    HistoryReader reader = new HistoryReader(file);
    long ops =
        reader.forEach(
            (op, line) -> {
              if (op.f() == Op.F.FINAL) {
                indexFinal(op);
              }
            });
    if (byIndex.stream().noneMatch(s -> s.finalSeen)) {
      throw new HistoryFormatException(
          file + ": no final reads (f=final): the run ended before reading its streams back");
    }
    reader.forEach(this::judge);
    for (Map.Entry<Long, PendingAppend> e : appends.entrySet()) {
      unknownAppend(e.getKey(), e.getValue(), "never completed");
    }
    for (StreamState s : byIndex) {
      for (int off = 0; off < s.size; off++) {
        if (s.hashes[off] != 0 && !s.sent.get(off)) {
          violation(
              Kind.NEVER_SENT,
              s.name,
              off,
              s.name + " offset " + off + " holds a value no append sent");
        }
      }
    }
    return new Verdict(
        ops,
        appendsOk,
        appendsFailed,
        appendsUnknown,
        readsDone,
        deliveries,
        byIndex.size(),
        finalRecords,
        counts,
        first,
        (System.nanoTime() - t0) / 1_000_000);
  }

  // ---- pass 1: the final log ----

  private void indexFinal(Op op) {
    StreamState s = stream(op.stream());
    s.finalSeen = true;
    for (int i = 0; i < op.offsets().length; i++) {
      long off = op.offsets()[i];
      long h = hash(op.values().get(i));
      if (off < s.size) {
        if (s.hashes[(int) off] != h) {
          violation(
              Kind.FINAL_NOT_DENSE,
              s.name,
              off,
              s.name + " offset " + off + ": two final reads disagree (final op " + op.id() + ")");
        }
        continue;
      }
      if (off > s.size) {
        violation(
            Kind.FINAL_NOT_DENSE,
            s.name,
            off,
            s.name
                + ": the final read jumps from offset "
                + (s.size - 1)
                + " to "
                + off
                + " (final op "
                + op.id()
                + ")");
      }
      s.put(off, h);
      finalRecords++;
      long at = pack(s.index, off);
      long before = finalIndex.putIfAbsent(h, at);
      if (before >= 0) {
        long[] places = repeated.get(h);
        if (places == null) {
          places = new long[] {before};
        }
        places = Arrays.copyOf(places, places.length + 1);
        places[places.length - 1] = at;
        repeated.put(h, places);
      }
    }
  }

  // ---- pass 2: every other op, in time order ----

  private void judge(Op op, long line) throws HistoryFormatException {
    switch (op.f()) {
      case APPEND -> judgeAppend(op, line);
      case READ -> judgeRead(op, line);
      case SUBSCRIBE -> judgeSubscription(op, line);
      case FINAL -> {}
    }
  }

  private void judgeAppend(Op op, long line) throws HistoryFormatException {
    StreamState s = stream(op.stream());
    if (op.type() == Op.Type.INVOKE) {
      long h = hash(op.value());
      for (long at : places(h)) {
        StreamState in = byIndex.get((int) (at >>> OFFSET_BITS));
        int off = (int) (at & OFFSET_MASK);
        if (in.sent.get(off)) {
          throw new HistoryFormatException(
              file
                  + " line "
                  + line
                  + ": append op "
                  + op.id()
                  + " sends "
                  + quote(op.value())
                  + ", which an earlier append sent too; every append needs a value of its own");
        }
        in.sent.set(off);
      }
      appends.put(op.id(), new PendingAppend(s, op.value(), h, s.maxAcked, s.maxAckedOp));
      return;
    }
    PendingAppend a = appends.remove(op.id());
    if (a == null) {
      throw new HistoryFormatException(
          file + " line " + line + ": append op " + op.id() + " completes but was never invoked");
    }
    switch (op.type()) {
      case OK -> ackedAppend(op, a);
      case FAIL -> {
        appendsFailed++;
        long[] at = places(a.hash);
        if (at.length > 0) {
          violation(
              Kind.FAILED_PRESENT,
              a.stream.name,
              offsetOf(at[0]),
              "append op "
                  + op.id()
                  + " of "
                  + quote(a.value)
                  + " failed for certain ("
                  + op.code()
                  + ": "
                  + op.error()
                  + ") but is in the final log at "
                  + where(at));
        }
      }
      default -> unknownAppend(op.id(), a, op.code() + ": " + op.error());
    }
  }

  private void ackedAppend(Op op, PendingAppend a) {
    appendsOk++;
    StreamState s = a.stream;
    long offset = op.offset();
    if (a.mustExceed >= 0 && offset <= a.mustExceed) {
      violation(
          Kind.OFFSET_WENT_BACK,
          s.name,
          offset,
          s.name
              + ": append op "
              + op.id()
              + " got offset "
              + offset
              + ", but it was invoked after append op "
              + a.mustExceedOp
              + " was acknowledged at offset "
              + a.mustExceed);
    }
    if (offset > s.maxAcked) {
      s.maxAcked = offset;
      s.maxAckedOp = op.id();
    }
    long[] at = places(a.hash);
    if (at.length == 0) {
      violation(
          Kind.LOST,
          s.name,
          offset,
          s.name
              + " offset "
              + offset
              + ": append op "
              + op.id()
              + " of "
              + quote(a.value)
              + " was acknowledged there but is not in the final log"
              + (s.finalSeen ? "" : " (the stream has no final read)"));
    } else if (at.length > 1) {
      violation(
          Kind.DUPLICATED,
          s.name,
          offset,
          s.name
              + " offset "
              + offset
              + ": append op "
              + op.id()
              + " of "
              + quote(a.value)
              + " is in the final log "
              + at.length
              + " times: "
              + where(at));
    } else if (at[0] != pack(s.index, offset)) {
      violation(
          Kind.MISPLACED,
          s.name,
          offset,
          s.name
              + " offset "
              + offset
              + ": append op "
              + op.id()
              + " of "
              + quote(a.value)
              + " was acknowledged there but the final log has it at "
              + where(at));
    }
  }

  private void unknownAppend(long id, PendingAppend a, String why) {
    appendsUnknown++;
    long[] at = places(a.hash);
    if (at.length > 1) {
      violation(
          Kind.UNKNOWN_TWICE,
          a.stream.name,
          offsetOf(at[0]),
          "append op "
              + id
              + " of "
              + quote(a.value)
              + " (outcome unknown: "
              + why
              + ") is in the final log "
              + at.length
              + " times: "
              + where(at));
    }
  }

  private void judgeRead(Op op, long line) throws HistoryFormatException {
    StreamState s = stream(op.stream());
    if (op.type() == Op.Type.INVOKE) {
      reads.put(
          op.id(), new PendingRead(s, op.node(), op.offset(), op.max(), s.maxAcked, s.maxAckedOp));
      return;
    }
    PendingRead r = reads.remove(op.id());
    if (r == null) {
      throw new HistoryFormatException(
          file + " line " + line + ": read op " + op.id() + " completes but was never invoked");
    }
    readsDone++;
    String who = "read op " + op.id() + " on " + r.node;
    if (op.type() == Op.Type.OK) {
      int n = op.offsets().length;
      for (int i = 0; i < n; i++) {
        long off = op.offsets()[i];
        if (off != r.offset + i) {
          violation(
              Kind.DIRTY_READ,
              s.name,
              off,
              s.name
                  + ": "
                  + who
                  + " from offset "
                  + r.offset
                  + " returned offset "
                  + off
                  + " in place "
                  + i);
          break;
        }
        if (!matchesFinal(s, off, op.values().get(i), who)) {
          break;
        }
      }
      if (r.required >= r.offset && n < r.max && r.offset + n <= r.required) {
        violation(
            Kind.STALE_READ,
            s.name,
            r.required,
            s.name
                + ": "
                + who
                + " from offset "
                + r.offset
                + " returned "
                + n
                + " of at most "
                + r.max
                + " records, ending before offset "
                + r.required
                + ", which append op "
                + r.requiredOp
                + " had been acknowledged at before the read was invoked");
      }
    } else if (r.required >= 0
        && (("OUT_OF_RANGE".equals(op.code()) && r.offset <= r.required + 1)
            || "NOT_FOUND".equals(op.code()))) {
      violation(
          Kind.STALE_READ,
          s.name,
          r.required,
          s.name
              + ": "
              + who
              + " from offset "
              + r.offset
              + " answered "
              + op.code()
              + " ("
              + op.error()
              + "), but append op "
              + r.requiredOp
              + " had been acknowledged at"
              + " offset "
              + r.required
              + " before the read was invoked");
    }
  }

  private void judgeSubscription(Op op, long line) throws HistoryFormatException {
    StreamState s = stream(op.stream());
    switch (op.type()) {
      case INVOKE -> subscriptions.put(op.id(), new Subscription(s, op.offset()));
      case OK -> {
        Subscription sub = subscriptions.get(op.id());
        if (sub == null) {
          throw new HistoryFormatException(
              file
                  + " line "
                  + line
                  + ": subscription "
                  + op.id()
                  + " delivers but was never opened (or had ended)");
        }
        deliveries++;
        String who = "subscription " + op.id();
        if (op.offset() != sub.next) {
          violation(
              Kind.SUBSCRIPTION_GAP,
              s.name,
              op.offset(),
              s.name
                  + ": "
                  + who
                  + " delivered offset "
                  + op.offset()
                  + " where offset "
                  + sub.next
                  + " was next");
        }
        sub.next = op.offset() + 1;
        matchesFinal(s, op.offset(), op.value(), who);
      }
      default -> subscriptions.remove(op.id());
    }
  }

  /** Whether {@code value} is what the final log holds at {@code offset}; a DIRTY_READ if not. */
  private boolean matchesFinal(StreamState s, long offset, String value, String who) {
    if (offset < s.size && s.hashes[(int) offset] == hash(value)) {
      return true;
    }
    long[] at = places(hash(value));
    violation(
        Kind.DIRTY_READ,
        s.name,
        offset,
        s.name
            + " offset "
            + offset
            + ": "
            + who
            + " returned "
            + quote(value)
            + ", which the final log "
            + (at.length == 0 ? "does not hold at all" : "holds at " + where(at))
            + (offset < s.size ? "" : " (the final log ends at offset " + (s.size - 1) + ")"));
    return false;
  }

  // ---- helpers ----

  private void violation(Kind kind, String stream, long offset, String message) {
    counts.merge(kind, 1L, Long::sum);
    if (first.size() < KEEP) {
      first.add(new Violation(kind, stream, offset, message));
    }
  }

  private StreamState stream(String name) {
    return streams.computeIfAbsent(
        name,
        n -> {
          StreamState s = new StreamState(byIndex.size(), n);
          byIndex.add(s);
          return s;
        });
  }

  /** Every place of the final log that holds the value with hash {@code h}. */
  private long[] places(long h) {
    long[] many = repeated.get(h);
    if (many != null) {
      return many;
    }
    long at = finalIndex.get(h);
    return at < 0 ? new long[0] : new long[] {at};
  }

  private String where(long[] places) {
    StringBuilder b = new StringBuilder();
    for (long at : places) {
      if (b.length() > 0) {
        b.append(", ");
      }
      b.append(byIndex.get((int) (at >>> OFFSET_BITS)).name)
          .append(" offset ")
          .append(offsetOf(at));
    }
    return b.toString();
  }

  private static long offsetOf(long at) {
    return at & OFFSET_MASK;
  }

  private static long pack(int stream, long offset) {
    return ((long) stream << OFFSET_BITS) | offset;
  }

  private static String quote(String value) {
    return "'" + (value.length() > 40 ? value.substring(0, 40) + "…" : value) + "'";
  }

  /** FNV-1a over the characters, then MurmurHash3's finalizer; never 0 (the index's empty key). */
  static long hash(String value) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < value.length(); i++) {
      h ^= value.charAt(i);
      h *= 0x100000001b3L;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb93fe1a85ec9L;
    h ^= h >>> 33;
    return h == 0 ? 1 : h;
  }

  /** One stream: its final log (value hash by offset, 0 for a hole) and what was acknowledged. */
  private static final class StreamState {
    final int index;
    final String name;
    long[] hashes = new long[16];
    int size;
    final BitSet sent = new BitSet();
    boolean finalSeen;
    long maxAcked = -1;
    long maxAckedOp = -1;

    StreamState(int index, String name) {
      this.index = index;
      this.name = name;
    }

    void put(long offset, long h) {
      if (offset >= Integer.MAX_VALUE - 8) {
        throw new IllegalStateException(name + ": offset " + offset + " is beyond the checker");
      }
      int off = (int) offset;
      if (off >= hashes.length) {
        hashes = Arrays.copyOf(hashes, Math.max(off + 1, hashes.length * 2));
      }
      hashes[off] = h;
      size = off + 1;
    }
  }

  /** An append invoked and not yet completed; {@code mustExceed}: largest offset acked before. */
  private record PendingAppend(
      StreamState stream, String value, long hash, long mustExceed, long mustExceedOp) {}

  /** A read invoked and not yet completed; {@code required}: largest offset acked before. */
  private record PendingRead(
      StreamState stream, String node, long offset, int max, long required, long requiredOp) {}

  /** An open subscription and the offset it must deliver next. */
  private static final class Subscription {
    final StreamState stream;
    long next;

    Subscription(StreamState stream, long next) {
      this.stream = stream;
      this.next = next;
    }
  }
}
