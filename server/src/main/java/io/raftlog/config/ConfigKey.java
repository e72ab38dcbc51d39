package io.raftlog.config;

import java.util.Properties;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One key of a node's properties file, declared once: its name, its default (none for a required
 * key), how its text is parsed, what a valid value is, and one line of documentation. README's
 * configuration table and the files in {@code cluster-config/} are held against these declarations
 * by a test.
 *
 * @param name the key as written in the file, e.g. {@code raft.election-timeout-ms}
 * @param defaultValue the value when the key is absent or blank; null for a required key
 * @param parser text to value; throws IllegalArgumentException naming what the text should be
 * @param check what a parsed value must satisfy, with {@code checkText} saying so in words
 * @param checkText e.g. "positive"; empty for a key with no check
 * @param doc one line for README's table
 */
public record ConfigKey<T>(
    String name,
    T defaultValue,
    Function<String, T> parser,
    Predicate<T> check,
    String checkText,
    String doc) {

  static <T> ConfigKey<T> required(String name, Function<String, T> parser, String doc) {
    return new ConfigKey<>(name, null, parser, v -> true, "", doc);
  }

  static ConfigKey<Integer> positiveInt(String name, int dflt, String doc) {
    return new ConfigKey<>(name, dflt, ConfigKey::wholeInt, v -> v > 0, "positive", doc);
  }

  static ConfigKey<Long> positiveLong(String name, long dflt, String doc) {
    return new ConfigKey<>(name, dflt, ConfigKey::wholeLong, v -> v > 0, "positive", doc);
  }

  static ConfigKey<Long> nonNegativeLong(String name, long dflt, String doc) {
    return new ConfigKey<>(name, dflt, ConfigKey::wholeLong, v -> v >= 0, "0 or more", doc);
  }

  /** A key whose absence is its own answer: {@code dflt} is typically empty. */
  static <T> ConfigKey<T> optional(String name, Function<String, T> parser, T dflt, String doc) {
    return new ConfigKey<>(name, dflt, parser, v -> true, "", doc);
  }

  static ConfigKey<Integer> nonNegativeInt(String name, int dflt, String doc) {
    return new ConfigKey<>(name, dflt, ConfigKey::wholeInt, v -> v >= 0, "0 or more", doc);
  }

  static ConfigKey<Boolean> bool(String name, boolean dflt, String doc) {
    return new ConfigKey<>(name, dflt, ConfigKey::bool, v -> true, "", doc);
  }

  public boolean isRequired() {
    return defaultValue == null;
  }

  /** The default as README's table shows it: the value, or {@code (required)}. */
  public String defaultText() {
    if (isRequired()) {
      return "(required)";
    }
    boolean empty =
        "".equals(defaultValue)
            || (defaultValue instanceof java.util.Collection<?> c && c.isEmpty());
    return empty ? "(none)" : String.valueOf(defaultValue);
  }

  /**
   * This key's value in {@code p}: parsed and checked, or the default when absent or blank.
   *
   * @throws IllegalArgumentException naming the key and what is wrong with its value
   */
  public T read(Properties p) {
    String text = p.getProperty(name);
    if (text == null || text.isBlank()) {
      if (isRequired()) {
        throw new IllegalArgumentException("missing required key '" + name + "'");
      }
      return defaultValue;
    }
    T value;
    try {
      value = parser.apply(text.trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("'" + name + "' " + e.getMessage(), e);
    }
    return checked(value);
  }

  /**
   * {@code value} if it passes this key's check.
   *
   * @throws IllegalArgumentException naming the key and what is wrong with the value
   */
  public T checked(T value) {
    if (value == null) {
      throw new IllegalArgumentException("'" + name + "' must have a value");
    }
    if (!check.test(value)) {
      throw new IllegalArgumentException("'" + name + "' must be " + checkText + ", not " + value);
    }
    return value;
  }

  private static boolean bool(String text) {
    return switch (text) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new IllegalArgumentException("must be true or false, not '" + text + "'");
    };
  }

  private static int wholeInt(String text) {
    long v = wholeLong(text);
    if (v != (int) v) {
      throw new IllegalArgumentException("must be at most " + Integer.MAX_VALUE + ", not " + v);
    }
    return (int) v;
  }

  private static long wholeLong(String text) {
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("must be a whole number, not '" + text + "'");
    }
  }
}
