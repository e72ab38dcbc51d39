package io.raftlog.chaos.audit;

/** What node {@code node}, a replica of stream {@code stream}'s shard, holds of it (LOCAL read). */
public record ReplicaRead(String node, int stream, StreamContent content) {}
