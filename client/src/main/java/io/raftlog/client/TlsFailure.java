package io.raftlog.client;

import io.grpc.Status;
import java.util.Locale;

/**
 * A call that failed in its TLS handshake for a reason another attempt cannot mend, in words a
 * person acts on: the node answered in plaintext, its certificate is not of the client's CA or does
 * not name the address dialled, or it refused the client's certificate (or its lack of one). gRPC
 * reports each as {@code UNAVAILABLE} with the handshake's exception as the cause (Netty's, or
 * BoringSSL's alert names); the client then gives up at once ({@link Attempts}) instead of retrying
 * until its deadline. Stateless; any thread.
 */
final class TlsFailure {
  private TlsFailure() {}

  /** Why {@code status} is a TLS failure for good, or null if it is not one. */
  static String explain(Status status) {
    if (status.getCode() != Status.Code.UNAVAILABLE) {
      return null;
    }
    for (Throwable t = status.getCause(); t != null; t = t.getCause()) {
      String why = explain(t);
      if (why != null) {
        return why;
      }
    }
    return null;
  }

  private static String explain(Throwable t) {
    if (t.getClass().getSimpleName().equals("NotSslRecordException")) {
      return "the node answered in plaintext (TLS is off on that port)";
    }
    String m = t.getMessage() == null ? "" : t.getMessage().toLowerCase(Locale.ROOT);
    if (m.contains("certificate_required") || m.contains("certificate required")) {
      return "the node refused the client: it requires a client certificate of its CA, and none"
          + " was shown (none given, or one its CA did not issue)";
    }
    for (String alert :
        new String[] {
          "bad_certificate",
          "unknown_ca",
          "certificate_expired",
          "certificate_revoked",
          "certificate_unknown",
          "unsupported_certificate",
          "access_denied"
        }) {
      if (m.contains(alert) || m.contains(alert.replace('_', ' '))) {
        return "the node refused the client certificate (TLS alert: "
            + alert.replace('_', ' ')
            + ")";
      }
    }
    if (m.contains("unable to find valid certification path")
        || m.contains("path building failed")) {
      return "the node's certificate was not issued by a CA of the client's CA file";
    }
    if (m.contains("no subject alternative") || m.contains("no name matching")) {
      return "the node's certificate does not name the address dialled (" + t.getMessage() + ")";
    }
    if (t instanceof java.security.cert.CertificateExpiredException) {
      return "the node's certificate has expired (" + t.getMessage() + ")";
    }
    return null;
  }
}
