package io.raftlog.service;

import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Answers a request whose bytes are not a valid protobuf message of its method (a length past the
 * end, a string that is not UTF-8, a wrong wire type) with {@code INVALID_ARGUMENT} naming the
 * message type, instead of gRPC's {@code UNKNOWN: Application error processing RPC}.
 *
 * <p>Why a wrapper and not an interceptor: gRPC parses a request before any interceptor sees it,
 * and when the parser throws, the server closes the call with {@code UNKNOWN} whatever status the
 * exception carried. So each method's request marshaller is wrapped to never throw: on a parse
 * failure it returns a marker instance (compared by identity; a real request, even an empty one, is
 * never that instance) and keeps the parser's message for the call's thread, where the listener
 * below turns the marker into the status. gRPC runs a call's parse and its listener's {@code
 * onMessage} one after the other on the same thread, so the message is the marker's.
 */
public final class MalformedRequests {
  private MalformedRequests() {}

  /** {@code service} with every method's requests parsed as described above. */
  public static ServerServiceDefinition guard(ServerServiceDefinition service) {
    ServiceDescriptor original = service.getServiceDescriptor();
    List<ServerMethodDefinition<?, ?>> methods = new ArrayList<>();
    ServiceDescriptor.Builder descriptor =
        ServiceDescriptor.newBuilder(original.getName())
            .setSchemaDescriptor(original.getSchemaDescriptor()); // reflection reads this
    for (ServerMethodDefinition<?, ?> m : service.getMethods()) {
      ServerMethodDefinition<?, ?> guarded = guard(m);
      methods.add(guarded);
      descriptor.addMethod(guarded.getMethodDescriptor());
    }
    ServerServiceDefinition.Builder b = ServerServiceDefinition.builder(descriptor.build());
    methods.forEach(b::addMethod);
    return b.build();
  }

  private static <Q, R> ServerMethodDefinition<Q, R> guard(ServerMethodDefinition<Q, R> method) {
    MethodDescriptor<Q, R> md = method.getMethodDescriptor();
    Lenient<Q> lenient = new Lenient<>(md.getRequestMarshaller(), typeName(md));
    MethodDescriptor<Q, R> guarded = md.toBuilder(lenient, md.getResponseMarshaller()).build();
    ServerCallHandler<Q, R> next = method.getServerCallHandler();
    ServerCallHandler<Q, R> handler =
        (call, headers) -> new Rejecting<>(next.startCall(call, headers), call, lenient);
    return ServerMethodDefinition.create(guarded, handler);
  }

  private static String typeName(MethodDescriptor<?, ?> md) {
    Object marshaller = md.getRequestMarshaller();
    if (marshaller instanceof MethodDescriptor.PrototypeMarshaller<?> p
        && p.getMessagePrototype() instanceof com.google.protobuf.Message m) {
      return m.getDescriptorForType().getFullName();
    }
    return "request of " + md.getFullMethodName();
  }

  /** A request marshaller that answers a marker instead of throwing. */
  private static final class Lenient<Q> implements MethodDescriptor.PrototypeMarshaller<Q> {
    private final MethodDescriptor.Marshaller<Q> parser;
    private final String typeName;
    private final Q marker;
    private final ThreadLocal<String> failure = new ThreadLocal<>();

    @SuppressWarnings("unchecked")
    Lenient(MethodDescriptor.Marshaller<Q> parser, String typeName) {
      this.parser = parser;
      this.typeName = typeName;
      Object prototype =
          parser instanceof MethodDescriptor.PrototypeMarshaller<?> p
              ? p.getMessagePrototype()
              : null;
      // A new instance (not the shared default one, which an empty request parses to).
      this.marker =
          prototype instanceof com.google.protobuf.Message m
              ? (Q) m.newBuilderForType().build()
              : null;
    }

    @Override
    public Q getMessagePrototype() {
      return parser instanceof MethodDescriptor.PrototypeMarshaller<?> p
          ? ((MethodDescriptor.PrototypeMarshaller<Q>) p).getMessagePrototype()
          : null;
    }

    @Override
    public Class<Q> getMessageClass() {
      return parser instanceof MethodDescriptor.ReflectableMarshaller<?> r
          ? ((MethodDescriptor.ReflectableMarshaller<Q>) r).getMessageClass()
          : null;
    }

    @Override
    public InputStream stream(Q value) {
      return parser.stream(value);
    }

    @Override
    public Q parse(InputStream in) {
      if (marker == null) {
        return parser.parse(in);
      }
      try {
        return parser.parse(in);
      } catch (RuntimeException e) {
        Throwable cause = e.getCause() != null ? e.getCause() : e;
        failure.set(
            "the request is not a valid "
                + typeName
                + ": "
                + RequestChecks.echo(String.valueOf(cause.getMessage())));
        return marker;
      }
    }

    /** The parser's message if {@code q} is the marker, else null. */
    String failureOf(Q q) {
      if (q != marker || marker == null) {
        return null;
      }
      String f = failure.get();
      failure.remove();
      return f != null ? f : "the request is not a valid " + typeName;
    }
  }

  /**
   * Closes the call on a malformed message and tells the service the call was cancelled; after that
   * the service hears only the end.
   */
  private static final class Rejecting<Q, R> extends SimpleForwardingServerCallListener<Q> {
    private final ServerCall<Q, R> call;
    private final Lenient<Q> lenient;
    private boolean rejected;

    Rejecting(ServerCall.Listener<Q> delegate, ServerCall<Q, R> call, Lenient<Q> lenient) {
      super(delegate);
      this.call = call;
      this.lenient = lenient;
    }

    @Override
    public void onMessage(Q message) {
      if (rejected) {
        return;
      }
      String failure = lenient.failureOf(message);
      if (failure != null) {
        rejected = true;
        call.close(Status.INVALID_ARGUMENT.withDescription(failure), new Metadata());
        // As for a client that went away: a stream's handler releases what it holds for the call.
        super.onCancel();
        return;
      }
      super.onMessage(message);
    }

    @Override
    public void onHalfClose() {
      if (!rejected) {
        super.onHalfClose();
      }
    }

    @Override
    public void onCancel() {
      if (!rejected) {
        super.onCancel();
      }
    }

    @Override
    public void onReady() {
      if (!rejected) {
        super.onReady();
      }
    }
  }
}
