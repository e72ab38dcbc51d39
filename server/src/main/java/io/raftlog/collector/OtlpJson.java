package io.raftlog.collector;

import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.JsonWriter;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.TypeRegistry;
import com.google.protobuf.util.JsonFormat;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import com.google.rpc.RetryInfo;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Set;

/**
 * OTLP/JSON (the spec's "JSON Protobuf Encoding"): proto3's JSON mapping with OTLP's deviations.
 * Trace and span ids are hex, not base64, so they are rewritten to base64 in one streaming pass
 * before protobuf-java-util's {@link JsonFormat} parses the rest, which already accepts what OTLP
 * asks of a receiver: lowerCamelCase keys (and the proto's own names), enums as integers, 64-bit
 * integers as strings or numbers, and unknown fields ignored ({@code ignoringUnknownFields}: the
 * spec says a receiver MUST ignore them).
 *
 * <p>Stateless; any thread.
 */
final class OtlpJson {
  /** The fields OTLP writes in hex, under either spelling. */
  private static final Set<String> HEX_FIELDS = Set.of("traceId", "spanId", "trace_id", "span_id");

  /** The status details a failure can carry, so they print as JSON. */
  private static final TypeRegistry DETAILS =
      TypeRegistry.newBuilder()
          .add(RetryInfo.getDescriptor())
          .add(BadRequest.getDescriptor())
          .add(ErrorInfo.getDescriptor())
          .build();

  private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();
  private static final JsonFormat.Printer PRINTER =
      JsonFormat.printer().usingTypeRegistry(DETAILS).omittingInsignificantWhitespace();

  private OtlpJson() {}

  /** Thrown for a body that is not an OTLP/JSON export; its message says where it broke. */
  static final class BadJson extends Exception {
    BadJson(String message) {
      super(message, null, false, false);
    }
  }

  /** The export {@code length} bytes of {@code body} hold. */
  static ExportLogsServiceRequest parse(byte[] body, int length) throws BadJson {
    String text = utf8(body, length);
    String base64Ids = copy(text, true);
    ExportLogsServiceRequest.Builder b = ExportLogsServiceRequest.newBuilder();
    try {
      PARSER.merge(base64Ids, b);
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      throw new BadJson(
          "the body is not an OTLP/JSON ExportLogsServiceRequest: "
              + String.valueOf(e.getMessage()));
    }
    return b.build();
  }

  /**
   * {@code m} as JSON (proto3's mapping; these answers hold no ids and no enums). JsonFormat writes
   * {@code '} as {@code \u0027} (and {@code <>&=} likewise), which a person reading an error with
   * curl should not have to decode: its output is copied once more with those as they are.
   */
  static String print(Message m) {
    try {
      return copy(PRINTER.print(m), false);
    } catch (InvalidProtocolBufferException e) {
      // A status detail of a type not registered above: the rest says enough.
      throw new IllegalArgumentException(e);
    } catch (BadJson e) {
      throw new IllegalStateException("JsonFormat wrote invalid JSON", e);
    }
  }

  private static String utf8(byte[] body, int length) throws BadJson {
    ByteBuffer in = ByteBuffer.wrap(body, 0, length);
    try {
      CharBuffer chars =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(in);
      return chars.toString();
    } catch (CharacterCodingException e) {
      throw new BadJson(
          "the body is not UTF-8 (JSON must be): the bytes at offset "
              + in.position()
              + " are no UTF-8 character");
    }
  }

  /**
   * {@code json} copied token by token, so a syntax error is reported here with its line, column
   * and path; with {@code hexIds}, every trace and span id is turned from hex into base64 (what
   * proto3's JSON mapping reads for bytes) on the way.
   */
  private static String copy(String json, boolean hexIds) throws BadJson {
    StringWriter out = new StringWriter(json.length() + 16);
    try (JsonReader r = new JsonReader(new StringReader(json));
        JsonWriter w = new JsonWriter(out)) {
      r.setStrictness(Strictness.STRICT);
      w.setStrictness(Strictness.STRICT);
      w.setSerializeNulls(true);
      boolean hex = false;
      while (true) {
        JsonToken t = r.peek();
        switch (t) {
          case BEGIN_OBJECT -> {
            r.beginObject();
            w.beginObject();
          }
          case END_OBJECT -> {
            r.endObject();
            w.endObject();
          }
          case BEGIN_ARRAY -> {
            r.beginArray();
            w.beginArray();
          }
          case END_ARRAY -> {
            r.endArray();
            w.endArray();
          }
          case NAME -> {
            String name = r.nextName();
            hex = hexIds && HEX_FIELDS.contains(name);
            w.name(name);
            continue;
          }
          case STRING -> {
            String path = hex ? r.getPath() : null;
            String s = r.nextString();
            w.value(hex ? hexToBase64(s, path) : s);
          }
          case NUMBER -> w.jsonValue(r.nextString()); // as written: int64s keep every digit
          case BOOLEAN -> w.value(r.nextBoolean());
          case NULL -> {
            r.nextNull();
            w.nullValue();
          }
          case END_DOCUMENT -> {
            return out.toString();
          }
        }
        hex = false;
      }
    } catch (IOException | IllegalStateException e) {
      // Gson's messages say where: "... at line 1 column 57 path $.resourceLogs[0]".
      throw new BadJson("the body is not valid JSON: " + where(String.valueOf(e.getMessage())));
    }
  }

  /** Gson's message without its advice to parse leniently (a receiver does not) and its link. */
  private static String where(String gson) {
    int newline = gson.indexOf('\n');
    String first = newline < 0 ? gson : gson.substring(0, newline);
    return first.replace("Use JsonReader.setStrictness(Strictness.LENIENT) to accept ", "");
  }

  private static String hexToBase64(String hex, String path) throws BadJson {
    try {
      return Base64.getEncoder().encodeToString(HexFormat.of().parseHex(hex));
    } catch (IllegalArgumentException e) {
      throw new BadJson(
          path.substring(path.startsWith("$.") ? 2 : 0)
              + " is '"
              + (hex.length() > 64 ? hex.substring(0, 64) + "..." : hex)
              + "', not hex: OTLP/JSON writes trace and span ids as hex strings (e.g."
              + " \"5b8efff798038103d269b633813fc60c\"), not base64");
    }
  }
}
