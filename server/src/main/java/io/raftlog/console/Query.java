package io.raftlog.console;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * A request's query parameters ({@code ?a=1&b=x}), read with a check each: a bad value throws
 * {@link BadParameter} naming the parameter. The first of repeated parameters counts.
 */
final class Query {
  private final Map<String, String> params = new HashMap<>();

  Query(URI uri) throws BadParameter {
    String raw = uri.getRawQuery();
    if (raw == null || raw.isEmpty()) {
      return;
    }
    for (String part : raw.split("&")) {
      if (part.isEmpty()) {
        continue;
      }
      int eq = part.indexOf('=');
      String name = decode(eq < 0 ? part : part.substring(0, eq), "(name)");
      String value = eq < 0 ? "" : decode(part.substring(eq + 1), name);
      params.putIfAbsent(name, value);
    }
  }

  private static String decode(String s, String name) throws BadParameter {
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new BadParameter(name, "bad percent-encoding");
    }
  }

  /** The value, or {@code fallback} when absent. */
  String text(String name, String fallback) {
    return params.getOrDefault(name, fallback);
  }

  String required(String name) throws BadParameter {
    String v = params.get(name);
    if (v == null || v.isEmpty()) {
      throw new BadParameter(name, "required");
    }
    return v;
  }

  boolean has(String name) {
    String v = params.get(name);
    return v != null && !v.isEmpty();
  }

  /** An offset: a decimal from 0 to 2^63-1. */
  long offset(String name, long fallback) throws BadParameter {
    if (!has(name)) {
      return fallback;
    }
    return parseOffset(name, params.get(name));
  }

  static long parseOffset(String name, String v) throws BadParameter {
    try {
      long n = Long.parseLong(v);
      if (n >= 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw new BadParameter(name, "must be an offset (a whole number from 0), not '" + v + "'");
  }

  int count(String name, int fallback, int min, int max) throws BadParameter {
    if (!has(name)) {
      return fallback;
    }
    String v = params.get(name);
    try {
      int n = Integer.parseInt(v);
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw new BadParameter(name, "must be a whole number from " + min + " to " + max);
  }

  boolean flag(String name) throws BadParameter {
    String v = params.getOrDefault(name, "false");
    return switch (v) {
      case "true", "1" -> true;
      case "false", "0", "" -> false;
      default -> throw new BadParameter(name, "must be true or false, not '" + v + "'");
    };
  }
}
