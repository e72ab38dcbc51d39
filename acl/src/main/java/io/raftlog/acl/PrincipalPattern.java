package io.raftlog.acl;

/**
 * A principal pattern of an ACL line: a principal as written, or with {@code *} standing for any
 * run of characters (none included), anywhere: {@code alice}, {@code team-*}, {@code
 * spiffe://example.org/*}, {@code *}. Immutable.
 */
final class PrincipalPattern {
  private final String text;
  private final String[] pieces; // the literal runs between the stars

  PrincipalPattern(String text) {
    this.text = text;
    this.pieces = text.split("\\*", -1);
  }

  boolean matches(String principal) {
    if (pieces.length == 1) {
      return text.equals(principal);
    }
    if (!principal.startsWith(pieces[0])) {
      return false;
    }
    int at = pieces[0].length();
    for (int i = 1; i < pieces.length - 1; i++) {
      int found = principal.indexOf(pieces[i], at);
      if (found < 0) {
        return false;
      }
      at = found + pieces[i].length();
    }
    String last = pieces[pieces.length - 1];
    return principal.length() - last.length() >= at && principal.endsWith(last);
  }

  @Override
  public String toString() {
    return text;
  }
}
