package io.raftlog.replication.nodelog;

/**
 * The keys of the node's Raft log: a group's number (4 bytes, big-endian) then an entry's index (8
 * bytes, big-endian), so one group's entries are contiguous and in index order, and a range delete
 * of one group's indexes never touches another's. Indexes are positive, so byte order is numeric
 * order.
 */
final class LogKeys {
  static final int LENGTH = 12;

  private LogKeys() {}

  static byte[] of(int group, long index) {
    byte[] k = new byte[LENGTH];
    putInt(k, group);
    for (int i = 0; i < 8; i++) {
      k[4 + i] = (byte) (index >>> (56 - 8 * i));
    }
    return k;
  }

  /** The first key of {@code group}: everything of the group is in [start(g), start(g + 1)). */
  static byte[] start(int group) {
    return of(group, 0);
  }

  /** The key just past every key of {@code group}. */
  static byte[] end(int group) {
    return of(group + 1, 0);
  }

  static int group(byte[] key) {
    return ((key[0] & 0xff) << 24)
        | ((key[1] & 0xff) << 16)
        | ((key[2] & 0xff) << 8)
        | (key[3] & 0xff);
  }

  static long index(byte[] key) {
    long v = 0;
    for (int i = 4; i < 12; i++) {
      v = (v << 8) | (key[i] & 0xff);
    }
    return v;
  }

  /** A group's own key in the groups column: its number alone (4 bytes). */
  static byte[] groupKey(int group) {
    byte[] k = new byte[4];
    putInt(k, group);
    return k;
  }

  static byte[] longValue(long v) {
    byte[] b = new byte[8];
    for (int i = 0; i < 8; i++) {
      b[i] = (byte) (v >>> (56 - 8 * i));
    }
    return b;
  }

  static long longOf(byte[] b) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (b[i] & 0xff);
    }
    return v;
  }

  private static void putInt(byte[] k, int v) {
    k[0] = (byte) (v >>> 24);
    k[1] = (byte) (v >>> 16);
    k[2] = (byte) (v >>> 8);
    k[3] = (byte) v;
  }
}
