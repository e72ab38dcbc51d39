package io.raftlog.chaos.audit;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Judges a chaos run from what it recorded ({@link RunRecord}) against every {@link Check}, and
 * measures its outages. A pure function of the record: the run's thread calls it once the cluster
 * has been read.
 */
public final class Audit {
  /** The checks, in the order their problems are listed. */
  static final List<Check> CHECKS =
      List.of(
          new HistoryJudged(),
          new DenseOffsets(),
          new ForeignRecords(),
          new DuplicateRecords(),
          new ProducerOrder(),
          new LostRecords(),
          new MisplacedRecords(),
          new IdenticalReplicas(),
          new SubscriptionSaw(),
          new SteppedDown());

  /** How many problems the findings list, and how many distinct failed sends among them. */
  private static final int PROBLEMS = 20;

  private static final int FAILED_SENDS = 3;

  private Audit() {}

  public static Findings of(RunRecord run) {
    Map<Check.Kind, Long> counts = new EnumMap<>(Check.Kind.class);
    List<String> problems = new ArrayList<>();
    for (Check c : CHECKS) {
      counts.put(c.kind(), c.count(run, problems::add));
    }
    // failed sends are no violation (the producer was told), but say why the producer failed
    run.sends().failed().values().stream()
        .distinct()
        .limit(FAILED_SENDS)
        .forEach(f -> problems.add("a send failed: " + f));
    return new Findings(
        counts, problems.stream().limit(PROBLEMS).toList(), Availability.measure(run));
  }
}
