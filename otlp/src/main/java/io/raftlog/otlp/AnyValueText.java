package io.raftlog.otlp;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Base64;

/**
 * An OTLP {@code AnyValue} (a log's body, an attribute's value) as the text a {@link LogEntry}
 * holds: a string as it is; a bool, an int or a double as its literal ({@code true}, {@code 42},
 * {@code 1.5}); bytes in base64; an array or a key-value list as compact JSON, its strings quoted,
 * its bytes base64 strings, a double that JSON cannot hold ({@code NaN}, infinities) a string, an
 * empty value {@code null}. An empty value outside JSON is the empty string. Stateless.
 */
final class AnyValueText {
  private AnyValueText() {}

  private static final JsonFactory FACTORY = new JsonFactory();

  static String text(AnyValue v) {
    return switch (v.getValueCase()) {
      case STRING_VALUE -> v.getStringValue();
      case BOOL_VALUE -> Boolean.toString(v.getBoolValue());
      case INT_VALUE -> Long.toString(v.getIntValue());
      case DOUBLE_VALUE -> Double.toString(v.getDoubleValue());
      case BYTES_VALUE -> Base64.getEncoder().encodeToString(v.getBytesValue().toByteArray());
      case ARRAY_VALUE, KVLIST_VALUE -> json(v);
      case VALUE_NOT_SET -> "";
    };
  }

  private static String json(AnyValue v) {
    StringWriter out = new StringWriter(64);
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      write(g, v);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a StringWriter does not fail
    }
    return out.toString();
  }

  // Recursion is bounded: protobuf refuses to parse a message nested more than 100 deep.
  private static void write(JsonGenerator g, AnyValue v) throws IOException {
    switch (v.getValueCase()) {
      case STRING_VALUE -> g.writeString(v.getStringValue());
      case BOOL_VALUE -> g.writeBoolean(v.getBoolValue());
      case INT_VALUE -> g.writeNumber(v.getIntValue());
      case DOUBLE_VALUE -> {
        double d = v.getDoubleValue();
        if (Double.isFinite(d)) {
          g.writeNumber(d);
        } else {
          g.writeString(Double.toString(d));
        }
      }
      case BYTES_VALUE ->
          g.writeString(Base64.getEncoder().encodeToString(v.getBytesValue().toByteArray()));
      case ARRAY_VALUE -> {
        g.writeStartArray();
        for (AnyValue e : v.getArrayValue().getValuesList()) {
          write(g, e);
        }
        g.writeEndArray();
      }
      case KVLIST_VALUE -> {
        g.writeStartObject();
        for (KeyValue kv : v.getKvlistValue().getValuesList()) {
          g.writeFieldName(kv.getKey());
          write(g, kv.getValue());
        }
        g.writeEndObject();
      }
      case VALUE_NOT_SET -> g.writeNull();
    }
  }
}
