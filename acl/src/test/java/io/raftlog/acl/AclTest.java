package io.raftlog.acl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AclTest {
  private static final String FILE = "/etc/raftlog/acl";

  private static Acl acl(String... lines) {
    return Acl.parse(FILE, List.of(lines));
  }

  @Test
  void denyByDefault() {
    Acl acl = acl("# nothing granted yet", "");
    Decision d = acl.decide("alice", Operation.CONSUME, "orders.eu");
    assertFalse(d.allowed());
    assertEquals(
        "alice may not consume orders.eu (no rule in /etc/raftlog/acl grants it)", d.reason());
    assertEquals(d.reason() + "; no rule names alice", d.explanation());
  }

  @Test
  void grantsByExactNamePrefixAndStar() {
    Acl acl =
        acl(
            "allow alice produce,consume orders.* # the order streams",
            "allow bob consume audit",
            "allow ops admin *",
            "allow ops cluster *");
    assertTrue(acl.decide("alice", Operation.PRODUCE, "orders.eu").allowed());
    assertTrue(acl.decide("alice", Operation.CONSUME, "orders.").allowed());
    assertFalse(acl.decide("alice", Operation.CONSUME, "orders").allowed());
    assertFalse(acl.decide("alice", Operation.ADMIN, "orders.eu").allowed());
    assertTrue(acl.decide("bob", Operation.CONSUME, "audit").allowed());
    assertFalse(acl.decide("bob", Operation.CONSUME, "audit2").allowed());
    assertTrue(acl.decide("ops", Operation.ADMIN, "anything").allowed());
    assertTrue(acl.decide("ops", Operation.CLUSTER, null).allowed());
    assertFalse(acl.decide("alice", Operation.CLUSTER, null).allowed());
    Decision d = acl.decide("alice", Operation.PRODUCE, "orders.eu");
    assertEquals(1, d.grantedBy().line());
    assertEquals(
        "alice may produce orders.eu (/etc/raftlog/acl line 1: allow alice produce,consume"
            + " orders.*)",
        d.reason());
  }

  @Test
  void aDenialNamesWhatThePrincipalMayDo() {
    Acl acl =
        acl(
            "allow bob consume *",
            "",
            "",
            "allow alice produce orders.*",
            "allow al* consume payments");
    Decision d = acl.decide("alice", Operation.CONSUME, "orders.eu");
    assertEquals(
        "alice may not consume orders.eu (no rule in /etc/raftlog/acl grants it); rules for alice:"
            + " line 4 grants produce on orders.*; line 5 grants consume on payments",
        d.explanation());
    assertEquals(
        "alice may not make cluster calls (no rule in /etc/raftlog/acl grants it)",
        acl.decide("alice", Operation.CLUSTER, null).reason());
  }

  @Test
  void principalPatternsHaveStarsAnywhere() {
    Acl acl =
        acl(
            "allow spiffe://raftlog.test/team-* consume logs.*",
            "allow *-reader consume metrics",
            "allow a*b*c produce x",
            "allow \"Alice Smith\" consume y",
            "allow * consume public.*");
    assertTrue(acl.decide("spiffe://raftlog.test/team-a", Operation.CONSUME, "logs.x").allowed());
    assertFalse(acl.decide("spiffe://raftlog.test/other", Operation.CONSUME, "logs.x").allowed());
    assertTrue(acl.decide("metrics-reader", Operation.CONSUME, "metrics").allowed());
    assertFalse(acl.decide("metrics-reader2", Operation.CONSUME, "metrics").allowed());
    assertTrue(acl.decide("abc", Operation.PRODUCE, "x").allowed());
    assertTrue(acl.decide("a-b-c", Operation.PRODUCE, "x").allowed());
    assertFalse(acl.decide("acb", Operation.PRODUCE, "x").allowed());
    assertFalse(acl.decide("abcd", Operation.PRODUCE, "x").allowed());
    assertTrue(acl.decide("Alice Smith", Operation.CONSUME, "y").allowed());
    assertTrue(acl.decide("anonymous", Operation.CONSUME, "public.a").allowed());
    assertTrue(acl.names("anyone"));
  }

  @Test
  void aBadLineNamesTheFileTheLineAndTheProblem() {
    assertBad(
        "allow alice read orders",
        "line 1: unknown operation 'read': the operations are produce, consume, admin or cluster");
    assertBad("\n\ndeny alice consume x", "line 3: a rule starts with 'allow', not 'deny'");
    assertBad("allow alice produce, consume x", "line 1: a rule has 4 words, this one 5");
    assertBad("allow alice produce", "line 1: a rule has 4 words, this one 3");
    assertBad(
        "allow alice produce or*ders", "line 1: stream pattern 'or*ders' has a * before its end");
    assertBad("allow alice produce a,,b", "line 1: an empty stream in the list 'a,,b'");
    assertBad("allow alice produce,,consume a", "line 1: an empty operation");
    assertBad("allow alice cluster,consume orders", "line 1: cluster concerns the whole cluster");
    assertBad(
        "allow \"alice consume x", "line 1: a double quote opened at column 7 is never closed");
    assertBad("allow \"\" consume x", "line 1: the principal is empty");
  }

  private static void assertBad(String text, String expected) {
    AclFileException e =
        assertThrows(AclFileException.class, () -> Acl.parse(FILE, List.of(text.split("\n", -1))));
    assertTrue(e.getMessage().startsWith(FILE + " " + expected), () -> "got: " + e.getMessage());
  }

  @Test
  void anUnreadableFileIsNamed(@TempDir Path dir) throws Exception {
    Path missing = dir.resolve("acl");
    AclFileException e = assertThrows(AclFileException.class, () -> Acl.read(missing));
    assertTrue(e.getMessage().startsWith(missing + ": cannot read the ACL file"), e.getMessage());
    Files.writeString(missing, "allow alice consume x\n");
    assertTrue(Acl.read(missing).decide("alice", Operation.CONSUME, "x").allowed());
    assertEquals(missing.toString(), Acl.read(missing).source());
  }
}
