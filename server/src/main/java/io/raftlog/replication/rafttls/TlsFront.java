package io.raftlog.replication.rafttls;

import com.alipay.remoting.ExtendedNettyChannelHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.OptionalSslHandler;
import io.netty.handler.ssl.SslContext;
import java.util.List;
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

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    SslContext c = context.get();
    ChannelHandler tls = plaintextToo ? new OptionalSslHandler(c) : c.newHandler(ctx.alloc());
    ctx.pipeline().replace(this, "raftlogTls", tls);
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
