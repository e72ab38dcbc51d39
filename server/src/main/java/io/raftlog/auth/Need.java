package io.raftlog.auth;

import io.raftlog.acl.Operation;

/**
 * What one request needs the ACL to grant: {@code operation} on {@code stream} ({@code *} for
 * {@code cluster}), or, with {@code anyGrant}, any operation on that stream (or for {@code
 * cluster}: any line naming the caller).
 */
record Need(Operation operation, String stream, boolean anyGrant) {
  static Need of(Operation op, String stream) {
    return new Need(op, stream, false);
  }
}
