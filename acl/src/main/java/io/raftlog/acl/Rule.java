package io.raftlog.acl;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One {@code allow} line of an ACL file: the principals it names, the operations it grants them and
 * the streams it grants them on. Immutable.
 */
public final class Rule {
  private final int line;
  private final PrincipalPattern principal;
  private final Set<Operation> operations;
  private final List<StreamPattern> streams;

  Rule(
      int line,
      PrincipalPattern principal,
      Set<Operation> operations,
      List<StreamPattern> streams) {
    this.line = line;
    this.principal = principal;
    this.operations = EnumSet.copyOf(operations);
    this.streams = List.copyOf(streams);
  }

  /** Its line number in the file, from 1. */
  public int line() {
    return line;
  }

  boolean names(String p) {
    return principal.matches(p);
  }

  /** Whether this line grants {@code op} on {@code stream} (any stream, for {@code cluster}). */
  boolean grants(Operation op, String stream) {
    if (!operations.contains(op)) {
      return false;
    }
    if (op == Operation.CLUSTER) {
      return true;
    }
    for (StreamPattern s : streams) {
      if (s.covers(stream)) {
        return true;
      }
    }
    return false;
  }

  /** What the line grants, as a decision explains it: {@code produce,consume on orders.*}. */
  public String grants() {
    return words() + " on " + streamList();
  }

  /** The line as written, without comment or extra blanks. */
  public String text() {
    return "allow " + principal + " " + words() + " " + streamList();
  }

  private String words() {
    return operations.stream().map(Operation::word).collect(Collectors.joining(","));
  }

  private String streamList() {
    return streams.stream().map(String::valueOf).collect(Collectors.joining(","));
  }

  @Override
  public String toString() {
    return "line " + line + ": " + text();
  }
}
