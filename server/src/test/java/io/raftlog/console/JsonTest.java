package io.raftlog.console;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.grpc.Status.Code;
import org.junit.jupiter.api.Test;

/** The strings the console writes into its JSON stay strings, whatever they hold. */
class JsonTest {
  @Test
  void quotesEscapeWhatJsonNeedsAndMarkup() {
    assertEquals("\"plain\"", Json.quote("plain"));
    assertEquals("\"a\\\"b\\\\c\\n\\u0001\"", Json.quote("a\"b\\c\n\u0001"));
    assertEquals("\"\\u003cscript\\u003e\\u0026\"", Json.quote("<script>&"));
    assertEquals("\"\\u2028\"", Json.quote("\u2028"));
  }

  @Test
  void grpcStatusesMapAsGatewaysDo() {
    assertEquals(404, Exchanges.httpStatus(Code.NOT_FOUND));
    assertEquals(400, Exchanges.httpStatus(Code.INVALID_ARGUMENT));
    assertEquals(400, Exchanges.httpStatus(Code.OUT_OF_RANGE));
    assertEquals(503, Exchanges.httpStatus(Code.UNAVAILABLE));
    assertEquals(429, Exchanges.httpStatus(Code.RESOURCE_EXHAUSTED));
    assertEquals(504, Exchanges.httpStatus(Code.DEADLINE_EXCEEDED));
  }
}
