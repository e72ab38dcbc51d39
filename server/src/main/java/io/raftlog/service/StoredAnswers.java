package io.raftlog.service;

import io.grpc.MethodDescriptor;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.stub.ServerCalls;
import io.raftlog.api.v1.ConsumeRequest;
import io.raftlog.api.v1.ConsumeResponse;
import io.raftlog.api.v1.LogGrpc;
import io.raftlog.storage.StoredRecords;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code raftlog.v1.Log} service definition with Consume and ConsumeStream answering {@link
 * StoredRecords} through {@link StoredRecordsMarshaller}, in place of the generated ones that
 * answer a {@code ConsumeResponse}. Names, request marshallers and the schema descriptor stay the
 * generated ones, so reflection, grpcurl and every client see the same service and messages. Used
 * once, when the node binds its service.
 */
final class StoredAnswers {
  private static final StoredRecordsMarshaller ANSWER = new StoredRecordsMarshaller();

  /** The Consume method as the node serves it. */
  static final MethodDescriptor<ConsumeRequest, StoredRecords> CONSUME =
      stored(LogGrpc.getConsumeMethod());

  /** The ConsumeStream method as the node serves it. */
  static final MethodDescriptor<ConsumeRequest, StoredRecords> CONSUME_STREAM =
      stored(LogGrpc.getConsumeStreamMethod());

  private StoredAnswers() {}

  /** {@code generated} with its two consume methods served by {@code consume} and {@code tail}. */
  static ServerServiceDefinition bind(
      ServerServiceDefinition generated,
      ServerCalls.UnaryMethod<ConsumeRequest, StoredRecords> consume,
      ServerCalls.ServerStreamingMethod<ConsumeRequest, StoredRecords> tail) {
    Map<String, ServerMethodDefinition<?, ?>> methods = new LinkedHashMap<>();
    for (ServerMethodDefinition<?, ?> m : generated.getMethods()) {
      methods.put(m.getMethodDescriptor().getFullMethodName(), m);
    }
    replace(methods, CONSUME, ServerCalls.asyncUnaryCall(consume));
    replace(methods, CONSUME_STREAM, ServerCalls.asyncServerStreamingCall(tail));
    ServiceDescriptor original = generated.getServiceDescriptor();
    ServiceDescriptor.Builder descriptor =
        ServiceDescriptor.newBuilder(original.getName())
            .setSchemaDescriptor(original.getSchemaDescriptor()); // reflection reads this
    methods.values().forEach(m -> descriptor.addMethod(m.getMethodDescriptor()));
    ServerServiceDefinition.Builder b = ServerServiceDefinition.builder(descriptor.build());
    methods.values().forEach(b::addMethod);
    return b.build();
  }

  private static void replace(
      Map<String, ServerMethodDefinition<?, ?>> methods,
      MethodDescriptor<ConsumeRequest, StoredRecords> method,
      ServerCallHandler<ConsumeRequest, StoredRecords> handler) {
    if (methods.put(method.getFullMethodName(), ServerMethodDefinition.create(method, handler))
        == null) {
      throw new IllegalStateException("the Log service has no " + method.getFullMethodName());
    }
  }

  private static MethodDescriptor<ConsumeRequest, StoredRecords> stored(
      MethodDescriptor<ConsumeRequest, ConsumeResponse> generated) {
    return generated.toBuilder(generated.getRequestMarshaller(), ANSWER).build();
  }
}
