package io.raftlog.replication.rafttls;

import com.alipay.remoting.ExtendedNettyChannelHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.OptionalSslHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The first handler of each connection the Raft port accepts (Bolt's front-handler hook): it puts
 * in its place Netty's {@code SslHandler} of the node's current server context, or, while the port
 * also takes plaintext ({@code tls.plaintext} accepted or used), Netty's {@link
 * OptionalSslHandler}, which looks at the first bytes and goes on in TLS or in plaintext.
 *
 * <p>Bolt's own server TLS is not used: it takes its trust manager algorithm from a JVM-wide
 * property, and for a plaintext peer its SslHandler cannot be taken out of the pipeline (the
 * handshake timeout it already started would close the connection). Shared by every connection of
 * one port; runs on Bolt's Netty worker threads.
 */
@ChannelHandler.Sharable
final class TlsFront extends ChannelInboundHandlerAdapter implements ExtendedNettyChannelHandler {
  private final Supplier<SslContext> context;
  private final boolean plaintextToo;

  TlsFront(Supplier<SslContext> context, boolean plaintextToo) {
    this.context = context;
    this.plaintextToo = plaintextToo;
  }

  /**
   * A caller that has not finished its TLS handshake (or, while plaintext is taken too, sent its
   * first bytes) this long after connecting is cut off: Netty's default handshake timeout, and the
   * default of the gRPC port's {@code net.handshake-timeout-ms}.
   */
  static final long HANDSHAKE_TIMEOUT_MS = 10_000;

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    SslContext c = context.get();
    ChannelHandler tls;
    if (plaintextToo) {
      tls = new TlsOrPlaintext(c);
    } else {
      SslHandler h = c.newHandler(ctx.alloc());
      h.setHandshakeTimeoutMillis(HANDSHAKE_TIMEOUT_MS);
      tls = h;
    }
    ctx.pipeline().replace(this, "raftlogTls", tls);
  }

  /** Netty's detector, with a deadline for the first bytes and the handshake that may follow. */
  private static final class TlsOrPlaintext extends OptionalSslHandler {
    private ScheduledFuture<?> deadline;

    TlsOrPlaintext(SslContext context) {
      super(context);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      deadline =
          ctx.executor()
              .schedule(
                  () -> {
                    if (!ctx.isRemoved()) {
                      ctx.close(); // silent since it connected
                    }
                  },
                  HANDSHAKE_TIMEOUT_MS,
                  TimeUnit.MILLISECONDS);
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
      deadline.cancel(false);
    }

    @Override
    protected SslHandler newSslHandler(ChannelHandlerContext ctx, SslContext context) {
      SslHandler h = super.newSslHandler(ctx, context);
      h.setHandshakeTimeoutMillis(HANDSHAKE_TIMEOUT_MS);
      return h;
    }
  }

  @Override
  public List<ChannelHandler> frontChannelHandlers() {
    return List.of(this);
  }

  @Override
  public List<ChannelHandler> backChannelHandlers() {
    return List.of();
  }
}
