package io.raftlog.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.raftlog.acl.AclFileException;
import io.raftlog.api.v1.ConsumeRequest;
import io.raftlog.api.v1.LogGrpc;
import io.raftlog.server.RaftlogServer;
import io.raftlog.testkit.ClusterTls;
import io.raftlog.testkit.InProcessCluster;
import io.raftlog.testkit.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The principal of a client certificate under each {@code tls.principal-from} rule (TestPki's
 * certificates carry CN=p, DNS localhost and URI spiffe://raftlog.test/p), as the ACL decides for
 * it and a refusal names it; and a broken ACL file stopping a node at start, naming file and line.
 * One node, restarted with each rule.
 */
class PrincipalRulesTest {
  private static final String KIT = ClusterTls.KIT_PRINCIPAL;
  private static final String URI = "spiffe://raftlog.test/";

  @TempDir static Path dir;
  private static TestPki pki;
  private static ClusterTls tls;
  private static Path acl;
  private static InProcessCluster<RaftlogServer> cluster;

  @BeforeAll
  static void start() throws Exception {
    pki = TestPki.create(dir.resolve("pki"));
    tls = ClusterTls.of(pki, "mtls");
    acl = dir.resolve("acl");
    Files.writeString(
        acl,
        String.join(
            "\n",
            "# the kit and the nodes' own calls, under each rule",
            "allow " + KIT + " produce,consume,admin *",
            "allow " + URI + KIT + " produce,consume,admin *",
            "allow localhost admin *",
            "allow " + KIT + " cluster *",
            "allow " + URI + KIT + " cluster *",
            "allow localhost cluster *",
            "allow alice consume by-cn",
            "allow " + URI + "alice consume by-uri",
            ""));
    cluster =
        InProcessCluster.start(
            dir.resolve("nodes"), 1, Map.of("acl.file", acl.toString()), tls, RaftlogServer::start);
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void eachRuleNamesTheCallerItsOwnWay() throws Exception {
    // cn (the default)
    assertNotEquals(Status.Code.PERMISSION_DENIED, aliceConsumes("by-cn").getCode());
    assertRefused(aliceConsumes("by-uri"), "alice may not consume by-uri");

    restartWith(Map.of("tls.principal-from", "san-uri", "tls.node-principal", URI + "node-{id}"));
    assertNotEquals(Status.Code.PERMISSION_DENIED, aliceConsumes("by-uri").getCode());
    assertRefused(aliceConsumes("by-cn"), URI + "alice may not consume by-cn");

    restartWith(Map.of("tls.principal-from", "san-dns")); // every TestPki certificate: localhost
    assertRefused(aliceConsumes("by-cn"), "localhost may not consume by-cn");
  }

  @Test
  void aBrokenAclFileStopsTheNodeNamingTheFileAndTheLine() throws Exception {
    Path broken = dir.resolve("broken-acl");
    Files.writeString(broken, "allow alice consume x\n\nallow bob cosume y\n");
    cluster.stopNode("1");
    try {
      AclFileException e =
          assertThrows(
              AclFileException.class,
              () -> cluster.startNode("1", Map.of("acl.file", broken.toString())));
      assertEquals(
          broken
              + " line 3: unknown operation 'cosume': the operations are produce, consume,"
              + " admin or cluster",
          e.getMessage());
    } finally {
      cluster.startNode("1");
      cluster.awaitLeader();
    }
  }

  private static void restartWith(Map<String, String> changes) {
    cluster.stopNode("1");
    cluster.startNode("1", changes);
    cluster.awaitLeader();
  }

  private static Status aliceConsumes(String stream) {
    ManagedChannel channel =
        NettyChannelBuilder.forTarget(
                cluster.clientAddress("1"), tls.credentials(pki.client("alice")))
            .build();
    try {
      LogGrpc.newBlockingStub(channel)
          .withDeadlineAfter(10, TimeUnit.SECONDS)
          .consume(ConsumeRequest.newBuilder().setStream(stream).build());
      return Status.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus();
    } finally {
      channel.shutdownNow();
    }
  }

  private static void assertRefused(Status s, String start) {
    assertEquals(Status.Code.PERMISSION_DENIED, s.getCode(), s.toString());
    assertTrue(s.getDescription().startsWith(start + " (no rule in " + acl), s.toString());
  }
}
