package io.raftlog.acl;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Reads the lines of an ACL file into {@link Rule}s. One rule per line:
 *
 * <pre>
 * allow PRINCIPAL OPERATION[,OPERATION...] STREAM[,STREAM...]
 * </pre>
 *
 * Blank lines and {@code #} comments (a line's rest from a word starting with {@code #}) are
 * skipped; a principal with blanks in it is written in double quotes. A line that is not a rule is
 * an {@link AclFileException} naming the file, the line and what is wrong. Stateless.
 */
final class AclParser {
  static final String FORM = "allow PRINCIPAL OPERATION[,OPERATION...] STREAM[,STREAM...]";

  private AclParser() {}

  static List<Rule> parse(String source, List<String> lines) {
    List<Rule> rules = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      Rule r = line(source, i + 1, lines.get(i));
      if (r != null) {
        rules.add(r);
      }
    }
    return rules;
  }

  private static Rule line(String source, int n, String text) {
    List<String> words;
    try {
      words = words(text);
    } catch (IllegalArgumentException e) {
      throw bad(source, n, e.getMessage());
    }
    if (words.isEmpty()) {
      return null;
    }
    if (!words.get(0).equals("allow")) {
      throw bad(
          source,
          n,
          "a rule starts with 'allow', not '"
              + words.get(0)
              + "' (only grants exist: whatever no line allows is denied); write "
              + FORM);
    }
    if (words.size() != 4) {
      throw bad(
          source,
          n,
          "a rule has 4 words, this one "
              + words.size()
              + ": write "
              + FORM
              + " (lists without blanks, e.g. produce,consume)");
    }
    String principal = words.get(1);
    if (principal.isEmpty()) {
      throw bad(source, n, "the principal is empty");
    }
    Set<Operation> ops = EnumSet.noneOf(Operation.class);
    for (String w : words.get(2).split(",", -1)) {
      Operation op = Operation.of(w);
      if (op == null) {
        throw bad(
            source,
            n,
            (w.isEmpty() ? "an empty operation" : "unknown operation '" + w + "'")
                + ": the operations are "
                + Operation.words());
      }
      ops.add(op);
    }
    List<StreamPattern> streams = new ArrayList<>();
    for (String w : words.get(3).split(",", -1)) {
      if (w.isEmpty()) {
        throw bad(source, n, "an empty stream in the list '" + words.get(3) + "'");
      }
      StringBuilder problem = new StringBuilder();
      StreamPattern s = StreamPattern.parse(w, problem);
      if (s == null) {
        throw bad(source, n, problem.toString());
      }
      streams.add(s);
    }
    if (ops.contains(Operation.CLUSTER) && !(streams.size() == 1 && streams.get(0).all())) {
      throw bad(
          source,
          n,
          "cluster concerns the whole cluster, not streams: a line granting cluster names the"
              + " streams * (put it on a line of its own)");
    }
    return new Rule(n, new PrincipalPattern(principal), ops, streams);
  }

  /** The line's words: split at blanks, a double-quoted word kept whole, a comment dropped. */
  private static List<String> words(String line) {
    List<String> words = new ArrayList<>();
    int i = 0;
    while (i < line.length()) {
      char c = line.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
      } else if (c == '#') {
        break;
      } else if (c == '"') {
        int end = line.indexOf('"', i + 1);
        if (end < 0) {
          throw new IllegalArgumentException(
              "a double quote opened at column " + (i + 1) + " is never closed");
        }
        words.add(line.substring(i + 1, end));
        i = end + 1;
      } else {
        int end = i;
        while (end < line.length() && !Character.isWhitespace(line.charAt(end))) {
          end++;
        }
        words.add(line.substring(i, end));
        i = end;
      }
    }
    return words;
  }

  private static AclFileException bad(String source, int line, String what) {
    return new AclFileException(source + " line " + line + ": " + what);
  }
}
