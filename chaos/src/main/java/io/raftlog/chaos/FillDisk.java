package io.raftlog.chaos;

import io.raftlog.testkit.SmallDisk;
import java.util.Map;

/**
 * Fill one node's disk (modes disk and disk-leader): its data directory is a small filesystem of
 * its own ({@link SmallDisk}), and a ballast grows until less than the node's {@code
 * storage.min-free-bytes} is left. The node must refuse writes ({@code RESOURCE_EXHAUSTED}), report
 * NOT_SERVING and hand the shards it leads to the others, which carry on; while full it may still
 * meet a real "no space left" as a follower. When undone the ballast goes, and the node must serve
 * again and catch up by itself, with no restart: the audit's identical replicas show it did.
 */
final class FillDisk extends OneNodeDisruption {
  /** What the ballast leaves: under {@link #MIN_FREE_BYTES}, above nothing at all. */
  static final long LEAVE_BYTES = 16L << 20;

  /** The nodes' {@code storage.min-free-bytes} in runs with disks. */
  static final long MIN_FREE_BYTES = 64L << 20;

  private final SmallDisk disk;

  FillDisk(String kind, Situation s, String target) {
    super(kind, s, target);
    this.disk = s.requireDisks(kind).get(target);
  }

  /** The setting every node gets in a run with disks. */
  static Map<String, String> nodeSettings() {
    return Map.of("storage.min-free-bytes", String.valueOf(MIN_FREE_BYTES));
  }

  /** It hands its leaderships away, which is a new term in each; checked, as for a pause. */
  @Override
  public boolean mustStepDown() {
    return true;
  }

  @Override
  public void inject() throws Exception {
    disk.fill(LEAVE_BYTES);
  }

  @Override
  public void undo() throws Exception {
    disk.free();
  }
}
