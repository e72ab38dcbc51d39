package io.raftlog.acl;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An access control list: the {@code allow} lines of one ACL file ({@link AclParser} has the
 * format). A principal may do an operation on a stream only when some line grants it; nothing else
 * is allowed. Immutable: any thread; a changed file is a new {@code Acl}.
 */
public final class Acl {
  private final String source;
  private final List<Rule> rules;

  private Acl(String source, List<Rule> rules) {
    this.source = source;
    this.rules = List.copyOf(rules);
  }

  /** Reads {@code file}; an unreadable file or a bad line is an {@link AclFileException}. */
  public static Acl read(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new AclFileException(
          file
              + ": cannot read the ACL file ("
              + e.getClass().getSimpleName()
              + ": "
              + e.getMessage()
              + ")",
          e);
    }
    return parse(file.toString(), lines);
  }

  /** The ACL {@code lines} hold; {@code source} names them in messages (the file's path). */
  public static Acl parse(String source, List<String> lines) {
    return new Acl(source, AclParser.parse(source, lines));
  }

  /** The file these rules came from, as messages name it. */
  public String source() {
    return source;
  }

  /** The rules, in file order. */
  public List<Rule> rules() {
    return rules;
  }

  /**
   * Whether {@code principal} may do {@code op} on {@code stream} (ignored for {@link
   * Operation#CLUSTER}), and why.
   */
  public Decision decide(String principal, Operation op, String stream) {
    List<Rule> naming = new ArrayList<>();
    for (Rule r : rules) {
      if (r.names(principal)) {
        if (r.grants(op, stream)) {
          return new Decision(true, principal, op, stream, r, List.of(), source);
        }
        naming.add(r);
      }
    }
    return new Decision(false, principal, op, stream, null, naming, source);
  }

  /** Whether some line names {@code principal} (grants it anything at all). */
  public boolean names(String principal) {
    for (Rule r : rules) {
      if (r.names(principal)) {
        return true;
      }
    }
    return false;
  }
}
