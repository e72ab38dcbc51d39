package io.raftlog.chaos.history;

import com.carrotsearch.hppc.BufferAllocationException;
import com.carrotsearch.hppc.LongLongHashMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The index of the final log that every judge consults: each stream's final log as a 64-bit hash of
 * the value at each offset (8 bytes a record), and an index from value hash to the one place
 * (stream and offset, packed in a long) that holds it, with a side table for the rare value held in
 * several places. {@link FinalReadJudge} fills it in the first pass; the other judges only read it,
 * except for marking which places an append sent ({@link #markSent}).
 *
 * <p>Every stream the history names is registered here, in the order first seen, final read or not:
 * {@link Stream#index} is its number in the packed places.
 *
 * <p>Two different values whose 64-bit hashes collide would be taken for one: with a few million
 * values the chance is below one in a million million. Not thread-safe: the checker's thread.
 */
final class FinalLog {
  private static final int OFFSET_BITS = 40;
  private static final long OFFSET_MASK = (1L << OFFSET_BITS) - 1;
  private static final long[] NOWHERE = new long[0];

  private final Map<String, Stream> streams = new HashMap<>();
  private final List<Stream> byIndex = new ArrayList<>();

  /**
   * Value hash to its first place. A primitive map: millions of entries as boxed {@code HashMap}
   * entries would take several times the memory.
   */
  private final LongLongHashMap byValue;

  private final Map<Long, long[]> repeated = new HashMap<>();
  private long records;

  FinalLog() {
    try {
      byValue = new LongLongHashMap(1 << 16);
    } catch (BufferAllocationException e) {
      throw outOfMemory(e);
    }
  }

  /** The stream named {@code name}, registered now if the history had not named it before. */
  Stream stream(String name) {
    return streams.computeIfAbsent(
        name,
        n -> {
          Stream s = new Stream(byIndex.size(), n);
          byIndex.add(s);
          return s;
        });
  }

  /** Every stream the history named, in the order first seen. */
  List<Stream> streams() {
    return byIndex;
  }

  /** The records of all final logs. */
  long records() {
    return records;
  }

  /**
   * The final read of {@code s} starts at its first offset {@code first}: called before the first
   * {@link #add} of that stream.
   */
  void startAt(Stream s, long first) {
    s.startAt(first);
  }

  /** Records {@code hash} at {@code offset} of {@code s}, which must be past its end. */
  void add(Stream s, long offset, long hash) {
    s.put(offset, hash);
    records++;
    long at = place(s, offset);
    int slot = byValue.indexOf(hash);
    if (!byValue.indexExists(slot)) {
      insert(slot, hash, at);
      return;
    }
    long[] places = repeated.get(hash);
    if (places == null) {
      places = new long[] {byValue.indexGet(slot)};
    }
    places = Arrays.copyOf(places, places.length + 1);
    places[places.length - 1] = at;
    repeated.put(hash, places);
  }

  private void insert(int slot, long hash, long at) {
    try {
      byValue.indexInsert(slot, hash, at);
    } catch (BufferAllocationException e) {
      throw outOfMemory(e);
    }
  }

  /**
   * hppc reports a heap too small for the map as its own runtime exception: turned back into the
   * {@link OutOfMemoryError} it wraps, which {@link CheckHistoryMain} answers with exit 2 (the
   * history cannot be judged) rather than the uncaught exception's exit 1 (read as violations).
   */
  private static OutOfMemoryError outOfMemory(BufferAllocationException e) {
    OutOfMemoryError oom = new OutOfMemoryError("the final log's index: " + e.getMessage());
    oom.initCause(e);
    return oom;
  }

  /** Every place of the final log that holds the value with hash {@code hash}. */
  long[] places(long hash) {
    long[] many = repeated.get(hash);
    if (many != null) {
      return many;
    }
    int slot = byValue.indexOf(hash);
    return byValue.indexExists(slot) ? new long[] {byValue.indexGet(slot)} : NOWHERE;
  }

  /**
   * Whether the final log of {@code s} holds the value with hash {@code hash} at {@code offset}.
   */
  boolean holds(Stream s, long offset, long hash) {
    return offset < s.size && s.hashes[(int) offset] == hash;
  }

  /**
   * Marks {@code place} as sent by an append; false if an earlier append had sent it (its value is
   * not unique).
   */
  boolean markSent(long place) {
    Stream in = byIndex.get((int) (place >>> OFFSET_BITS));
    int off = (int) offsetOf(place);
    if (in.sent.get(off)) {
      return false;
    }
    in.sent.set(off);
    return true;
  }

  /** {@code s} and {@code offset} packed in one long. */
  static long place(Stream s, long offset) {
    return ((long) s.index << OFFSET_BITS) | offset;
  }

  static long offsetOf(long place) {
    return place & OFFSET_MASK;
  }

  /** The places as a message names them: {@code a offset 0, b offset 3}. */
  String where(long[] places) {
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

  /** FNV-1a over the characters, then MurmurHash3's finalizer; never 0 (a hole in the log). */
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

  /**
   * One stream: its final log (value hash by offset, 0 for a hole, and below its first offset) and
   * which offsets were sent; in the second pass also the highest first offset a truncate answered
   * so far ({@link TruncateJudge}).
   */
  static final class Stream {
    final int index;
    final String name;
    private long[] hashes = new long[16];
    private int size;
    private long first;
    private final BitSet sent = new BitSet();
    boolean finalSeen;

    /** The highest first offset a completed truncate answered so far, and that truncate's op. */
    long truncated;

    long truncatedOp = -1;

    Stream(int index, String name) {
      this.index = index;
      this.name = name;
    }

    /** One past the last offset of its final log. */
    int size() {
      return size;
    }

    /**
     * The stream's first offset on its final read: records below it may be gone (truncated, or
     * dropped by retention), so the final log says nothing of them.
     */
    long first() {
      return first;
    }

    /** The final read starts at {@code offset}: the log is empty below it. */
    private void startAt(long offset) {
      first = offset;
      if (offset > size) {
        put(offset - 1, 0);
      }
    }

    /** The hash at {@code offset} ({@code < size()}), 0 for a hole. */
    long hashAt(int offset) {
      return hashes[offset];
    }

    boolean sent(int offset) {
      return sent.get(offset);
    }

    private void put(long offset, long h) {
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
}
