package io.raftlog.cli.tail;

/**
 * What {@code raftlog tail} keeps of one file between runs: which file (its key, the inode, and its
 * {@link Fingerprint}), how far its records are in the stream, and the idempotent producer that
 * sends them. {@code position} is the end of the last acknowledged record; when {@code pendingEnd}
 * is not -1, the batch of the bytes {@code position .. pendingEnd} was sent as {@code sequence} and
 * may or may not have been appended: the next run sends exactly that batch again with that
 * sequence, so the log answers {@code duplicate} if it had. Otherwise {@code sequence} is the next
 * batch's number.
 */
record TailState(
    String fileKey,
    Fingerprint fingerprint,
    long position,
    long producerId,
    long sequence,
    long pendingEnd) {

  boolean hasPending() {
    return pendingEnd >= 0;
  }
}
