package io.raftlog.client;

import io.grpc.ClientInterceptor;
import java.time.Duration;
import java.util.List;

/**
 * Everything a {@link RaftlogClient} is built from; see {@link RaftlogClient.Builder} for the
 * meaning and default of each.
 */
record ClientOptions(
    List<String> bootstrap,
    Duration deadline,
    Duration attemptTimeout,
    Duration initialBackoff,
    Duration maxBackoff,
    Duration failedNodeQuarantine,
    int batchBytes,
    Duration linger,
    int maxInFlight,
    long bufferBytes,
    Duration maxBlock,
    int maxInboundBytes,
    List<ClientInterceptor> interceptors) {}
