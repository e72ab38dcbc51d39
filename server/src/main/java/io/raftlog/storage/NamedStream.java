package io.raftlog.storage;

/** One stream of a listing: its name and its metadata. */
public record NamedStream(String name, StreamMeta meta) {}
