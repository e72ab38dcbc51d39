package io.raftlog.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code raftlog acl check}: the decision, its explanation and the exit code, from a file. */
class AclCliTest {
  @TempDir static Path dir;
  static Path acl;

  @BeforeAll
  static void file() throws Exception {
    acl = dir.resolve("acl");
    Files.writeString(
        acl,
        "# who may do what\n"
            + "allow alice produce orders.*\n"
            + "allow bob consume,produce orders.eu\n"
            + "allow ops cluster *\n");
  }

  @Test
  void allowedExitsZeroNamingTheLine() {
    Cli.Result r =
        Cli.run("acl", "check", "alice", "produce", "orders.eu", "--file", acl.toString());
    assertEquals(0, r.exitCode(), r::toString);
    assertEquals(
        "allowed: alice may produce orders.eu (" + acl + " line 2: allow alice produce orders.*)",
        r.out().strip());
  }

  @Test
  void deniedExitsOneWithWhatThePrincipalMayDo() {
    Cli.Result r =
        Cli.run("acl", "check", "alice", "consume", "orders.eu", "--file", acl.toString());
    assertEquals(1, r.exitCode(), r::toString);
    assertEquals(
        "denied: alice may not consume orders.eu (no rule in "
            + acl
            + " grants it); rules for alice: line 2 grants produce on orders.*",
        r.out().strip());
  }

  @Test
  void theFileMayComeFromTheEnvironmentAndClusterNeedsNoStream() {
    Cli.Result r =
        Cli.run(
            new byte[0],
            Map.of("RAFTLOG_ACL_FILE", acl.toString()),
            "acl",
            "check",
            "ops",
            "cluster");
    assertEquals(0, r.exitCode(), r::toString);
    r =
        Cli.run(
            new byte[0],
            Map.of("RAFTLOG_ACL_FILE", acl.toString()),
            "acl",
            "check",
            "bob",
            "cluster");
    assertEquals(1, r.exitCode(), r::toString);
    assertTrue(r.out().contains("bob may not make cluster calls"), r::toString);
  }

  @Test
  void helpExitsZero() {
    Cli.Result r = Cli.run("acl", "check", "--help");
    assertEquals(0, r.exitCode(), r::toString);
    assertTrue(r.out().startsWith("Usage: raftlog acl check"), r::toString);
    assertTrue(r.out().contains("0 allowed, 1 denied, 2 a bad file or usage"), r::toString);
  }

  @Test
  void aBadFileOrUsageExitsTwo() throws Exception {
    Path bad = dir.resolve("bad");
    Files.writeString(bad, "allow alice read x\n");
    Cli.Result r = Cli.run("acl", "check", "alice", "consume", "x", "--file", bad.toString());
    assertEquals(2, r.exitCode(), r::toString);
    assertEquals(
        "raftlog: "
            + bad
            + " line 1: unknown operation 'read': the operations are produce,"
            + " consume, admin or cluster",
        r.err().strip());
    r = Cli.run("acl", "check", "alice", "consume", "x", "--file", dir.resolve("none").toString());
    assertEquals(2, r.exitCode(), r::toString);
    assertTrue(r.err().contains("cannot read the ACL file"), r::toString);
    assertEquals(
        2, Cli.run("acl", "check", "alice", "read", "x", "--file", acl.toString()).exitCode());
    assertEquals(
        2, Cli.run("acl", "check", "alice", "consume", "--file", acl.toString()).exitCode());
    assertEquals(2, Cli.run("acl", "check", "alice", "consume", "x").exitCode());
  }
}
