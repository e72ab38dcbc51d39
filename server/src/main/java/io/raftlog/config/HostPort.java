package io.raftlog.config;

/**
 * Checks and splits {@code host:port} strings, so a typo fails at start-up with its own message.
 */
public final class HostPort {
  private HostPort() {}

  static String check(String address) {
    port(address);
    return address.trim();
  }

  public static String host(String address) {
    int colon = address.lastIndexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("address '" + address + "' is not of the form host:port");
    }
    return address.substring(0, colon);
  }

  public static int port(String address) {
    host(address);
    String port = address.substring(address.lastIndexOf(':') + 1).trim();
    try {
      int p = Integer.parseInt(port);
      if (p < 0 || p > 65535) {
        throw new NumberFormatException();
      }
      return p;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("address '" + address + "' has no valid port");
    }
  }
}
