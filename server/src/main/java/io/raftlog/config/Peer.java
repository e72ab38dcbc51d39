package io.raftlog.config;

import io.raftlog.wire.HostPort;
import java.util.ArrayList;
import java.util.List;

/** One node of the cluster as every other node knows it: its id and both of its addresses. */
public record Peer(String id, String raftAddress, String clientAddress) {

  /** Parses {@code id@raft-host:port@client-host:port}, the form used in {@code cluster.peers}. */
  static Peer parse(String spec) {
    String[] parts = spec.trim().split("@");
    if (parts.length != 3 || parts[0].isBlank()) {
      throw new IllegalArgumentException(
          "peer '" + spec + "' is not of the form id@raft-host:port@client-host:port");
    }
    return new Peer(parts[0], HostPort.check(parts[1]), HostPort.check(parts[2]));
  }

  /** Parses the comma-separated list of {@code cluster.peers}. */
  static List<Peer> parseList(String specs) {
    List<Peer> peers = new ArrayList<>();
    for (String spec : specs.split(",")) {
      if (!spec.isBlank()) {
        peers.add(parse(spec));
      }
    }
    return peers;
  }

  /** The form {@link #parse} reads. */
  public String spec() {
    return id + "@" + raftAddress + "@" + clientAddress;
  }
}
