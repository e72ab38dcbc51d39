package io.raftlog.chaos;

import io.raftlog.client.RaftlogClientBuilder;
import io.raftlog.testkit.TestPki;
import java.nio.file.Path;

/**
 * The certificates of a run with {@code --tls}: a CA of the run's own ({@link TestPki}) writing
 * into {@code tls/} of the data directory, as {@code scripts/gen-certs.sh} names them: {@code
 * ca.pem}, {@code node-N.pem}/{@code node-N.key} for each node (made as the node is laid out, so a
 * node that joins later gets its own) and {@code chaos.pem}/{@code chaos.key}, the certificate
 * every call of the tool shows (the workload, the probes, the membership calls, the final reads).
 * Made once by the {@link Testbed}; read from any thread.
 */
final class RunCertificates {
  /** The principal of the tool's client certificate ({@code CN=chaos}). */
  static final String CLIENT_PRINCIPAL = "chaos";

  /** Where, in the run's data directory, the certificates are written. */
  static final String DIR = "tls";

  private final TestPki pki;
  private final TestPki.Issued client;

  private RunCertificates(TestPki pki) {
    this.pki = pki;
    this.client = pki.client(CLIENT_PRINCIPAL);
  }

  /** A new CA and the tool's client certificate, in {@code dataDir/tls}. */
  static RunCertificates create(Path dataDir) {
    return new RunCertificates(TestPki.create(dataDir.resolve(DIR)));
  }

  /** The run's CA, which makes the node certificates. */
  TestPki pki() {
    return pki;
  }

  /** {@code builder} with the tool's client certificate, trusting the run's CA only. */
  RaftlogClientBuilder client(RaftlogClientBuilder builder) {
    return builder.tls(pki.caFile(), client.cert(), client.key());
  }

  /** The tool's client certificate and key. */
  TestPki.Issued clientCertificate() {
    return client;
  }
}
