package io.raftlog.otlp;

import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.raftlog.wire.StreamNames;
import java.util.ArrayList;
import java.util.List;

/**
 * Which stream a resource's logs go to: a pattern such as {@code logs.{service.name}} (the default,
 * key {@code otlp.stream-pattern}) whose {@code {name}} parts are replaced by the resource's
 * attributes of that name.
 *
 * <p>The mapping is predictable, so a reader can name the stream without asking: every character
 * outside the stream-name rule ({@code A-Z a-z 0-9 . _ : / -}) becomes {@code _} (so {@code
 * "checkout service"} gives {@code logs.checkout_service}); a missing or empty {@code service.name}
 * is {@code unknown_service} (OpenTelemetry's own default), any other missing attribute {@code
 * unknown}; a name longer than 255 characters is cut to 255.
 */
public final class LogStreamNames {
  /** The default pattern. */
  public static final String DEFAULT_PATTERN = "logs.{service.name}";

  private final List<String> literals = new ArrayList<>(); // literals.size() == attributes + 1
  private final List<String> attributes = new ArrayList<>();

  /** Throws IllegalArgumentException, saying why, for a pattern that cannot give a valid name. */
  public LogStreamNames(String pattern) {
    int at = 0;
    while (true) {
      int open = pattern.indexOf('{', at);
      if (open < 0) {
        literals.add(pattern.substring(at));
        break;
      }
      int close = pattern.indexOf('}', open);
      if (close < 0 || close == open + 1) {
        throw new IllegalArgumentException(
            "otlp.stream-pattern '" + pattern + "': '{' at " + open + " opens no {attribute}");
      }
      literals.add(pattern.substring(at, open));
      attributes.add(pattern.substring(open + 1, close));
      at = close + 1;
    }
    String sample = streamFor(Resource.getDefaultInstance());
    String problem = StreamNames.problem(sample);
    if (problem != null || !sanitize(String.join("", literals)).equals(String.join("", literals))) {
      throw new IllegalArgumentException(
          "otlp.stream-pattern '"
              + pattern
              + "': its fixed parts must follow the stream-name rule ("
              + StreamNames.RULE
              + ")");
    }
  }

  /** The stream for logs exported under {@code resource}. */
  public String streamFor(Resource resource) {
    StringBuilder b = new StringBuilder(literals.get(0));
    for (int i = 0; i < attributes.size(); i++) {
      String name = attributes.get(i);
      String value = attribute(resource, name);
      if (value.isEmpty()) {
        value = name.equals("service.name") ? "unknown_service" : "unknown";
      }
      b.append(sanitize(value)).append(literals.get(i + 1));
    }
    String s = b.toString();
    return s.length() > StreamNames.MAX_BYTES ? s.substring(0, StreamNames.MAX_BYTES) : s;
  }

  /** {@code s} with every character outside the stream-name rule replaced by {@code _}. */
  public static String sanitize(String s) {
    StringBuilder b = new StringBuilder(s.length());
    s.codePoints()
        .forEach(c -> b.append(c < 0x80 && StreamNames.allowed((char) c) ? (char) c : '_'));
    return b.toString();
  }

  private static String attribute(Resource r, String name) {
    for (KeyValue kv : r.getAttributesList()) {
      if (kv.getKey().equals(name)) {
        var v = kv.getValue();
        return switch (v.getValueCase()) {
          case STRING_VALUE -> v.getStringValue();
          case INT_VALUE -> Long.toString(v.getIntValue());
          case BOOL_VALUE -> Boolean.toString(v.getBoolValue());
          case DOUBLE_VALUE -> Double.toString(v.getDoubleValue());
          default -> "";
        };
      }
    }
    return "";
  }
}
