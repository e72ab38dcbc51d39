package io.raftlog.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.raftlog.replication.GroupStats;
import io.raftlog.replication.RaftState;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * The meters of one Raft group member of this node (docs/metrics.md, "Raft groups"), tagged {@code
 * group}: gauges and function counters over its {@link GroupStats}, read when scraped, and the
 * snapshot timer its {@link io.raftlog.replication.GroupEvents} feeds. Registered when the member
 * appears on the node and removed from the registry when it goes ({@link #close}), so a dropped
 * replica leaves no series behind. Made and closed by {@link NodeMetrics} on the thread that starts
 * or drops the replica; {@link #refresh} runs on the scraping thread.
 */
final class GroupMeters implements AutoCloseable {
  private final MeterRegistry registry;
  private final GroupStats stats;
  private final Tags tags;
  private final List<Meter> meters = new ArrayList<>();
  private final MultiGauge followerLag;
  private boolean closed; // a scrape that raced the drop must not register the lags again

  GroupMeters(MeterRegistry registry, GroupStats stats) {
    this.registry = registry;
    this.stats = stats;
    this.tags = Tags.of("group", stats.group());
    gauge(
        "raftlog.raft.role",
        "this replica's role: 0 follower, 1 candidate, 2 leader, 3 learner," + " -1 none",
        s -> role(s));
    gauge(
        "raftlog.raft.is.leader",
        "1 while this replica leads the group",
        s -> s.state().role() == RaftState.Role.LEADER ? 1 : 0);
    gauge(
        "raftlog.raft.leader.known",
        "1 while this replica knows a leader",
        s -> s.leaderKnown() ? 1 : 0);
    gauge("raftlog.raft.term", "the Raft term this replica last saw", s -> s.state().term());
    gauge(
        "raftlog.raft.commit.index",
        "index of the last entry it knows committed",
        s -> s.state().commitIndex());
    gauge(
        "raftlog.raft.applied.index",
        "index of the last entry it applied",
        s -> s.state().appliedIndex());
    gauge(
        "raftlog.raft.last.log.index",
        "index of the last entry in its log",
        GroupStats::lastLogIndex);
    gauge(
        "raftlog.raft.apply.queue.entries",
        "committed entries not yet applied",
        s -> {
          RaftState st = s.state();
          return Math.max(0, st.commitIndex() - st.appliedIndex());
        });
    counter(
        "raftlog.raft.leader.changes",
        "times this replica saw a new leader of the group",
        s -> s.events().leaderChanges());
    counter("raftlog.snapshots", "snapshots this replica took", s -> s.events().snapshots());
    counter(
        "raftlog.snapshot.installs",
        "snapshots installed from the leader",
        s -> s.events().installs());
    gauge(
        "raftlog.snapshot.bytes",
        "size of the last snapshot taken or installed",
        s -> s.events().lastSnapshotBytes());
    gauge(
        "raftlog.snapshot.last.time.seconds",
        "when the last snapshot was taken or installed (0: none since start)",
        s -> s.events().lastSnapshotMs() / 1000.0);
    if (stats.holdsStreams()) {
      gauge("raftlog.streams", "streams in this replica's store", GroupStats::streams);
    }
    Timer duration =
        Timer.builder("raftlog.snapshot.duration")
            .description("how long taking a snapshot took")
            .tags(tags)
            .register(registry);
    meters.add(duration);
    stats.events().onSnapshotTaken(nanos -> duration.record(nanos, TimeUnit.NANOSECONDS));
    this.followerLag =
        MultiGauge.builder("raftlog.raft.follower.lag.entries")
            .description("on the leader: entries each follower is behind its last log index")
            .tags(tags)
            .register(registry);
  }

  private static int role(GroupStats s) {
    return switch (s.state().role()) {
      case LEADER -> 2;
      case CANDIDATE -> 1;
      case FOLLOWER -> s.learner() ? 3 : 0;
      case OTHER -> -1;
    };
  }

  private void gauge(String name, String help, ToDoubleFunction<GroupStats> value) {
    meters.add(
        Gauge.builder(name, stats, value)
            .description(help)
            .tags(tags)
            .strongReference(true)
            .register(registry));
  }

  private void counter(String name, String help, ToDoubleFunction<GroupStats> value) {
    meters.add(
        FunctionCounter.builder(name, stats, value)
            .description(help)
            .tags(tags)
            .register(registry));
  }

  /**
   * Before a scrape: one series per follower the member leads now (none when it does not lead),
   * dropping those of followers gone.
   */
  synchronized void refresh() {
    if (closed) {
      return;
    }
    List<MultiGauge.Row<?>> rows = new ArrayList<>();
    stats
        .followerLags()
        .forEach((node, lag) -> rows.add(MultiGauge.Row.of(Tags.of("follower", node), lag)));
    followerLag.register(rows, true);
  }

  /** Removes every series of this group from the registry. */
  @Override
  public synchronized void close() {
    closed = true;
    stats.events().onSnapshotTaken(nanos -> {});
    followerLag.register(List.of(), true);
    meters.forEach(registry::remove);
    meters.clear();
  }
}
