package io.raftlog.auth;

import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;
import io.raftlog.tls.Principals;
import io.raftlog.wire.CallHeaders;

/**
 * Who a call is made by, as authorization sees it: a client's principal (its certificate's, or the
 * one a node forwarding its call names in {@link CallHeaders#CALLER}), or a node of the cluster
 * making a call of its own. {@link CallAuthorizer} puts it in the call's {@link Context}; the
 * service passes it on to every call it makes on the caller's behalf ({@link #onBehalf}), from
 * whichever thread runs in that context.
 *
 * @param principal the principal decisions are made for
 * @param node whether this is a node's own call (not a client's): nodes are not subject to the ACL
 */
public record Caller(String principal, boolean node) {
  private static final Context.Key<Caller> KEY = Context.key("raftlog-caller");

  /** The caller of the call whose context is current, or null outside any call. */
  public static Caller current() {
    return KEY.get();
  }

  /** {@code context} with this caller. */
  Context in(Context context) {
    return context.withValue(KEY, this);
  }

  /**
   * {@code stub}, its calls carrying {@link CallHeaders#CALLER} for the current call's client: so
   * the node that serves them authorizes that client, not this node. A node's own call carries
   * none. Outside any call (no caller known: e.g. OTLP/HTTP's threads) the calls say {@link
   * Principals#ANONYMOUS}: what runs for nobody in particular gets nobody's rights.
   */
  public static <S extends AbstractStub<S>> S onBehalf(S stub) {
    Caller c = current();
    if (c != null && c.node()) {
      return stub;
    }
    Metadata md = new Metadata();
    md.put(CallHeaders.CALLER, c == null ? Principals.ANONYMOUS : c.principal());
    return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md));
  }
}
