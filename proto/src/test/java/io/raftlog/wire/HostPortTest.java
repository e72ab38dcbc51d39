package io.raftlog.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** One address rule for nodes and clients: what one accepts, the other accepts. */
class HostPortTest {

  @Test
  void parsesHostAndPortTrimmingSpaces() {
    assertEquals(new HostPort("127.0.0.1", 9001), HostPort.parse(" 127.0.0.1:9001 "));
    assertEquals(new HostPort("[::1]", 9001), HostPort.parse("[::1]:9001"));
    assertEquals("node-1.example:1", HostPort.check("node-1.example:1"));
  }

  @Test
  void portZeroIsRejectedLikeEveryPortOutsideOneTo65535() {
    for (String bad : new String[] {"h:0", "h:65536", "h:-1", "h:x", "h:9001 1"}) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> HostPort.parse(bad), bad);
      assertEquals(
          "address '" + bad + "' has no valid port (a number from 1 to 65535)", e.getMessage());
    }
  }

  @Test
  void anAddressWithoutHostOrPortIsNamed() {
    for (String bad : new String[] {"9001", ":9001", "h:", ""}) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> HostPort.parse(bad), bad);
      assertEquals("address '" + bad + "' is not of the form host:port", e.getMessage());
    }
  }
}
