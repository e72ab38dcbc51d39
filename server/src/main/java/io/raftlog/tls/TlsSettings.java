package io.raftlog.tls;

import io.raftlog.config.ConfigKeys;
import io.raftlog.config.NodeConfig;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A node's TLS settings, read once from its config ({@code tls.*}): the mode of each listener, the
 * plaintext window, its files and the principal rules.
 *
 * @param apiMode the gRPC port: {@code off}, {@code tls} or {@code mtls}
 * @param raftMode the Raft port: {@code off}, {@code tls} or {@code mtls}
 * @param plaintext {@code refused}, {@code accepted} or {@code used} (docs/security.md)
 * @param cert this node's certificate chain (PEM), or null when both modes are off
 * @param key its private key (PEM, PKCS#8), or null when both modes are off
 * @param ca the CA bundle it trusts (PEM), or null when both modes are off
 */
public record TlsSettings(
    String apiMode,
    String raftMode,
    String plaintext,
    Path cert,
    Path key,
    Path ca,
    Duration reloadInterval,
    Principals principals) {

  public static TlsSettings of(NodeConfig config) {
    String api = config.get(ConfigKeys.TLS_API_MODE);
    String raft = config.get(ConfigKeys.TLS_RAFT_MODE);
    boolean any = !api.equals("off") || !raft.equals("off");
    return new TlsSettings(
        api,
        raft,
        config.get(ConfigKeys.TLS_PLAINTEXT),
        any
            ? required(
                config, ConfigKeys.TLS_CERT_FILE.name(), config.get(ConfigKeys.TLS_CERT_FILE))
            : null,
        any
            ? required(config, ConfigKeys.TLS_KEY_FILE.name(), config.get(ConfigKeys.TLS_KEY_FILE))
            : null,
        any
            ? required(config, ConfigKeys.TLS_CA_FILE.name(), config.get(ConfigKeys.TLS_CA_FILE))
            : null,
        Duration.ofMillis(config.get(ConfigKeys.TLS_RELOAD_INTERVAL_MS)),
        new Principals(
            config.get(ConfigKeys.TLS_PRINCIPAL_FROM), config.get(ConfigKeys.TLS_NODE_PRINCIPAL)));
  }

  private static Path required(NodeConfig config, String key, String value) {
    if (value.isBlank()) {
      throw new IllegalArgumentException(
          key
              + " is empty, but tls.api.mode or tls.raft.mode is not off: name the PEM file"
              + " (scripts/gen-certs.sh makes one for a local cluster)");
    }
    return Path.of(value);
  }

  /** Whether the gRPC port takes TLS at all ({@code tls} or {@code mtls}). */
  public boolean apiTls() {
    return !apiMode.equals("off");
  }

  /** Whether the Raft port takes TLS at all ({@code tls} or {@code mtls}). */
  public boolean raftTls() {
    return !raftMode.equals("off");
  }

  /** Whether the listeners also take plaintext connections (the move to TLS). */
  public boolean acceptsPlaintext() {
    return !plaintext.equals("refused");
  }

  /** Whether this node calls the others in plaintext (the first step of the move to TLS). */
  public boolean dialsPlaintext() {
    return plaintext.equals("used");
  }
}
