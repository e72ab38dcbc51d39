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
import java.util.function.Supplier;

/**
 * How a connection to a TLS gRPC port starts: through gRPC's own server TLS negotiation ({@code
 * serverTls}: the handshake, ALPN, the peer's certificate as the call's SSL session), with the
 * server {@link SslContext} current when the connection comes. A reload of the CA bundle makes a
 * new context: the CA names a server sends in its certificate request are fixed in a context, and a
 * client picks the certificate it shows by them.
 *
 * <p>While a cluster moves to TLS ({@code tls.plaintext=accepted} or {@code used}) the port takes
 * plaintext connections too. The first five bytes a client sends tell which (a TLS record header,
 * or HTTP/2's preface), as Netty's {@code OptionalSslHandler} decides; a plaintext connection goes
 * through {@code serverPlaintext} (no session: the caller is {@code anonymous}). gRPC starts a
 * connection's negotiation with an event before any byte arrives; the sniffer holds it and hands it
 * to the negotiation it picks, so that one runs exactly as it would alone. A client that sends
 * fewer than five bytes is closed by the server's handshake timeout ({@code
 * net.handshake-timeout-ms}).
 *
 * <p>Made once per server; its handlers run on the event loop of their connection.
 */
final class ApiPortNegotiator implements InternalProtocolNegotiator.ProtocolNegotiator {
  /** The length of a TLS record's header, all {@link SslHandler#isEncrypted} needs to decide. */
  private static final int RECORD_HEADER = 5;

  /** gRPC's negotiation event type is package-private: known by the class of its default. */
  private static final Class<?> NEGOTIATION_EVENT =
      InternalProtocolNegotiationEvent.getDefault().getClass();

  private final Supplier<SslContext> serverContext;
  private final boolean acceptsPlaintext;
  private final InternalProtocolNegotiator.ProtocolNegotiator plaintext =
      InternalProtocolNegotiators.serverPlaintext();

  /**
   * @param serverContext the server context for a connection starting now
   * @param acceptsPlaintext whether plaintext connections are taken too
   */
  ApiPortNegotiator(Supplier<SslContext> serverContext, boolean acceptsPlaintext) {
    this.serverContext = serverContext;
    this.acceptsPlaintext = acceptsPlaintext;
  }

  @Override
  public AsciiString scheme() {
    return AsciiString.of("https");
  }

  @Override
  public ChannelHandler newHandler(GrpcHttp2ConnectionHandler grpcHandler) {
    return acceptsPlaintext ? new Sniffer(grpcHandler) : tls(grpcHandler);
  }

  private ChannelHandler tls(GrpcHttp2ConnectionHandler grpcHandler) {
    return InternalProtocolNegotiators.serverTls(serverContext.get()).newHandler(grpcHandler);
  }

  @Override
  public void close() {
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
          SslHandler.isEncrypted(in, false) ? tls(grpcHandler) : plaintext.newHandler(grpcHandler);
      ctx.pipeline().addAfter(ctx.name(), null, next);
      ctx.fireUserEventTriggered(negotiation);
      // Removing the decoder hands the bytes it holds to the negotiation just added.
      ctx.pipeline().remove(this);
    }
  }
}
