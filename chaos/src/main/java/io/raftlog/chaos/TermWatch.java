package io.raftlog.chaos;

import io.raftlog.api.v1.NodeInfo;
import io.raftlog.testkit.ProcessCluster;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Samples the nodes' Raft term five times a second and remembers when it rose, so that a run can
 * tell elections its faults caused from elections nobody triggered.
 */
final class TermWatch {
  private final ProcessCluster nodes;
  private final List<Long> termRises = new CopyOnWriteArrayList<>();
  private final Thread thread;
  private volatile boolean running = true;
  private long term;

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
      long max = 0;
      for (String id : nodes.ids()) {
        if (nodes.isUp(id)) {
          NodeInfo n = nodes.self(id);
          if (n != null) {
            max = Math.max(max, n.getTerm());
          }
        }
      }
      if (term > 0 && max > term) {
        termRises.add(System.nanoTime());
      }
      term = Math.max(term, max);
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        return;
      }
    }
  }
}
