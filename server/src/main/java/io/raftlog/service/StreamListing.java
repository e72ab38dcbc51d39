package io.raftlog.service;

import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.raftlog.api.v1.ListStreamsRequest;
import io.raftlog.api.v1.ListStreamsResponse;
import io.raftlog.api.v1.StreamInfo;
import io.raftlog.config.Peer;
import io.raftlog.replication.ReplicatedLog;
import io.raftlog.storage.NamedStream;
import io.raftlog.wire.CallHeaders;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

/**
 * ListStreams, from any node: the shards this node holds are read here (after a read barrier in
 * each, and in the meta group for the settings); the others are listed by nodes that hold them, one
 * call per such node (the shard's leader if known, else a replica, as few nodes as cover them),
 * each marked with the shards it is for ({@code raftlog-list-shards}) so it lists only those, with
 * the same prefix, page token and page size. A node that cannot be reached is replaced by another
 * replica of each of its shards. Stateless; called on gRPC's threads, the remote pages complete on
 * gRPC's client threads, the merge runs on the read executor.
 */
final class StreamListing {
  private final Routes routes;
  private final Forwarder forwarder;
  private final ReadPath reads;

  StreamListing(Routes routes, Forwarder forwarder, ReadPath reads) {
    this.routes = routes;
    this.forwarder = forwarder;
    this.reads = reads;
  }

  /**
   * Lists the streams of every shard, merged in name order: the shards this node holds are each
   * read after a read barrier in it, so the page sees every create and delete acknowledged before
   * the call; the others are listed by nodes that hold them ({@link #pages}), each a page of the
   * same size, so the merged page is exact. A node asked by another lists only the shards it was
   * asked for.
   */
  void list(ListStreamsRequest request, StreamObserver<ListStreamsResponse> out) {
    int page;
    List<ReplicatedLog> shards = new ArrayList<>();
    List<Integer> missing = new ArrayList<>();
    try {
      page =
          RequestChecks.pageSize(request.getPageSize(), ReadPath.DEFAULT_PAGE, ReadPath.MAX_PAGE);
      Set<Integer> asked = askedShards();
      for (int shard = 0; shard < routes.replicas().shardCount(); shard++) {
        if (asked == null || asked.contains(shard)) {
          ReplicatedLog local = routes.local(shard);
          if (local != null) {
            shards.add(local);
          } else if (asked != null) { // its replicas moved since the asking node looked
            throw Errors.notReplica(shard, routes.replicasOf(shard));
          } else {
            missing.add(shard);
          }
        }
      }
    } catch (RuntimeException e) {
      out.onError(Errors.asStatus(e));
      return;
    }
    String prefix = request.getPrefix();
    CompletableFuture<List<ListStreamsResponse>> remote =
        missing.isEmpty()
            ? CompletableFuture.completedFuture(List.of())
            : pages(missing, request.toBuilder().setPageSize(page).build());
    List<CompletableFuture<?>> barriers = new ArrayList<>();
    barriers.add(remote);
    barriers.add(routes.catalog().readBarrier()); // the streams' settings
    for (ReplicatedLog s : shards) {
      barriers.add(s.readBarrier());
    }
    Runnable read =
        ReadPath.guarded(
            out,
            () -> {
              List<StreamInfo> all = new ArrayList<>();
              for (ReplicatedLog s : shards) {
                for (NamedStream e : s.reader().streams(prefix, request.getPageToken(), page + 1)) {
                  all.add(ReadPath.info(routes, e.name(), s.shard(), e.meta()));
                }
              }
              // A node's page that had more means the merged page is full, its last name the
              // token: every name before it was on some page.
              boolean more = false;
              for (ListStreamsResponse r : remote.join()) {
                all.addAll(r.getStreamsList());
                more |= !r.getNextPageToken().isEmpty();
              }
              all.sort(Comparator.comparing(StreamInfo::getName));
              ListStreamsResponse.Builder b = ListStreamsResponse.newBuilder();
              b.addAllStreams(all.subList(0, Math.min(page, all.size())));
              if (all.size() > page || (more && !all.isEmpty())) {
                b.setNextPageToken(all.get(Math.min(page, all.size()) - 1).getName());
              }
              out.onNext(b.build());
              out.onCompleted();
            });
    reads.executeWhen(
        CompletableFuture.allOf(barriers.toArray(CompletableFuture[]::new)), read, out);
  }

  /** The shards a node asked this one to list ({@code raftlog-list-shards}), or null. */
  private static Set<Integer> askedShards() {
    String asked = LeaderHeaders.LIST_SHARDS.get();
    if (asked == null || !LeaderHeaders.isForwarded()) {
      return null;
    }
    try {
      return asked.isEmpty()
          ? Set.of()
          : Arrays.stream(asked.split(",")).map(Integer::valueOf).collect(Collectors.toSet());
    } catch (NumberFormatException e) {
      throw Errors.invalid("raftlog-list-shards '" + asked + "' is not a list of shard ids");
    }
  }

  /** One page of {@code shards} from each node asked, with the request's prefix, token and size. */
  private CompletableFuture<List<ListStreamsResponse>> pages(
      Collection<Integer> shards, ListStreamsRequest request) {
    return ask(shards, request, new HashSet<>(), null, Context.current());
  }

  private CompletableFuture<List<ListStreamsResponse>> ask(
      Collection<Integer> shards,
      ListStreamsRequest request,
      Set<String> unreachable,
      Throwable lastFailure,
      Context call) {
    Map<Peer, List<Integer>> byNode = new LinkedHashMap<>();
    for (int shard : shards) {
      List<Peer> targets = routes.readTargets(shard);
      targets.removeIf(p -> unreachable.contains(p.id()));
      if (targets.isEmpty()) {
        return CompletableFuture.failedFuture(
            lastFailure != null ? lastFailure : Errors.notReplica(shard, routes.replicasOf(shard)));
      }
      Peer to = targets.stream().filter(byNode::containsKey).findFirst().orElse(targets.get(0));
      byNode.computeIfAbsent(to, p -> new ArrayList<>()).add(shard);
    }
    List<CompletableFuture<List<ListStreamsResponse>>> asked = new ArrayList<>();
    byNode.forEach(
        (node, its) ->
            asked.add(
                one(node, its, request)
                    .thenApply(List::of)
                    .exceptionallyCompose(
                        failure -> {
                          if (!ReadForwarder.unreachable(failure) || call.isCancelled()) {
                            return CompletableFuture.failedFuture(failure);
                          }
                          Set<String> without = new HashSet<>(unreachable);
                          without.add(node.id());
                          // On gRPC's client thread: ask again in the call's context.
                          Context previous = call.attach();
                          try {
                            return ask(its, request, without, failure, call);
                          } finally {
                            call.detach(previous);
                          }
                        })));
    return CompletableFuture.allOf(asked.toArray(CompletableFuture[]::new))
        .thenApply(done -> asked.stream().flatMap(f -> f.join().stream()).toList());
  }

  private CompletableFuture<ListStreamsResponse> one(
      Peer node, List<Integer> shards, ListStreamsRequest request) {
    Metadata md = new Metadata();
    md.put(
        CallHeaders.LIST_SHARDS,
        shards.stream().map(String::valueOf).collect(Collectors.joining(",")));
    return forwarder.unary(
        Forwarder.META,
        node,
        request,
        (stub, r, out) ->
            stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md))
                .listStreams(r, out));
  }
}
