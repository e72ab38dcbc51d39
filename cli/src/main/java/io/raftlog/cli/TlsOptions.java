package io.raftlog.cli;

import io.raftlog.client.RaftlogClientBuilder;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code --ca}, {@code --cert} and {@code --cert-key}: TLS to the cluster, each defaulting to its
 * environment variable ({@code RAFTLOG_CA}, {@code RAFTLOG_CERT}, {@code RAFTLOG_KEY}). Part of
 * {@link ServerOptions}, so every command that talks to a cluster takes them. No CA: plaintext.
 * (Not {@code --key}: {@code produce --key} is a record's key.)
 */
public final class TlsOptions {
  static final String ENV_CA = "RAFTLOG_CA";
  static final String ENV_CERT = "RAFTLOG_CERT";
  static final String ENV_KEY = "RAFTLOG_KEY";

  private final CliContext context;

  @Spec(Spec.Target.MIXEE)
  CommandSpec mixee;

  public TlsOptions(CliContext context) {
    this.context = context;
  }

  @Option(
      names = "--ca",
      paramLabel = "FILE",
      description =
          "Talk TLS: the CA certificates (PEM) the nodes' certificates are checked against, with"
              + " the address's host name. Default: $"
              + ENV_CA
              + "; neither: plaintext.")
  Path ca;

  @Option(
      names = "--cert",
      paramLabel = "FILE",
      description =
          "The client certificate chain (PEM) for a cluster in mutual TLS; with --cert-key."
              + " Default: $"
              + ENV_CERT
              + ".")
  Path cert;

  @Option(
      names = "--cert-key",
      paramLabel = "FILE",
      description =
          "The client certificate's private key (PEM, PKCS#8). Default: $" + ENV_KEY + ".")
  Path key;

  /** Whether the client talks TLS. */
  boolean on() {
    return file(ca, ENV_CA) != null;
  }

  /** Sets {@code builder}'s TLS from the options, else the environment; plaintext without a CA. */
  RaftlogClientBuilder apply(RaftlogClientBuilder builder) {
    Path c = file(ca, ENV_CA);
    Path crt = file(cert, ENV_CERT);
    Path k = file(key, ENV_KEY);
    if (crt == null && k == null) {
      return c == null ? builder : builder.tls(c);
    }
    if (crt == null || k == null) {
      throw new ParameterException(
          mixee.commandLine(),
          crt == null
              ? "--cert-key (or $" + ENV_KEY + ") needs --cert (or $" + ENV_CERT + ")"
              : "--cert (or $" + ENV_CERT + ") needs --cert-key (or $" + ENV_KEY + ")");
    }
    if (c == null) {
      throw new ParameterException(
          mixee.commandLine(),
          "--cert and --cert-key need --ca (or $"
              + ENV_CA
              + "): the CA file the nodes' certificates are checked against");
    }
    return builder.tls(c, crt, k);
  }

  private Path file(Path option, String env) {
    if (option != null) {
      return option;
    }
    String v = context.env().apply(env);
    return v == null || v.isBlank() ? null : Path.of(v);
  }
}
