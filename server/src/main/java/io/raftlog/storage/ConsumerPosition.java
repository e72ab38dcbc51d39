package io.raftlog.storage;

/**
 * A named consumer's committed position in one stream: the offset of the next record it will read,
 * and when the commit was applied (the shard leader's clock).
 */
public record ConsumerPosition(String consumer, long offset, long commitMs) {}
