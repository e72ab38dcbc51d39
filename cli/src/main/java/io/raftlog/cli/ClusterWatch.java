package io.raftlog.cli;

import io.grpc.Status;
import io.raftlog.api.v1.GetClusterResponse;
import io.raftlog.client.RaftlogException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * Follows a change the cluster carries out by itself (a drain, a replica move): reads {@code
 * GetCluster} every {@link #INTERVAL}, asks a {@link Judge} how the change stands, shows that on a
 * {@link StatusLine} while it goes on, and returns the final status once it is done. Runs on, and
 * blocks, the command's thread.
 */
final class ClusterWatch {
  /** Between two looks: a change takes seconds at least, and each look is one small call. */
  static final Duration INTERVAL = Duration.ofMillis(500);

  /**
   * How long a judge lets a change look undone before it calls it failed: any node answers {@code
   * GetCluster}, from its own replica of the catalog, which may not have the change yet.
   */
  static final Duration STALE_GRACE = Duration.ofSeconds(5);

  /**
   * How a change stands in one answer of {@code GetCluster}.
   *
   * @param status one line for a person, with no time in it (a new status is a new line in a log)
   * @param done whether the change is complete
   * @param failure why it will not complete, or null
   */
  record Seen(String status, boolean done, String failure) {
    static Seen going(String status) {
      return new Seen(status, false, null);
    }

    static Seen done(String status) {
      return new Seen(status, true, null);
    }

    static Seen failed(String status, String why) {
      return new Seen(status, false, why);
    }
  }

  /** Judges one answer of {@code GetCluster}, {@code elapsed} into the wait. */
  @FunctionalInterface
  interface Judge {
    Seen judge(GetClusterResponse cluster, Duration elapsed);
  }

  private final Supplier<GetClusterResponse> poll;
  private final StatusLine line;
  private final Duration interval;

  ClusterWatch(Supplier<GetClusterResponse> poll, StatusLine line, Duration interval) {
    this.poll = poll;
    this.line = line;
    this.interval = interval;
  }

  /**
   * As {@link #await}, but Ctrl-C or SIGTERM ends the wait rather than the process at once: it
   * prints {@code raftlog: interrupted; <what> goes on in the cluster} on {@code err} and answers
   * null (the command exits 130).
   */
  Seen awaitUnlessStopped(String what, Duration timeout, Judge judge, PrintWriter err) {
    try (ShutdownInterrupt stop = new ShutdownInterrupt(Duration.ofSeconds(2))) {
      try {
        return await(what, timeout, judge);
      } catch (InterruptedException | RuntimeException e) {
        // An interrupt during a GetCluster call ends it as CANCELLED, with the flag set.
        if (!(e instanceof InterruptedException) && !Thread.interrupted()) {
          throw (RuntimeException) e;
        }
        err.println("raftlog: interrupted; " + what + " goes on in the cluster");
        err.flush();
        return null;
      }
    }
  }

  /**
   * Looks until {@code judge} says done; answers what it saw last.
   *
   * @param what the change, for the messages ("the drain of node 3")
   * @throws RaftlogException {@code DEADLINE_EXCEEDED} (exit code 3) when {@code timeout} passes,
   *     {@code UNKNOWN} (exit code 5) when the judge sees a failure; both messages end with the
   *     last status
   * @throws InterruptedException if the thread is interrupted (Ctrl-C): the change goes on
   */
  Seen await(String what, Duration timeout, Judge judge) throws InterruptedException {
    long start = System.nanoTime();
    try {
      while (true) {
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        Seen seen = judge.judge(poll.get(), elapsed);
        if (seen.done()) {
          return seen; // the caller prints the result: on a line of its own, once
        }
        line.show(elapsed, seen.status());
        if (seen.failure() != null) {
          throw new RaftlogException(
              Status.Code.UNKNOWN, seen.failure() + " (" + seen.status() + ")", null);
        }
        if (elapsed.plus(interval).compareTo(timeout) > 0) {
          throw new RaftlogException(
              Status.Code.DEADLINE_EXCEEDED,
              "stopped following "
                  + what
                  + " after "
                  + Units.duration(timeout)
                  + " (--timeout); it goes on in the cluster: "
                  + seen.status(),
              null);
        }
        Thread.sleep(interval.toMillis());
      }
    } finally {
      line.end();
    }
  }
}
