package io.raftlog.chaos;

import io.raftlog.client.RaftlogClientBuilder;
import io.raftlog.testkit.ClusterTls;
import io.raftlog.testkit.TestPki;
import java.nio.file.Path;
import java.util.Map;

/**
 * The certificates of a run with {@code --tls}: a CA of the run's own ({@link TestPki}) writing
 * into {@code tls/} of the data directory, as {@code scripts/gen-certs.sh} names them: {@code
 * ca.pem}, {@code node-N.pem}/{@code node-N.key} for each node (issued as the node is laid out, so
 * a node that joins later gets its own; naming its namespace's address where it runs in one), the
 * test kit's {@code raftlog-testkit.pem} for the probes and the membership calls, and {@code
 * chaos.pem}/{@code chaos.key}, the certificate the run's client shows (the workload, the
 * truncator, the named consumers). Made once by the {@link Testbed}; read from any thread.
 */
final class RunCertificates {
  /** The principal of the run's client certificate ({@code CN=chaos}). */
  static final String CLIENT_PRINCIPAL = "chaos";

  /** Where, in the run's data directory, the certificates are written. */
  static final String DIR = "tls";

  /** Both hops in mutual TLS: every caller shows a certificate of the run's CA. */
  private static final String MODE = "mtls";

  private final ClusterTls cluster;
  private final TestPki.Issued client;

  private RunCertificates(ClusterTls cluster) {
    this.cluster = cluster;
    this.client = cluster.pki().client(CLIENT_PRINCIPAL);
  }

  /** A new CA and the run's client certificate, in {@code dataDir/tls}. */
  static RunCertificates create(Path dataDir) {
    return new RunCertificates(ClusterTls.of(TestPki.create(dataDir.resolve(DIR)), MODE));
  }

  /** The nodes' TLS as the test kit lays it out: each node's files, the kit's channels. */
  ClusterTls cluster() {
    return cluster;
  }

  /**
   * What every node's config gets besides its {@link #cluster()} keys: the Raft port in the same
   * mode as the gRPC port.
   */
  static Map<String, String> nodeSettings() {
    return Map.of("tls.raft.mode", MODE);
  }

  /** {@code builder} with the run's client certificate, trusting the run's CA only. */
  RaftlogClientBuilder client(RaftlogClientBuilder builder) {
    return builder.tls(cluster.pki().caFile(), client.cert(), client.key());
  }
}
