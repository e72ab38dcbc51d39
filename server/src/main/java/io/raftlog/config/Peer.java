package io.raftlog.config;

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
}
