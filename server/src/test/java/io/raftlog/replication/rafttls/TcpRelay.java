package io.raftlog.replication.rafttls;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP relay on a node's advertised Raft address that passes every connection on to the port the
 * node binds ({@code node.raft-listen-port}) and keeps a copy of every byte that crossed, both
 * ways: what a sniffer on the network between two nodes would see. One thread per direction.
 */
final class TcpRelay implements AutoCloseable {
  /** More than this is not kept (a test needs the first megabytes). */
  private static final int MAX_KEPT = 64 << 20;

  private final ServerSocket listener;
  private final int targetPort;
  private final ByteArrayOutputStream seen = new ByteArrayOutputStream();
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();

  TcpRelay(int listenPort, int targetPort) throws IOException {
    this.listener = new ServerSocket();
    listener.setReuseAddress(true);
    listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), listenPort));
    this.targetPort = targetPort;
    Thread accept = new Thread(this::accept, "relay-" + listenPort);
    accept.setDaemon(true);
    accept.start();
  }

  private void accept() {
    while (!listener.isClosed()) {
      try {
        Socket in = listener.accept();
        sockets.add(in);
        try {
          Socket out = new Socket(InetAddress.getLoopbackAddress(), targetPort);
          sockets.add(out);
          pump(in, out);
          pump(out, in);
        } catch (IOException nodeDown) {
          closeQuietly(in); // the caller sees its connection fail, as without the relay
        }
      } catch (IOException e) {
        // the relay is closed
      }
    }
  }

  private void pump(Socket from, Socket to) {
    Thread t =
        new Thread(
            () -> {
              byte[] buf = new byte[16 << 10];
              try (InputStream in = from.getInputStream()) {
                OutputStream out = to.getOutputStream();
                int n;
                while ((n = in.read(buf)) >= 0) {
                  keep(buf, n);
                  out.write(buf, 0, n);
                }
              } catch (IOException e) {
                // one side closed
              } finally {
                closeQuietly(from);
                closeQuietly(to);
              }
            },
            "relay-pump");
    t.setDaemon(true);
    t.start();
  }

  private synchronized void keep(byte[] buf, int n) {
    if (seen.size() + n <= MAX_KEPT) {
      seen.write(buf, 0, n);
    }
  }

  /** Every byte that crossed so far, in both directions. */
  synchronized byte[] seen() {
    return seen.toByteArray();
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // closing anyway
    }
  }

  @Override
  public void close() throws IOException {
    listener.close();
    sockets.forEach(TcpRelay::closeQuietly);
  }
}
