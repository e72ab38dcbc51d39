package io.raftlog.replication.rafttls;

import io.raftlog.testkit.TestPki;
import io.raftlog.tls.PemFiles;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/** Raw connections to a node's Raft port, as a test's stranger or peer makes them. */
final class RaftPortProbe {
  private RaftPortProbe() {}

  /** What became of a connection given a few seconds. */
  enum Outcome {
    /** The node closed it or sent a TLS alert: refused. */
    REFUSED,
    /** Still open after the wait: the node took it. */
    OPEN
  }

  /** A TLS client showing {@code who}'s certificate (or none when null), trusting {@code ca}. */
  static SSLContext client(TestPki.Issued who, Path ca) throws Exception {
    KeyManagerFactory kmf = null;
    if (who != null) {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry(
          "me",
          PemFiles.privateKey("key", who.key()),
          new char[0],
          PemFiles.certificates("cert", who.cert()).toArray(new X509Certificate[0]));
      kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, new char[0]);
    }
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", PemFiles.certificates("ca", ca).get(0));
    TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
    tmf.init(trust);
    SSLContext c = SSLContext.getInstance("TLS");
    c.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    return c;
  }

  /**
   * Connects in TLS to {@code hostPort}, handshakes, and waits up to {@code waitMs} for the node to
   * close or refuse (TLS 1.3 ends the client's handshake before the server judged its certificate).
   */
  static Outcome tls(SSLContext context, String hostPort, int waitMs) throws IOException {
    try (SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket()) {
      s.connect(address(hostPort), 3_000);
      s.setSoTimeout(waitMs);
      try {
        s.startHandshake();
        return waitForClose(s.getInputStream());
      } catch (IOException e) { // an alert (SSLException) or a reset
        return Outcome.REFUSED;
      }
    }
  }

  /** The serial of the certificate the node shows on a new TLS connection. */
  static BigInteger serverSerial(SSLContext context, String hostPort) throws IOException {
    try (SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket()) {
      s.connect(address(hostPort), 3_000);
      s.setSoTimeout(5_000);
      s.startHandshake();
      return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSerialNumber();
    }
  }

  /** Connects in plaintext, sends {@code bytes} and waits up to {@code waitMs} for a close. */
  static Outcome plaintext(String hostPort, byte[] bytes, int waitMs) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(address(hostPort), 3_000);
      s.setSoTimeout(waitMs);
      try {
        s.getOutputStream().write(bytes);
        s.getOutputStream().flush();
      } catch (IOException e) {
        return Outcome.REFUSED; // reset before the bytes were all written
      }
      return waitForClose(s.getInputStream());
    }
  }

  /**
   * Connects and sends nothing (a slow handshake); completes with the milliseconds until the node
   * closed the connection, or with 30 000 when it did not.
   */
  static CompletableFuture<Long> silent(String hostPort) {
    return CompletableFuture.supplyAsync(
        () -> {
          long start = System.nanoTime();
          try (Socket s = new Socket()) {
            s.connect(address(hostPort), 3_000);
            s.setSoTimeout(30_000);
            waitForClose(s.getInputStream());
          } catch (IOException e) {
            // closed
          }
          return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        });
  }

  private static Outcome waitForClose(InputStream in) {
    try {
      while (in.read() >= 0) {
        // a refusal may come after some bytes (an alert); read on to the close
      }
      return Outcome.REFUSED;
    } catch (SocketTimeoutException e) {
      return Outcome.OPEN;
    } catch (IOException e) {
      return Outcome.REFUSED; // an alert or a reset
    }
  }

  private static InetSocketAddress address(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    return new InetSocketAddress(
        hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
  }
}
