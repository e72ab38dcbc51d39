package io.raftlog.replication;

/**
 * How many of the cluster's nodes vote in the meta group: three, and five once there are five nodes
 * or more (a catalog that survives two failures, as etcd and KRaft advise), never more than there
 * are nodes. The others follow the catalog as learners: they apply it without voting.
 */
final class MetaVoters {
  private MetaVoters() {}

  static int count(int nodes) {
    return nodes >= 5 ? 5 : Math.min(nodes, 3);
  }
}
