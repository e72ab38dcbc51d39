package io.raftlog.client;

import java.util.HashMap;
import java.util.Map;

/**
 * The settings a {@link RaftlogClient} is built from, by {@link ClientSetting}: what the builder
 * set, else each setting's default. Immutable; {@link #with} gives a copy with one value changed.
 */
final class ClientOptions {
  private static final ClientOptions DEFAULTS = new ClientOptions(Map.of());

  private final Map<ClientSetting<?>, Object> values;

  private ClientOptions(Map<ClientSetting<?>, Object> values) {
    this.values = values;
  }

  /** Every setting at its default. */
  static ClientOptions defaults() {
    return DEFAULTS;
  }

  /**
   * These options with {@code setting} at {@code value}.
   *
   * @throws IllegalArgumentException if the setting refuses the value
   */
  <T> ClientOptions with(ClientSetting<T> setting, T value) {
    Map<ClientSetting<?>, Object> copy = new HashMap<>(values);
    copy.put(setting, setting.check(value));
    return new ClientOptions(Map.copyOf(copy));
  }

  /** The value of {@code setting}: as set, else its default. */
  @SuppressWarnings("unchecked") // with() only puts a T under a ClientSetting<T>
  <T> T get(ClientSetting<T> setting) {
    Object v = values.get(setting);
    return v == null ? setting.defaultValue() : (T) v;
  }
}
