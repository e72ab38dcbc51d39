package io.raftlog.cli;

import io.raftlog.api.v1.GetClusterResponse;
import io.raftlog.api.v1.NodeInfo;
import io.raftlog.api.v1.NodeTraffic;
import io.raftlog.api.v1.Role;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The traffic table of {@code raftlog cluster --watch}: each node's produce and consume rates, from
 * the change of its counters ({@code NodeInfo.traffic}, which it reports itself) between two looks,
 * over the time between its two answers. Stateless.
 */
final class NodeRates {
  static final String[] COLUMNS = {
    "NODE", "PRODUCE-REC/S", "PRODUCE-B/S", "CONSUME-REC/S", "CONSUME-B/S", "CONSUME-STREAMS"
  };

  private NodeRates() {}

  /**
   * The header and one row per node of {@code now}; a node's rates are "-" on the first look, when
   * it did not answer either time, or when its counters went back (it restarted).
   */
  static List<String[]> rows(GetClusterResponse before, GetClusterResponse now) {
    List<String[]> rows = new ArrayList<>();
    rows.add(COLUMNS);
    for (NodeInfo n : now.getNodesList()) {
      NodeTraffic b = before == null ? null : traffic(before, n.getId());
      NodeTraffic a = traffic(now, n.getId());
      String[] row = {n.getId(), "-", "-", "-", "-", "-"};
      if (a != null) {
        row[5] = Integer.toUnsignedString(a.getOpenConsumeStreams());
      }
      if (a != null && b != null && a.getAtMs() > b.getAtMs() && !wentBack(b, a)) {
        double secs = (a.getAtMs() - b.getAtMs()) / 1000.0;
        row[1] = perSec(a.getRecordsAppended() - b.getRecordsAppended(), secs);
        row[2] = bytesPerSec((a.getBytesAppended() - b.getBytesAppended()) / secs);
        row[3] = perSec(a.getRecordsRead() - b.getRecordsRead(), secs);
        row[4] = bytesPerSec((a.getBytesRead() - b.getBytesRead()) / secs);
      }
      rows.add(row);
    }
    return rows;
  }

  private static NodeTraffic traffic(GetClusterResponse cluster, String id) {
    for (NodeInfo n : cluster.getNodesList()) {
      if (n.getId().equals(id) && n.getRole() != Role.UNREACHABLE && n.hasTraffic()) {
        return n.getTraffic();
      }
    }
    return null;
  }

  private static boolean wentBack(NodeTraffic b, NodeTraffic a) {
    return a.getRecordsAppended() < b.getRecordsAppended()
        || a.getRecordsRead() < b.getRecordsRead()
        || a.getBytesAppended() < b.getBytesAppended()
        || a.getBytesRead() < b.getBytesRead();
  }

  /** A count per second, to a tenth. */
  static String perSec(double count, double secs) {
    return String.format(Locale.ROOT, "%.1f", count / secs);
  }

  /** Bytes per second in human units ({@code 12.3 KiB/s}). */
  static String bytesPerSec(double rate) {
    return Units.bytes(Math.round(rate)).replace(" ", "") + "/s";
  }
}
