package io.raftlog.cli;

import com.google.protobuf.ByteString;
import io.raftlog.api.v1.Header;
import io.raftlog.api.v1.Record;
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
 *       base64 under {@code value_base64} / {@code key_base64} instead.
 *   <li>{@code hex}: {@code offset<TAB>value in lowercase hex}.
 * </ul>
 */
public enum RecordFormat {
  TEXT {
    @Override
    String format(Record r) {
      return r.getValue().toStringUtf8();
    }
  },
  JSON {
    @Override
    String format(Record r) {
      StringBuilder b = new StringBuilder(64 + r.getValue().size() * 2);
      b.append("{\"offset\":").append(Long.toUnsignedString(r.getOffset()));
      b.append(",\"timestamp_ms\":").append(r.getTimestampMs());
      if (r.getKey().isEmpty()) {
        b.append(",\"key\":null");
      } else {
        bytesField(b, "key", r.getKey());
      }
      bytesField(b, "value", r.getValue());
      if (r.getHeadersCount() > 0) {
        b.append(",\"headers\":[");
        for (int i = 0; i < r.getHeadersCount(); i++) {
          Header h = r.getHeaders(i);
          b.append(i == 0 ? "{" : ",{").append("\"key\":");
          string(b, h.getKey());
          bytesField(b, "value", h.getValue());
          b.append('}');
        }
        b.append(']');
      }
      return b.append('}').toString();
    }
  },
  HEX {
    @Override
    String format(Record r) {
      return Long.toUnsignedString(r.getOffset())
          + '\t'
          + HexFormat.of().formatHex(r.getValue().toByteArray());
    }
  };

  /** The record as one line, without the line break. */
  abstract String format(Record r);

  /** {@code ,"name":"utf-8 text"}, or {@code ,"name_base64":"..."} when the bytes are not UTF-8. */
  private static void bytesField(StringBuilder b, String name, ByteString bytes) {
    if (bytes.isValidUtf8()) {
      b.append(",\"").append(name).append("\":");
      string(b, bytes.toStringUtf8());
    } else {
      b.append(",\"").append(name).append("_base64\":\"");
      b.append(Base64.getEncoder().encodeToString(bytes.toByteArray())).append('"');
    }
  }

  /** A JSON string literal (RFC 8259), with U+2028 and U+2029 escaped too for JavaScript. */
  static void string(StringBuilder b, String s) {
    b.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        case '\b' -> b.append("\\b");
        case '\f' -> b.append("\\f");
        default -> {
          if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029') {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    b.append('"');
  }
}
