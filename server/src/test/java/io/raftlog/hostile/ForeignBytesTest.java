package io.raftlog.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.raftlog.api.v1.ConsumeRequest;
import io.raftlog.api.v1.ProduceRequest;
import io.raftlog.api.v1.Record;
import io.raftlog.config.ConfigKeys;
import io.raftlog.server.RaftlogServer;
import io.raftlog.testkit.InProcessCluster;
import io.raftlog.wire.HostPort;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bytes that are not gRPC (or not Raft) on every port of every node, and connections opened and
 * left half done: the node closes them and keeps serving everyone else. Client ports are gRPC
 * (Netty, HTTP/2); Raft ports are SOFA bolt. Issue 12.
 */
class ForeignBytesTest {
  static final int HANDSHAKE_TIMEOUT_MS = 1500;
  static final int KEEPALIVE_MS = io.raftlog.config.NodeConfig.MIN_KEEPALIVE_TIME_MS;
  static final byte[] PREFACE =
      "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

  @TempDir static Path dir;
  static InProcessCluster<RaftlogServer> cluster;

  @BeforeAll
  static void start() {
    cluster =
        InProcessCluster.start(
            dir,
            3,
            Map.of(
                ConfigKeys.HANDSHAKE_TIMEOUT_MS.name(), String.valueOf(HANDSHAKE_TIMEOUT_MS),
                ConfigKeys.KEEPALIVE_TIME_MS.name(), String.valueOf(KEEPALIVE_MS)),
            RaftlogServer::start);
    cluster.awaitShardLeaders();
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  static Map<String, byte[]> payloads() {
    Map<String, byte[]> p = new LinkedHashMap<>();
    byte[] random = new byte[4096];
    new Random(12).nextBytes(random);
    p.put("random bytes", random);
    p.put(
        "an HTTP/1.1 request",
        "GET / HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n"
            .getBytes(StandardCharsets.US_ASCII));
    p.put("a TLS ClientHello", tlsClientHello());
    byte[] garbage = new byte[512];
    new Random(13).nextBytes(garbage);
    p.put("the HTTP/2 preface then garbage", concat(PREFACE, garbage));
    // A SETTINGS frame header declaring 16 MiB - 1 of payload, far over the 16 KiB maximum.
    p.put(
        "a huge declared frame length",
        concat(PREFACE, new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, 4, 0, 0, 0, 0, 0}));
    // Bolt's own header (protocol 1, request) declaring lengths of 2 GiB.
    p.put(
        "a bolt header declaring 2 GiB",
        ByteBuffer.allocate(22)
            .put((byte) 1)
            .put((byte) 1)
            .putShort((short) 1)
            .put((byte) 1)
            .putInt(1)
            .put((byte) 1)
            .putInt(1000)
            .putShort((short) 0x7fff)
            .putShort((short) 0x7fff)
            .put((byte) 0x7f)
            .array());
    return p;
  }

  @Test
  void foreignBytesOnClientPortsAreClosedAndTheNodeKeepsServing() throws Exception {
    for (String id : cluster.ids()) {
      HostPort client = HostPort.parse(cluster.clientAddress(id));
      for (var e : payloads().entrySet()) {
        try (Socket s = new Socket(client.host(), client.port())) {
          s.getOutputStream().write(e.getValue());
          s.getOutputStream().flush();
          assertTrue(closedWithin(s, 5_000), "node " + id + " client port, " + e.getKey());
        }
        servesNormally(id);
      }
    }
  }

  /**
   * Bolt closes a connection on bytes it cannot decode; one that declares a huge frame and then
   * waits is closed by bolt's idle handler (bolt.tcp.server.idle.interval, 90 s), which this test
   * does not wait for: it checks that the node's Raft groups and clients carry on meanwhile.
   */
  @Test
  void foreignBytesOnRaftPortsLeaveRaftWorking() throws Exception {
    List<Socket> held = new ArrayList<>();
    try {
      for (String id : cluster.ids()) {
        HostPort raft = HostPort.parse(cluster.node(id).config().self().raftAddress());
        for (var e : payloads().entrySet()) {
          Socket s = new Socket(raft.host(), raft.port());
          held.add(s);
          s.getOutputStream().write(e.getValue());
          s.getOutputStream().flush();
          if (!e.getKey().startsWith("a bolt header")) {
            assertTrue(closedWithin(s, 5_000), "node " + id + " raft port, " + e.getKey());
          }
        }
        servesNormally(id);
      }
      // Raft still replicates through every node: a write acknowledged by a majority reads back
      // on each.
      String stream = "after-raft-garbage";
      cluster.blocking(cluster.aFollower()).produce(batch(stream, "x"));
      for (String id : cluster.ids()) {
        assertEquals(
            1,
            cluster
                .blocking(id)
                .consume(ConsumeRequest.newBuilder().setStream(stream).build())
                .getRecordsCount());
      }
    } finally {
      for (Socket s : held) {
        s.close();
      }
    }
  }

  /**
   * Hundreds of sockets that send nothing or part of the HTTP/2 preface, and hold: the node keeps
   * serving, and closes them all after net.handshake-timeout-ms (gRPC's own default is 120 s).
   */
  @Test
  void halfOpenConnectionsAreClosedAfterTheHandshakeTimeout() throws Exception {
    String id = cluster.aFollower();
    HostPort client = HostPort.parse(cluster.clientAddress(id));
    List<Socket> held = new ArrayList<>();
    try {
      for (int i = 0; i < 300; i++) {
        Socket s = new Socket(client.host(), client.port());
        held.add(s);
        if (i % 2 == 1) {
          s.getOutputStream().write(PREFACE, 0, 10);
          s.getOutputStream().flush();
        }
      }
      servesNormally(id);
      long deadline =
          System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(HANDSHAKE_TIMEOUT_MS + 8_000);
      for (Socket s : held) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        assertTrue(closedWithin(s, Math.max(1, left)), "a half-open connection still open");
      }
      servesNormally(id);
    } finally {
      for (Socket s : held) {
        s.close();
      }
    }
  }

  /**
   * A peer that finished the handshake and then went silent (its host gone, no FIN): the node pings
   * it after net.keepalive-time-ms and closes it when no answer comes (gRPC's default would ping
   * only after 2 hours).
   */
  @Test
  void aConnectionThatStopsAnsweringPingsIsClosed() throws Exception {
    String id = cluster.aFollower();
    HostPort client = HostPort.parse(cluster.clientAddress(id));
    try (Socket s = new Socket(client.host(), client.port())) {
      // The preface and an empty SETTINGS frame: a finished handshake, then silence.
      s.getOutputStream().write(concat(PREFACE, new byte[] {0, 0, 0, 4, 0, 0, 0, 0, 0}));
      s.getOutputStream().flush();
      assertTrue(closedWithin(s, 2 * KEEPALIVE_MS + 5_000), "a silent connection still open");
    }
    servesNormally(id);
  }

  static void servesNormally(String id) {
    String stream = "serves-" + id;
    long base = cluster.blocking(id).produce(batch(stream, "ok")).getBaseOffset();
    var read =
        cluster
            .blocking(id)
            .consume(ConsumeRequest.newBuilder().setStream(stream).setOffset(base).build());
    assertEquals("ok", read.getRecords(0).getValue().toStringUtf8());
  }

  /** True when the peer closed (EOF or reset) within {@code millis}; reads and drops its bytes. */
  static boolean closedWithin(Socket s, long millis) throws IOException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    InputStream in = s.getInputStream();
    byte[] buf = new byte[8192];
    while (true) {
      long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (left <= 0) {
        return false;
      }
      s.setSoTimeout((int) left);
      try {
        if (in.read(buf) < 0) {
          return true;
        }
      } catch (SocketTimeoutException stillOpen) {
        return false;
      } catch (IOException reset) {
        return true;
      }
    }
  }

  static ProduceRequest batch(String stream, String value) {
    return ProduceRequest.newBuilder()
        .setStream(stream)
        .addRecords(Record.newBuilder().setValue(ByteString.copyFromUtf8(value)))
        .build();
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /** The start of a TLS 1.2 ClientHello record, as a TLS client opens a connection. */
  static byte[] tlsClientHello() {
    byte[] random = new byte[32];
    new Random(14).nextBytes(random);
    ByteBuffer hello = ByteBuffer.allocate(5 + 4 + 2 + 32 + 1 + 4 + 2);
    hello.put(new byte[] {0x16, 0x03, 0x01}).putShort((short) (4 + 2 + 32 + 1 + 4 + 2));
    hello.put((byte) 0x01).put((byte) 0).putShort((short) (2 + 32 + 1 + 4 + 2));
    hello.put(new byte[] {0x03, 0x03}).put(random).put((byte) 0);
    hello.putShort((short) 2).putShort((short) 0x002f);
    hello.put(new byte[] {1, 0});
    return hello.array();
  }
}
