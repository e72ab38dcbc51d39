package io.raftlog.wire;

/**
 * A {@code host:port} address, as nodes are named in {@code cluster.peers} and in a client's server
 * list: one rule for both, so an address one side takes the other takes too.
 */
public record HostPort(String host, int port) {

  /**
   * Parses {@code host:port} (the host may be an IPv6 literal in brackets; the port is 1 to 65535).
   *
   * @throws IllegalArgumentException naming the address and what is wrong with it
   */
  public static HostPort parse(String address) {
    String a = address.trim();
    int colon = a.lastIndexOf(':');
    if (colon <= 0 || colon == a.length() - 1) {
      throw new IllegalArgumentException("address '" + address + "' is not of the form host:port");
    }
    int port;
    try {
      port = Integer.parseInt(a.substring(colon + 1));
    } catch (NumberFormatException e) {
      port = -1;
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException(
          "address '" + address + "' has no valid port (a number from 1 to 65535)");
    }
    return new HostPort(a.substring(0, colon), port);
  }

  /** {@code address}, trimmed, if it parses; else the exception of {@link #parse}. */
  public static String check(String address) {
    return parse(address).toString();
  }

  /** A comma-separated list of addresses, each checked as {@link #check} does; blanks skipped. */
  public static java.util.List<String> checkList(String addresses) {
    java.util.List<String> out = new java.util.ArrayList<>();
    for (String a : addresses.split(",")) {
      if (!a.isBlank()) {
        out.add(check(a));
      }
    }
    return java.util.List.copyOf(out);
  }

  @Override
  public String toString() {
    return host + ":" + port;
  }
}
