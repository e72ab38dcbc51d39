package io.raftlog.chaos;

import io.raftlog.api.v1.NodeInfo;
import io.raftlog.api.v1.ReplicaInfo;
import io.raftlog.testkit.ProcessCluster;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Samples the Raft terms of every group (the meta group and each shard) five times a second and
 * remembers when one rose, so that a run can tell elections (and leader transfers) its faults
 * caused from elections nobody triggered.
 */
final class TermWatch {
  private final ProcessCluster nodes;
  private final List<Long> termRises = new CopyOnWriteArrayList<>();
  private final Thread thread;
  private volatile boolean running = true;
  private final Map<Integer, Long> terms = new HashMap<>(); // shard, or -1 for the meta group

  TermWatch(ProcessCluster nodes) {
    this.nodes = nodes;
    this.thread = new Thread(this::run, "chaos-term-watch");
    thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  void stop() throws InterruptedException {
    running = false;
    thread.join();
  }

  /** Rises of the term outside every {@code [start, end]} window (System.nanoTime()). */
  int risesOutside(List<long[]> windows) {
    int n = 0;
    for (long t : termRises) {
      boolean explained = false;
      for (long[] w : windows) {
        explained |= t >= w[0] && t <= w[1];
      }
      n += explained ? 0 : 1;
    }
    return n;
  }

  private void run() {
    while (running) {
      Map<Integer, Long> max = new HashMap<>();
      for (String id : nodes.ids()) {
        if (nodes.isUp(id)) {
          NodeInfo n = nodes.self(id);
          if (n != null) {
            max.merge(-1, n.getTerm(), Math::max);
            for (ReplicaInfo r : n.getReplicasList()) {
              max.merge(r.getShard(), r.getTerm(), Math::max);
            }
          }
        }
      }
      boolean rose = false;
      for (Map.Entry<Integer, Long> e : max.entrySet()) {
        Long before = terms.get(e.getKey());
        rose |= before != null && e.getValue() > before;
        terms.merge(e.getKey(), e.getValue(), Math::max);
      }
      if (rose) {
        termRises.add(System.nanoTime());
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        return;
      }
    }
  }
}
