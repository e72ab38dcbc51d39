package io.raftlog.service;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Bounds the produce bytes a node holds between receiving a batch and answering it, so overload
 * turns into RESOURCE_EXHAUSTED instead of a growing heap.
 */
final class InflightLimiter {
  private final long maxBytes;
  private final AtomicLong used = new AtomicLong();

  InflightLimiter(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  boolean tryAcquire(long bytes) {
    while (true) {
      long now = used.get();
      if (now + bytes > maxBytes) {
        return false;
      }
      if (used.compareAndSet(now, now + bytes)) {
        return true;
      }
    }
  }

  void release(long bytes) {
    used.addAndGet(-bytes);
  }

  /** Bytes held now. */
  long used() {
    return used.get();
  }

  long maxBytes() {
    return maxBytes;
  }
}
