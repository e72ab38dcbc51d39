package io.raftlog.cli;

import io.raftlog.client.RaftlogClient;
import io.raftlog.client.RaftlogClientBuilder;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code --servers}, {@code --deadline} and {@link TlsOptions}: which cluster to talk to, how
 * patiently, and with which TLS.
 */
public final class ServerOptions {
  static final String DEFAULT_SERVERS = "127.0.0.1:9001,127.0.0.1:9002,127.0.0.1:9003";
  static final String ENV_SERVERS = "RAFTLOG_SERVERS";

  /** The library's default time for one attempt on one node. */
  private static final Duration MAX_ATTEMPT_TIMEOUT = Duration.ofSeconds(10);

  private final CliContext context;

  @Spec(Spec.Target.MIXEE)
  CommandSpec mixee;

  public ServerOptions(CliContext context) {
    this.context = context;
  }

  @Option(
      names = {"-s", "--servers"},
      paramLabel = "HOST:PORT[,...]",
      converter = AddressConverter.class,
      description =
          "Some of the cluster's nodes; the client learns the others. Default: $"
              + ENV_SERVERS
              + ", else the local cluster on 127.0.0.1 ports 9001, 9002 and 9003.")
  String servers;

  @Mixin TlsOptions tls;

  @Option(
      names = "--deadline",
      paramLabel = "DURATION",
      defaultValue = "30s",
      converter = Units.PositiveDurationConverter.class,
      description =
          "How long one operation may take, retries through failover included: 500ms, 10s,"
              + " 2m, 1m30s... (default: ${DEFAULT-VALUE}).")
  Duration deadline;

  /** The addresses to start from: --servers, else $RAFTLOG_SERVERS, else the local cluster. */
  String servers() {
    if (servers != null) {
      return servers;
    }
    String env = context.env().apply(ENV_SERVERS);
    if (env == null || env.isBlank()) {
      return DEFAULT_SERVERS;
    }
    try {
      RaftlogClient.builder().servers(env);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(
          mixee.commandLine(), "$" + ENV_SERVERS + " ('" + env + "'): " + e.getMessage());
    }
    return env;
  }

  /** A client builder for these options; the caller may tune it further. */
  RaftlogClientBuilder builder() {
    Duration attempt = deadline.compareTo(MAX_ATTEMPT_TIMEOUT) < 0 ? deadline : MAX_ATTEMPT_TIMEOUT;
    // maxBlock also bounds the wait for the slot map before the first send: no longer than the
    // deadline, so an unreachable cluster fails a produce within --deadline too.
    return tls.apply(
        RaftlogClient.builder()
            .servers(servers())
            .deadline(deadline)
            .attemptTimeout(attempt)
            .maxBlock(deadline));
  }

  RaftlogClient connect() {
    return builder().build();
  }

  /** Checks {@code host:port[,host:port...]} the way the client will. */
  public static final class AddressConverter implements ITypeConverter<String> {
    @Override
    public String convert(String value) {
      try {
        RaftlogClient.builder().servers(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
      return value.trim();
    }
  }
}
