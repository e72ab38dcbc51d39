package io.raftlog.server;

import io.grpc.netty.shaded.io.grpc.netty.GrpcHttp2ConnectionHandler;
import io.grpc.netty.shaded.io.grpc.netty.InternalProtocolNegotiationEvent;
import io.grpc.netty.shaded.io.grpc.netty.InternalProtocolNegotiator;
import io.grpc.netty.shaded.io.grpc.netty.InternalProtocolNegotiators;
import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandler;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.handler.codec.ByteToMessageDecoder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslHandler;
import io.grpc.netty.shaded.io.netty.util.AsciiString;
import java.util.List;

/**
 * The gRPC port while a cluster moves to TLS ({@code tls.plaintext=accepted} or {@code used}): one
 * port that takes both TLS and plaintext connections. The first five bytes a client sends tell
 * which (a TLS record header, or HTTP/2's preface), as Netty's {@code OptionalSslHandler} decides;
 * the connection then goes through gRPC's own server negotiation of that kind ({@code serverTls}:
 * the handshake, ALPN, the peer's certificate as the call's SSL session; or {@code
 * serverPlaintext}: no session, so the caller is {@code anonymous}).
 *
 * <p>gRPC starts a connection's negotiation with a {@code ProtocolNegotiationEvent} before any byte
 * arrives; the sniffer holds it and hands it to the negotiation it picks, so that one runs exactly
 * as it would alone. A client that sends fewer than five bytes is closed by the server's handshake
 * timeout ({@code net.handshake-timeout-ms}). Made once per server; its handlers run on Netty's
 * event loop of their connection.
 */
final class PlaintextOrTls implements InternalProtocolNegotiator.ProtocolNegotiator {
  /** The length of a TLS record's header, all {@link SslHandler#isEncrypted} needs to decide. */
  private static final int RECORD_HEADER = 5;

  /** gRPC's negotiation event type is package-private: known by the class of its default. */
  private static final Class<?> NEGOTIATION_EVENT =
      InternalProtocolNegotiationEvent.getDefault().getClass();

  private final InternalProtocolNegotiator.ProtocolNegotiator tls;
  private final InternalProtocolNegotiator.ProtocolNegotiator plaintext =
      InternalProtocolNegotiators.serverPlaintext();

  PlaintextOrTls(SslContext serverContext) {
    this.tls = InternalProtocolNegotiators.serverTls(serverContext);
  }

  @Override
  public AsciiString scheme() {
    return tls.scheme();
  }

  @Override
  public ChannelHandler newHandler(GrpcHttp2ConnectionHandler grpcHandler) {
    return new Sniffer(grpcHandler);
  }

  @Override
  public void close() {
    tls.close();
    plaintext.close();
  }

  /** One connection's first bytes: which negotiation takes it. */
  private final class Sniffer extends ByteToMessageDecoder {
    private final GrpcHttp2ConnectionHandler grpcHandler;
    private Object negotiation; // gRPC's start event, held until the first bytes are in

    Sniffer(GrpcHttp2ConnectionHandler grpcHandler) {
      this.grpcHandler = grpcHandler;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
      if (negotiation == null && NEGOTIATION_EVENT.isInstance(evt)) {
        negotiation = evt;
        return;
      }
      super.userEventTriggered(ctx, evt);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
      if (in.readableBytes() < RECORD_HEADER || negotiation == null) {
        return;
      }
      ChannelHandler next =
          (SslHandler.isEncrypted(in, false) ? tls : plaintext).newHandler(grpcHandler);
      ctx.pipeline().addAfter(ctx.name(), null, next);
      ctx.fireUserEventTriggered(negotiation);
      // Removing the decoder hands the bytes it holds to the negotiation just added.
      ctx.pipeline().remove(this);
    }
  }
}
