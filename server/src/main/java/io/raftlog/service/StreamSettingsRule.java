package io.raftlog.service;

import java.util.Map;

/** What CreateStream accepts as a stream's settings; see {@code CreateStreamRequest.settings}. */
final class StreamSettingsRule {
  static final int MAX_SETTINGS = 32;
  static final int MAX_KEY_BYTES = 64;
  static final int MAX_VALUE_BYTES = 1024;
  static final String RESERVED_PREFIX = "raftlog.";

  private StreamSettingsRule() {}

  /** Throws INVALID_ARGUMENT naming the first setting that breaks the rule. */
  static void check(Map<String, String> settings) {
    if (settings.size() > MAX_SETTINGS) {
      throw Errors.invalid(
          settings.size() + " settings given: a stream has at most " + MAX_SETTINGS);
    }
    for (Map.Entry<String, String> e : settings.entrySet()) {
      String key = e.getKey();
      if (key.isEmpty() || key.length() > MAX_KEY_BYTES || !key.matches("[a-z0-9._-]+")) {
        throw Errors.invalid(
            "setting key '"
                + RequestChecks.echo(key)
                + "' must be 1 to "
                + MAX_KEY_BYTES
                + " characters from a-z 0-9 . _ -");
      }
      if (key.startsWith(RESERVED_PREFIX)) {
        throw Errors.invalid(
            "setting key '"
                + RequestChecks.echo(key)
                + "' starts with '"
                + RESERVED_PREFIX
                + "', which is reserved for settings the server acts on (none exist yet)");
      }
      int bytes = e.getValue().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
      if (bytes > MAX_VALUE_BYTES) {
        throw Errors.invalid(
            "setting '" + key + "' is " + bytes + " bytes: at most " + MAX_VALUE_BYTES);
      }
    }
  }
}
