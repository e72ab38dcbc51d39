package io.raftlog.collector;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The bounds on OTLP/HTTP bodies: one body at most its limit, also once gunzipped (a gzip bomb
 * stops there), and all bodies held at once at most the budget, given back when answered.
 */
class RequestBodiesTest {
  static ByteArrayInputStream bytes(int n) {
    return new ByteArrayInputStream(new byte[n]);
  }

  @Test
  void bodiesHeldAtOnceStayWithinTheBudgetUntilAnswered() throws Exception {
    RequestBodies bodies = new RequestBodies(100, 150);
    RequestBodies.Body first = bodies.read(bytes(80), 80, false);
    assertEquals(80, first.length());
    assertEquals(81, bodies.held());
    assertThrows(RequestBodies.Overloaded.class, () -> bodies.read(bytes(80), 80, false));
    assertEquals(81, bodies.held(), "a refused body gives back what it took");
    first.close();
    assertEquals(0, bodies.held());
    try (RequestBodies.Body second = bodies.read(bytes(80), -1, false)) {
      assertEquals(80, second.length());
    }
    assertEquals(0, bodies.held());
  }

  @Test
  void aBodyHoldsWhatItSentNotWhatItAnnounced() throws Exception {
    RequestBodies bodies = new RequestBodies(10 << 20, 20 << 20);
    try (RequestBodies.Body body = bodies.read(bytes(10), 5 << 20, false)) {
      assertEquals(10, body.length());
      assertEquals(64 << 10, bodies.held()); // the first chunk, not 5 MiB
    }
    try (RequestBodies.Body body = bodies.read(bytes(200_000), 200_000, false)) {
      assertEquals(200_000, body.length());
      assertEquals(200_001, bodies.held()); // doubled up to the announced length, not past it
    }
  }

  @Test
  void aBodyOverTheLimitIsTooLargeAnnouncedOrNotAndGzippedOrNot() throws Exception {
    RequestBodies bodies = new RequestBodies(1000, 10_000);
    assertThrows(RequestBodies.TooLarge.class, () -> bodies.read(bytes(0), 1001, false));
    assertThrows(RequestBodies.TooLarge.class, () -> bodies.read(bytes(1001), -1, false));
    byte[] bomb = OtlpHttp.gzip(new byte[1_000_000]);
    assertThrows(
        RequestBodies.TooLarge.class,
        () -> bodies.read(new ByteArrayInputStream(bomb), bomb.length, true));
    assertEquals(0, bodies.held());
    try (RequestBodies.Body exact = bodies.read(bytes(1000), -1, false)) {
      assertEquals(1000, exact.length());
    }
  }

  @Test
  void gzipIsUnzippedAndBrokenGzipIsBadGzip() throws Exception {
    RequestBodies bodies = new RequestBodies(1 << 20, 4 << 20);
    byte[] data = "hello, gzip".repeat(1000).getBytes();
    byte[] zipped = OtlpHttp.gzip(data);
    try (RequestBodies.Body body =
        bodies.read(new ByteArrayInputStream(zipped), zipped.length, true)) {
      assertArrayEquals(data, Arrays.copyOf(body.bytes(), body.length()));
    }
    assertThrows(
        RequestBodies.BadGzip.class, () -> bodies.read(new ByteArrayInputStream(data), -1, true));
    byte[] cut = Arrays.copyOf(zipped, zipped.length / 2);
    assertThrows(
        RequestBodies.BadGzip.class, () -> bodies.read(new ByteArrayInputStream(cut), -1, true));
    assertEquals(0, bodies.held());
  }
}
