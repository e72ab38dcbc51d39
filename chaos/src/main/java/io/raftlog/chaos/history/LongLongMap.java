package io.raftlog.chaos.history;

import java.util.Arrays;

/**
 * A map from long to long in two arrays (open addressing, linear probing): the checker's index of
 * the final log by value hash holds millions of entries, which as boxed {@code HashMap} entries
 * would take several times the memory. Key 0 is not allowed (it marks an empty slot); values must
 * be non-negative ({@link #get} answers -1 for a missing key). One thread, the checker's.
 */
final class LongLongMap {
  private long[] keys;
  private long[] values;
  private int size;

  LongLongMap(int expected) {
    int capacity = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
    keys = new long[capacity];
    values = new long[capacity];
  }

  int size() {
    return size;
  }

  /** The value of {@code key}, or -1. */
  long get(long key) {
    int mask = keys.length - 1;
    for (int i = slot(key, mask); ; i = (i + 1) & mask) {
      if (keys[i] == key) {
        return values[i];
      }
      if (keys[i] == 0) {
        return -1;
      }
    }
  }

  /** Puts {@code key} unless it is there; the value it already had, or -1 if it was put. */
  long putIfAbsent(long key, long value) {
    if (key == 0) {
      throw new IllegalArgumentException("key 0 is reserved");
    }
    if ((size + 1) * 2 > keys.length) {
      grow();
    }
    int mask = keys.length - 1;
    for (int i = slot(key, mask); ; i = (i + 1) & mask) {
      if (keys[i] == key) {
        return values[i];
      }
      if (keys[i] == 0) {
        keys[i] = key;
        values[i] = value;
        size++;
        return -1;
      }
    }
  }

  private static int slot(long key, int mask) {
    long h = key * 0x9E3779B97F4A7C15L;
    return (int) (h ^ (h >>> 32)) & mask;
  }

  private void grow() {
    long[] oldKeys = keys;
    long[] oldValues = values;
    keys = new long[oldKeys.length * 2];
    values = new long[oldKeys.length * 2];
    Arrays.fill(values, 0);
    size = 0;
    for (int i = 0; i < oldKeys.length; i++) {
      if (oldKeys[i] != 0) {
        putIfAbsent(oldKeys[i], oldValues[i]);
      }
    }
  }
}
