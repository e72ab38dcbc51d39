package io.raftlog.auth;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor.MethodType;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.raftlog.acl.Acl;
import io.raftlog.api.v1.ListStreamsResponse;
import io.raftlog.api.v1.LogGrpc;
import io.raftlog.tls.Principals;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Authorizes the calls of the node's gRPC services (the Log service, OTLP's): finds the {@link
 * Caller} ({@link CallerOf}), refuses a client's call that carries a node's marks, and with an ACL
 * checks each request ({@link RequestNeeds}; a ProduceStream's every batch) before the service sees
 * it, refusing {@code PERMISSION_DENIED} naming the principal, the operation and the stream.
 * ListStreams answers only the streams the caller holds some grant on. Health and reflection are
 * not intercepted: they stay open.
 *
 * <p>Made once by the node; its methods run on gRPC's threads, each call's checks on that call's
 * serialized listener.
 */
public final class CallAuthorizer implements ServerInterceptor {
  private final CallerOf callers;
  private final Principals principals;
  private final Supplier<Acl> acl; // its get() is null without acl.file

  /**
   * @param apiTls whether the gRPC port takes TLS ({@code tls.api.mode} not {@code off})
   * @param isMember whether a node id is a member of the cluster now
   * @param acl the rules in use, or a supplier of null without an ACL file
   */
  public CallAuthorizer(
      boolean apiTls, Principals principals, Predicate<String> isMember, Supplier<Acl> acl) {
    this.callers = new CallerOf(apiTls, principals, isMember);
    this.principals = principals;
    this.acl = acl;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    Caller caller;
    try {
      caller = callers.of(call, headers);
    } catch (NotANode refused) {
      call.close(Status.PERMISSION_DENIED.withDescription(refused.getMessage()), new Metadata());
      return new ServerCall.Listener<>() {};
    }
    Context context = caller.in(Context.current());
    Acl rules = acl.get();
    String service = call.getMethodDescriptor().getServiceName();
    if (rules == null || caller.node() || !LogGrpc.SERVICE_NAME.equals(service)) {
      // OTLP's export is checked where its streams are known (the node's RecordSink).
      return Contexts.interceptCall(context, call, headers, next);
    }
    String method = call.getMethodDescriptor().getBareMethodName();
    if (method.equals(RequestNeeds.LIST_STREAMS)) {
      return Contexts.interceptCall(context, new VisibleStreams<>(call, caller), headers, next);
    }
    boolean stream = call.getMethodDescriptor().getType() == MethodType.BIDI_STREAMING;
    ServerCall<Q, R> guarded = stream ? new ClosableCall<>(call) : call;
    ServerCall.Listener<Q> listener = Contexts.interceptCall(context, guarded, headers, next);
    return new Checked<>(listener, guarded, caller, method, stream);
  }

  /**
   * Null when {@code caller} may make the {@code method} call {@code request}; else why not, for a
   * PERMISSION_DENIED.
   */
  String refusal(Caller caller, String method, Object request) {
    Acl rules = acl.get();
    if (rules == null || caller.node()) {
      return null;
    }
    List<Need> needs = RequestNeeds.of(method, request, principals, caller.principal());
    if (needs == null) {
      return caller.principal()
          + " may not call "
          + method
          + ": no ACL operation covers it (this node does not know the method)";
    }
    for (Need n : needs) {
      String why = refusal(rules, caller.principal(), n);
      if (why != null) {
        return why;
      }
    }
    return null;
  }

  private static String refusal(Acl rules, String principal, Need n) {
    var d = rules.decide(principal, n.operation(), n.stream());
    if (d.allowed()) {
      return null;
    }
    if (n.anyGrant() && anyGrant(rules, principal, n)) {
      return null;
    }
    return d.reason();
  }

  private static boolean anyGrant(Acl rules, String principal, Need n) {
    if (n.operation() == io.raftlog.acl.Operation.CLUSTER) {
      return rules.names(principal);
    }
    for (var op : io.raftlog.acl.Operation.values()) {
      if (op != io.raftlog.acl.Operation.CLUSTER
          && rules.decide(principal, op, n.stream()).allowed()) {
        return true;
      }
    }
    return false;
  }

  /** Whether {@code caller} holds some grant on {@code stream} (it may see it listed). */
  boolean sees(Caller caller, String stream) {
    Acl rules = acl.get();
    return rules == null
        || caller.node()
        || anyGrant(
            rules, caller.principal(), new Need(io.raftlog.acl.Operation.CONSUME, stream, true));
  }

  /**
   * Refuses a batch the current call's caller (outside any gRPC call, e.g. OTLP/HTTP's: {@link
   * Principals#ANONYMOUS}) may not produce to one of the streams of: PERMISSION_DENIED naming it.
   */
  public void checkProduce(io.raftlog.api.v1.ProduceRequest batch) {
    Acl rules = acl.get();
    if (rules == null) {
      return;
    }
    Caller c = Caller.current();
    if (c == null) {
      c = new Caller(Principals.ANONYMOUS, false);
    }
    if (c.node()) {
      return;
    }
    for (Need n : RequestNeeds.produce(batch)) {
      String why = refusal(rules, c.principal(), n);
      if (why != null) {
        throw Status.PERMISSION_DENIED.withDescription(why).asRuntimeException();
      }
    }
  }

  /** A call whose every request is checked before the service sees it. */
  private final class Checked<Q> extends SimpleForwardingServerCallListener<Q> {
    private final ServerCall<Q, ?> call;
    private final Caller caller;
    private final String method;
    private final boolean stream;
    private boolean refused;

    Checked(
        ServerCall.Listener<Q> delegate,
        ServerCall<Q, ?> call,
        Caller caller,
        String method,
        boolean stream) {
      super(delegate);
      this.call = call;
      this.caller = caller;
      this.method = method;
      this.stream = stream;
    }

    @Override
    public void onMessage(Q request) {
      if (refused) {
        return;
      }
      String why = refusal(caller, method, request);
      if (why == null) {
        super.onMessage(request);
        return;
      }
      refused = true;
      call.close(Status.PERMISSION_DENIED.withDescription(why), new Metadata());
      if (stream) {
        super.onCancel(); // the service ends its side (relays, batches in flight) as on a cancel
      }
    }

    @Override
    public void onHalfClose() {
      if (!refused) {
        super.onHalfClose();
      }
    }

    @Override
    public void onCancel() {
      if (!refused || !stream) {
        super.onCancel();
      }
    }
  }

  /**
   * A bidi call that the check may close while the service answers from other threads: its sends
   * are serialized, and those after the close dropped.
   */
  private static final class ClosableCall<Q, R> extends SimpleForwardingServerCall<Q, R> {
    private boolean closed;

    ClosableCall(ServerCall<Q, R> call) {
      super(call);
    }

    @Override
    public synchronized void sendHeaders(Metadata headers) {
      if (!closed) {
        super.sendHeaders(headers);
      }
    }

    @Override
    public synchronized void sendMessage(R message) {
      if (!closed) {
        super.sendMessage(message);
      }
    }

    @Override
    public synchronized void close(Status status, Metadata trailers) {
      if (!closed) {
        closed = true;
        super.close(status, trailers);
      }
    }
  }

  /** ListStreams' answers with only the streams the caller holds some grant on. */
  private final class VisibleStreams<Q, R> extends SimpleForwardingServerCall<Q, R> {
    private final Caller caller;

    VisibleStreams(ServerCall<Q, R> call, Caller caller) {
      super(call);
      this.caller = caller;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void sendMessage(R message) {
      if (message instanceof ListStreamsResponse page) {
        ListStreamsResponse.Builder b = page.toBuilder().clearStreams();
        page.getStreamsList().stream()
            .filter(s -> sees(caller, s.getName()))
            .forEach(b::addStreams);
        message = (R) b.build(); // the token stays: the next page starts after the last name
      }
      super.sendMessage(message);
    }
  }
}
