package io.raftlog.auth;

/** A call carrying a node's marks from a caller that is not a node: refused PERMISSION_DENIED. */
final class NotANode extends Exception {
  NotANode(String message) {
    super(message, null, false, false);
  }
}
