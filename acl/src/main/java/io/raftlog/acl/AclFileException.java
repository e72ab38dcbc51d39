package io.raftlog.acl;

/**
 * An ACL file that cannot be used: unreadable, or a line that is not a rule. The message names the
 * file, the line number (when a line is at fault) and what is wrong, for a person to fix it. An
 * {@link IllegalStateException}, as a node's other startup errors are: its start fails with it.
 */
public final class AclFileException extends IllegalStateException {
  public AclFileException(String message) {
    super(message);
  }

  public AclFileException(String message, Throwable cause) {
    super(message, cause);
  }
}
