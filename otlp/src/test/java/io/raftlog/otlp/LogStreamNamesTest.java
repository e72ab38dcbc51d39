package io.raftlog.otlp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The stream a resource's logs go to: the pattern's rules and the patterns refused. */
class LogStreamNamesTest {
  static final LogStreamNames DEFAULT = new LogStreamNames(LogStreamNames.DEFAULT_PATTERN);

  @Test
  void theDefaultIsLogsDotServiceName() {
    assertEquals("logs.checkout", DEFAULT.streamFor(resource("service.name", "checkout")));
  }

  @Test
  void charactersOutsideTheRuleBecomeUnderscores() {
    assertEquals(
        "logs.pay_ment/caf__", DEFAULT.streamFor(resource("service.name", "pay ment/café!")));
    // One underscore per character, not per UTF-8 byte or UTF-16 unit: 😀 is one code point.
    assertEquals("logs.a_b", DEFAULT.streamFor(resource("service.name", "a😀b")));
  }

  @Test
  void aMissingOrEmptyServiceNameIsUnknownService() {
    assertEquals("logs.unknown_service", DEFAULT.streamFor(Resource.getDefaultInstance()));
    assertEquals("logs.unknown_service", DEFAULT.streamFor(resource("service.name", "")));
  }

  @Test
  void otherAttributesFillThePatternAndMissingOnesAreUnknown() {
    LogStreamNames names = new LogStreamNames("{deployment.environment}/{service.name}.log");
    Resource r =
        resource("service.name", "web").toBuilder()
            .addAttributes(kv("deployment.environment", "prod"))
            .build();
    assertEquals("prod/web.log", names.streamFor(r));
    assertEquals("unknown/web.log", names.streamFor(resource("service.name", "web")));
    Resource numbered =
        Resource.newBuilder()
            .addAttributes(
                KeyValue.newBuilder()
                    .setKey("service.name")
                    .setValue(AnyValue.newBuilder().setIntValue(7)))
            .build();
    assertEquals("logs.7", DEFAULT.streamFor(numbered));
  }

  @Test
  void aFixedPatternSendsEverythingToOneStream() {
    assertEquals(
        "all-logs", new LogStreamNames("all-logs").streamFor(resource("service.name", "x")));
  }

  @Test
  void aNameLongerThanTheLimitIsCutTo255() {
    String s = DEFAULT.streamFor(resource("service.name", "x".repeat(400)));
    assertEquals(255, s.length());
    assertTrue(s.startsWith("logs.xxx"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "logs.{service.name",
        "logs.{}",
        "logs {service.name}",
        "lögs.{service.name}",
        "logs}.{service.name}"
      })
  void aPatternThatCannotGiveAValidNameIsRefusedSayingWhy(String pattern) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new LogStreamNames(pattern));
    assertTrue(e.getMessage().startsWith("otlp.stream-pattern '" + pattern + "'"), e.getMessage());
  }

  static Resource resource(String key, String value) {
    return Resource.newBuilder().addAttributes(kv(key, value)).build();
  }

  static KeyValue kv(String key, String value) {
    return KeyValue.newBuilder()
        .setKey(key)
        .setValue(AnyValue.newBuilder().setStringValue(value))
        .build();
  }
}
