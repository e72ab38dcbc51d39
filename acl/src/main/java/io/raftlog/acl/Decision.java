package io.raftlog.acl;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The answer of {@link Acl#decide}: whether {@code principal} may do {@code operation} on {@code
 * stream}, which line allowed it, and when denied, which lines name the principal at all (what it
 * may do instead). Immutable.
 *
 * @param grantedBy the first line granting it, or null when denied
 * @param principalRules every line naming the principal (for a denial's explanation)
 * @param source the ACL file's name, as messages give it
 */
public record Decision(
    boolean allowed,
    String principal,
    Operation operation,
    String stream,
    Rule grantedBy,
    List<Rule> principalRules,
    String source) {

  /**
   * One sentence naming the principal, the operation and the stream: the message of a refused call,
   * e.g. {@code alice may not consume orders.eu (no rule in /etc/raftlog/acl grants it)}.
   */
  public String reason() {
    return allowed
        ? principal + " may " + operation.on(stream) + " (" + source + " " + grantedBy + ")"
        : principal + " may not " + operation.on(stream) + " (no rule in " + source + " grants it)";
  }

  /**
   * {@link #reason()}, and for a denial what the lines naming the principal do grant: {@code ...;
   * rules for alice: line 4 grants produce on orders.*}. What {@code raftlog acl check} prints.
   */
  public String explanation() {
    if (allowed) {
      return reason();
    }
    if (principalRules.isEmpty()) {
      return reason() + "; no rule names " + principal;
    }
    return reason()
        + "; rules for "
        + principal
        + ": "
        + principalRules.stream()
            .map(r -> "line " + r.line() + " grants " + r.grants())
            .collect(Collectors.joining("; "));
  }
}
