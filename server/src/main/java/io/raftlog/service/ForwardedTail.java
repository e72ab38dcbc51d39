package io.raftlog.service;

import io.grpc.Context;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.ServerCallStreamObserver;
import io.raftlog.api.v1.ConsumeRequest;
import io.raftlog.config.Peer;
import io.raftlog.storage.StoredRecords;
import java.util.List;

/**
 * A relay of one client ConsumeStream to a replica of its shard, by a node that holds none: the
 * replica's responses go to the client as they are, one asked for at a time and the next only once
 * the client's flow-control window is open, so a slow reader holds at most one response here. A
 * replica that cannot be reached before it sent anything is followed by the next of {@code
 * targets}; after that, its failure ends the call (the client resumes from what it got). The
 * client's cancel cancels the relay.
 *
 * <p>Made on the call's first invocation (gRPC takes its handlers there); its replica's answers
 * arrive on gRPC's client threads, the client's window and cancel on the server's.
 */
final class ForwardedTail {
  /** Opens the relay's call to {@code target}, answering to {@code upstream}. */
  @FunctionalInterface
  interface Opener {
    void open(Peer target, ClientResponseObserver<ConsumeRequest, StoredRecords> upstream);
  }

  private final ServerCallStreamObserver<StoredRecords> out;
  private final List<Peer> targets;
  private final Opener opener;
  private final Context call = Context.current();
  private Attempt current; // guarded by this
  private boolean owed; // a response may be asked for once the client's window opens
  private boolean cancelled;

  ForwardedTail(ServerCallStreamObserver<StoredRecords> out, List<Peer> targets, Opener opener) {
    this.out = out;
    this.targets = targets;
    this.opener = opener;
    out.setOnCancelHandler(this::cancel);
    out.setOnReadyHandler(this::windowOpened);
  }

  void start() {
    open(0);
  }

  private void open(int i) {
    Attempt a = new Attempt(i);
    synchronized (this) {
      if (cancelled) {
        return;
      }
      current = a;
    }
    call.run(() -> opener.open(targets.get(i), a));
  }

  private synchronized void windowOpened() {
    if (owed && current != null && current.upstream != null && out.isReady()) {
      owed = false;
      current.upstream.request(1);
    }
  }

  private synchronized void cancel() {
    cancelled = true;
    if (current != null && current.upstream != null) {
      current.upstream.cancel("the client cancelled its stream", null);
    }
  }

  /** The relay's call to one replica. */
  private final class Attempt implements ClientResponseObserver<ConsumeRequest, StoredRecords> {
    private final int index;
    private volatile ClientCallStreamObserver<ConsumeRequest> upstream;
    private boolean relayed; // touched on the call's serialized client callbacks only

    Attempt(int index) {
      this.index = index;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<ConsumeRequest> upstream) {
      upstream.disableAutoRequestWithInitial(1);
      this.upstream = upstream;
    }

    @Override
    public void onNext(StoredRecords records) {
      relayed = true;
      synchronized (ForwardedTail.this) {
        out.onNext(records);
        if (out.isReady()) {
          upstream.request(1);
        } else {
          owed = true;
        }
      }
    }

    @Override
    public void onError(Throwable t) {
      if (!relayed && ReadForwarder.unreachable(t) && index + 1 < targets.size()) {
        open(index + 1);
        return;
      }
      out.onError(Errors.relayed(t, targets.get(index).clientAddress()));
    }

    @Override
    public void onCompleted() {
      out.onCompleted();
    }
  }
}
