package io.raftlog.chaos.audit;

import static io.raftlog.chaos.audit.RunBuilder.sparse;
import static io.raftlog.chaos.audit.RunBuilder.stream;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The audit as a whole: every check's count, problems in check order and capped, failed sends. */
class AuditTest {
  @Test
  void aRightRunHasNoViolation() {
    Findings f = Audit.of(new RunBuilder().build());
    assertEquals(0, f.violations());
    assertEquals(List.of(), f.problems());
  }

  @Test
  void eachCheckCountsUnderItsKindAndTheProblemsComeInCheckOrder() {
    RunBuilder run = new RunBuilder().stream(0, sparse(0, 1, 2)).stream(1, stream(0, 1, 1, 2));
    run.history = null;
    run.notSteppedDown = 1;
    run.replicaReads = List.of(new ReplicaRead("2", 1, stream(0, 1, 2)));
    Findings f = Audit.of(run.build());
    assertEquals(1, f.count(Check.Kind.HISTORY));
    assertEquals(1, f.count(Check.Kind.SPARSE));
    assertEquals(1, f.count(Check.Kind.DUPLICATED));
    assertEquals(1, f.count(Check.Kind.REORDERED));
    assertEquals(1, f.count(Check.Kind.DIVERGENT));
    assertEquals(1, f.count(Check.Kind.NOT_STEPPED_DOWN));
    assertEquals(0, f.count(Check.Kind.LOST));
    assertEquals(6, f.violations());
    assertEquals("the history could not be judged (see above)", f.problems().get(0));
    assertEquals("chaos-0000: offsets are not dense from 0", f.problems().get(1));
    assertEquals("chaos-0001: record 1 appears twice", f.problems().get(2));
  }

  @Test
  void failedSendsAreNoViolationButUpToThreeDistinctReasonsAreListed() {
    RunBuilder run = new RunBuilder();
    run.failed.putAll(Map.of(10L, "a", 11L, "a", 12L, "a", 13L, "a", 14L, "b"));
    Findings few = Audit.of(run.build());
    assertEquals(0, few.violations());
    assertEquals(
        List.of("a send failed: a", "a send failed: b"), few.problems().stream().sorted().toList());
    run.failed.putAll(Map.of(15L, "c", 16L, "d"));
    assertEquals(3, Audit.of(run.build()).problems().size());
  }

  @Test
  void atMostTwentyProblemsAreListed() {
    long[] seqs = new long[30];
    java.util.Arrays.fill(seqs, -1);
    Findings f = Audit.of(new RunBuilder().stream(1, stream(seqs)).build());
    assertEquals(30, f.count(Check.Kind.FOREIGN));
    assertEquals(20, f.problems().size());
  }
}
