package io.raftlog.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.ByteString;
import io.raftlog.api.v1.Header;
import io.raftlog.api.v1.Record;
import io.raftlog.otlp.LogDecoder;
import io.raftlog.otlp.LogEntry;
import io.raftlog.otlp.LogValues;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

/** The output formats and option parsing, without a cluster. */
class RecordFormatTest {
  private static final String AWKWARD = "q\"b\\s/\n\r\t\b\f\u0001\u007f\u2028 \u00e9 \ud83d\ude00";

  /** A record with {@code text} as key and value, a header to escape and one not in UTF-8. */
  private static Record awkward(long offset, long timestampMs, String text) {
    return Record.newBuilder()
        .setOffset(offset)
        .setTimestampMs(timestampMs)
        .setKey(ByteString.copyFromUtf8(text))
        .setValue(ByteString.copyFromUtf8(text))
        .addHeaders(Header.newBuilder().setKey("h\"1").setValue(ByteString.copyFromUtf8("v")))
        .addHeaders(
            Header.newBuilder().setKey("bin").setValue(ByteString.copyFrom(new byte[] {-1})))
        .build();
  }

  @Test
  void jsonEscapesEverythingAndParsesBack() {
    Record r = awkward(42, 1_700_000_000_123L, AWKWARD);
    String line = RecordFormat.JSON.format(r);
    assertEquals(1, line.lines().count(), line);
    JsonObject o = JsonParser.parseString(line).getAsJsonObject();
    assertEquals(42, o.get("offset").getAsLong());
    assertEquals(1_700_000_000_123L, o.get("timestamp_ms").getAsLong());
    assertEquals(AWKWARD, o.get("key").getAsString());
    assertEquals(AWKWARD, o.get("value").getAsString());
    assertEquals(
        "h\"1", o.getAsJsonArray("headers").get(0).getAsJsonObject().get("key").getAsString());
    assertEquals(
        "/w==",
        o.getAsJsonArray("headers").get(1).getAsJsonObject().get("value_base64").getAsString());
  }

  @Test
  void jsonIsByteForByteTheDocumentedForm() {
    Record r = awkward(-1, -5, AWKWARD + "\u0000\u001f\u2029");
    String escaped =
        "\"q\\\"b\\\\s/\\n\\r\\t\\b\\f\\u0001\\u007f\\u2028 \u00e9 \ud83d\ude00"
            + "\\u0000\\u001f\\u2029\"";
    assertEquals(
        "{\"offset\":18446744073709551615,\"timestamp_ms\":-5,\"key\":"
            + escaped
            + ",\"value\":"
            + escaped
            + ",\"headers\":[{\"key\":\"h\\\"1\",\"value\":\"v\"},"
            + "{\"key\":\"bin\",\"value_base64\":\"/w==\"}]}",
        RecordFormat.JSON.format(r));
  }

  @Test
  void jsonGivesBytesThatAreNotUtf8AsBase64() {
    Record r =
        Record.newBuilder()
            .setOffset(1)
            .setKey(ByteString.copyFrom(new byte[] {(byte) 0xc3}))
            .setValue(ByteString.copyFrom(new byte[] {0, (byte) 0x80, 'a'}))
            .build();
    assertEquals(
        "{\"offset\":1,\"timestamp_ms\":0,\"key_base64\":\"ww==\",\"value_base64\":\"AIBh\"}",
        RecordFormat.JSON.format(r));
    assertEquals(
        "{\"offset\":2,\"timestamp_ms\":0,\"key\":null,\"value\":\"\"}",
        RecordFormat.JSON.format(Record.newBuilder().setOffset(2).build()));
  }

  @Test
  void jsonShowsALogInPlaceOfItsValueWithTheSameEscapes() throws Exception {
    LogEntry log = new LogEntry(0, 0, "", "a\u2028b\u007f", Map.of(), Map.of(), "", "");
    Record r = LogValues.json(log).toBuilder().setOffset(3).build();
    assertEquals(
        "{\"offset\":3,\"timestamp_ms\":0,\"key\":null,"
            + "\"log\":{\"body\":\"a\\u2028b\\u007f\"},"
            + "\"headers\":[{\"key\":\"content-type\",\"value\":\"application/json\"}]}",
        RecordFormat.JSON.format(r, LogDecoder.decode(r)));
    // a text line decoded (as a filter does) still prints its value
    Record line = Record.newBuilder().setOffset(4).setValue(ByteString.copyFromUtf8("x")).build();
    assertEquals(
        "{\"offset\":4,\"timestamp_ms\":0,\"key\":null,\"value\":\"x\"}",
        RecordFormat.JSON.format(line, LogDecoder.decode(line)));
    assertEquals("- -     - x", RecordFormat.LOG.format(line));
  }

  @Test
  void textAndHex() {
    Record r =
        Record.newBuilder().setOffset(7).setValue(ByteString.copyFromUtf8("h\u00e9")).build();
    assertEquals("h\u00e9", RecordFormat.TEXT.format(r));
    assertEquals("7\t68c3a9", RecordFormat.HEX.format(r));
    assertEquals("0\t", RecordFormat.HEX.format(Record.getDefaultInstance()));
  }

  @Test
  void durations() {
    Units.PositiveDurationConverter c = new Units.PositiveDurationConverter();
    assertEquals(Duration.ofMillis(250), c.convert("250ms"));
    assertEquals(Duration.ofSeconds(2), c.convert("2s"));
    assertEquals(Duration.ofSeconds(2), c.convert("2"));
    assertEquals(Duration.ofMillis(1500), c.convert("1.5s"));
    assertEquals(Duration.ofMinutes(3), c.convert("3m"));
    assertEquals(Duration.ofHours(1), c.convert("1H"));
    assertEquals(Duration.ofSeconds(5), c.convert("PT5S"));
    for (String bad : new String[] {"", "0", "-1s", "soon", "5 days", "P"}) {
      assertThrows(TypeConversionException.class, () -> c.convert(bad), bad);
    }
  }
}
