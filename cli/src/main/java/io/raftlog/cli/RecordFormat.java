package io.raftlog.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.google.protobuf.ByteString;
import io.raftlog.api.v1.Header;
import io.raftlog.api.v1.Record;
import io.raftlog.otlp.LogDecoder;
import io.raftlog.otlp.LogEntry;
import io.raftlog.otlp.LogJson;
import io.raftlog.otlp.LogLine;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.HexFormat;

/**
 * How {@code raftlog consume} prints a record: one record per line in every format.
 *
 * <ul>
 *   <li>{@code text}: the value as UTF-8 (bytes that are not UTF-8 show as U+FFFD; a value holding
 *       a newline spans lines: use json or hex for such values).
 *   <li>{@code json}: {@code {"offset":7,"timestamp_ms":1700000000000,"key":"k","value":"v"}}, with
 *       {@code "key":null} for a record without a key, {@code "headers":[{"key":..,"value":..}]}
 *       only when it has headers, and a value, key or header value that is not valid UTF-8 as
 *       base64 under {@code value_base64} / {@code key_base64} instead. A record that keeps a
 *       structured log (OTLP or JSON, {@link LogDecoder#isLog}) has {@code "log":{...}} ({@link
 *       LogJson}'s object) in place of its value.
 *   <li>{@code hex}: {@code offset<TAB>value in lowercase hex}.
 *   <li>{@code log}: the log the record keeps, as {@link LogLine} prints it; a record that is no
 *       structured log is a text line.
 * </ul>
 */
public enum RecordFormat {
  TEXT {
    @Override
    String format(Record r, LogEntry log) {
      return r.getValue().toStringUtf8();
    }
  },
  JSON {
    @Override
    String format(Record r, LogEntry log) {
      StringWriter out = new StringWriter(64 + r.getValue().size() * 2);
      try (JsonGenerator g = Json.FACTORY.createGenerator(out)) {
        g.writeStartObject();
        g.writeFieldName("offset");
        g.writeNumber(Long.toUnsignedString(r.getOffset()));
        g.writeNumberField("timestamp_ms", r.getTimestampMs());
        if (r.getKey().isEmpty()) {
          g.writeNullField("key");
        } else {
          bytesField(g, "key", r.getKey());
        }
        if (log != null && LogDecoder.isLog(r)) {
          g.writeFieldName("log");
          LogJson.write(g, log);
        } else {
          bytesField(g, "value", r.getValue());
        }
        if (r.getHeadersCount() > 0) {
          g.writeArrayFieldStart("headers");
          for (Header h : r.getHeadersList()) {
            g.writeStartObject();
            g.writeStringField("key", h.getKey());
            bytesField(g, "value", h.getValue());
            g.writeEndObject();
          }
          g.writeEndArray();
        }
        g.writeEndObject();
      } catch (IOException e) {
        throw new UncheckedIOException(e); // a StringWriter does not fail
      }
      return out.toString();
    }
  },
  HEX {
    @Override
    String format(Record r, LogEntry log) {
      return Long.toUnsignedString(r.getOffset())
          + '\t'
          + HexFormat.of().formatHex(r.getValue().toByteArray());
    }
  },
  LOG {
    @Override
    String format(Record r, LogEntry log) {
      return LogLine.format(log != null ? log : LogDecoder.text(r));
    }
  };

  /** The record as one line, without the line break, read as no log (its value as it is). */
  String format(Record r) {
    return format(r, null);
  }

  /**
   * The record as one line, without the line break; {@code log}: the log it keeps ({@link
   * LogDecoder#decode}), or null to print its value as it is (a log that could not be read).
   */
  abstract String format(Record r, LogEntry log);

  /** Whether this format prints the log a record keeps (so the record must be decoded). */
  boolean showsLog(Record r) {
    return this == LOG || (this == JSON && LogDecoder.isLog(r));
  }

  /** {@code "name":"utf-8 text"}, or {@code "name_base64":"..."} when the bytes are not UTF-8. */
  private static void bytesField(JsonGenerator g, String name, ByteString bytes)
      throws IOException {
    if (bytes.isValidUtf8()) {
      g.writeStringField(name, bytes.toStringUtf8());
    } else {
      g.writeStringField(name + "_base64", Base64.getEncoder().encodeToString(bytes.toByteArray()));
    }
  }

  /**
   * The JSON writer: compact, string literals as RFC 8259 has them with lowercase hex, and U+007F,
   * U+2028 and U+2029 escaped too (the last two for JavaScript). Thread-safe.
   */
  private static final class Json extends CharacterEscapes {
    static final JsonFactory FACTORY =
        new JsonFactoryBuilder()
            .disable(JsonWriteFeature.WRITE_HEX_UPPER_CASE)
            .characterEscapes(new Json())
            .build();

    private final int[] ascii = standardAsciiEscapesForJSON();

    private Json() {
      ascii[0x7f] = ESCAPE_CUSTOM;
    }

    @Override
    public int[] getEscapeCodesForAscii() {
      return ascii;
    }

    @Override
    public SerializableString getEscapeSequence(int ch) {
      return switch (ch) {
        case 0x7f -> new SerializedString("\\u007f");
        case 0x2028 -> new SerializedString("\\u2028");
        case 0x2029 -> new SerializedString("\\u2029");
        default -> null;
      };
    }
  }
}
