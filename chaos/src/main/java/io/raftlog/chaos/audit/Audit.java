package io.raftlog.chaos.audit;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Judges a chaos run from what it recorded ({@link RunRecord}) against every {@link Check}, and
 * measures its outages. A pure function of the record: the run's thread calls it once the cluster
 * has been read.
 */
public final class Audit {
  /** The checks, each under the kind it counts; run, and their problems listed, in kind order. */
  static final Map<Check.Kind, Check> CHECKS = checks();

  private static Map<Check.Kind, Check> checks() {
    Map<Check.Kind, Check> checks = new EnumMap<>(Check.Kind.class);
    checks.put(Check.Kind.HISTORY, new HistoryJudged());
    checks.put(Check.Kind.SPARSE, new DenseOffsets());
    checks.put(Check.Kind.FOREIGN, new ForeignRecords());
    checks.put(Check.Kind.DUPLICATED, new DuplicateRecords());
    checks.put(Check.Kind.REORDERED, new ProducerOrder());
    checks.put(Check.Kind.LOST, new LostRecords());
    checks.put(Check.Kind.MISPLACED, new MisplacedRecords());
    checks.put(Check.Kind.DIVERGENT, new IdenticalReplicas());
    checks.put(Check.Kind.CONSUMER, new SubscriptionSaw());
    checks.put(Check.Kind.NOT_STEPPED_DOWN, new SteppedDown());
    checks.put(Check.Kind.UNDER_REPLICATED, new ReplicationKept());
    return Collections.unmodifiableMap(checks);
  }

  /** How many problems the findings list, and how many distinct failed sends among them. */
  private static final int PROBLEMS = 20;

  private static final int FAILED_SENDS = 3;

  private Audit() {}

  public static Findings of(RunRecord run) {
    Map<Check.Kind, Long> counts = new EnumMap<>(Check.Kind.class);
    List<String> problems = new ArrayList<>();
    CHECKS.forEach((kind, check) -> counts.put(kind, check.count(run, problems::add)));
    // failed sends are no violation (the producer was told), but say why the producer failed
    run.sends().failed().values().stream()
        .distinct()
        .limit(FAILED_SENDS)
        .forEach(f -> problems.add("a send failed: " + f));
    return new Findings(
        counts, problems.stream().limit(PROBLEMS).toList(), Availability.measure(run));
  }
}
