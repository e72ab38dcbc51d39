package io.raftlog.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A tiny TCP server and client for {@link NetworkNamespacesTest}, run as a process inside a
 * namespace: {@code EchoOk PORT} answers "ok" to each connection until killed; {@code EchoOk
 * connect HOST:PORT} exits 0 after reading "ok", 1 if it cannot within 2 s.
 */
public final class EchoOk {
  private EchoOk() {}

  public static void main(String[] args) throws IOException {
    if (args[0].equals("connect")) {
      String[] hp = args[1].split(":");
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(hp[0], Integer.parseInt(hp[1])), 2000);
        s.setSoTimeout(2000);
        InputStream in = s.getInputStream();
        byte[] b = in.readNBytes(2);
        System.out.println(new String(b, StandardCharsets.US_ASCII));
        System.exit(new String(b, StandardCharsets.US_ASCII).equals("ok") ? 0 : 1);
      } catch (IOException e) {
        System.out.println("failed: " + e);
        System.exit(1);
      }
    }
    try (ServerSocket server = new ServerSocket(Integer.parseInt(args[0]))) {
      while (true) {
        try (Socket s = server.accept();
            OutputStream out = s.getOutputStream()) {
          out.write("ok".getBytes(StandardCharsets.US_ASCII));
        }
      }
    }
  }
}
