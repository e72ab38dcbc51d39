package io.raftlog.chaos;

import io.raftlog.testkit.NetworkNamespaces;
import java.io.IOException;
import java.util.Random;

/**
 * Mode flap: the picked shard's leader's links to every other node are cut and healed at random,
 * each state lasting 0.2 to 1 s, until undone (then healed for good). Some cuts outlast the
 * election timeout and some do not, so leaderships may move back and forth; the run checks that the
 * data stays right, not that any one election happens. Clients reach every node throughout. Its own
 * thread ({@code chaos-flap}) does the cutting between {@link #inject()} and {@link #undo()}.
 */
final class FlapNode extends OneNodeDisruption {
  private static final int MIN_MS = 200;
  private static final int MAX_MS = 1000;

  private final NetworkNamespaces network;
  private final Random random;
  private volatile boolean flapping;
  private Thread thread;
  private volatile Exception failure;
  private volatile int cuts;

  FlapNode(Situation s, String target) {
    super("flap", s, target);
    this.network = s.requireNetwork("flap");
    this.random = new Random(s.random().nextLong());
  }

  /** A short cut may not cost the leadership: nothing to step down from for sure. */
  @Override
  public boolean mustStepDown() {
    return false;
  }

  /** How many times the links were cut. */
  int cuts() {
    return cuts;
  }

  @Override
  public void inject() throws Exception {
    flapping = true;
    network.isolate(target); // the first cut is in effect when inject returns
    cuts = 1;
    thread = new Thread(this::flap, "chaos-flap");
    thread.setDaemon(true);
    thread.start();
  }

  private void flap() {
    boolean cut = true;
    try {
      while (flapping) {
        Thread.sleep(MIN_MS + random.nextInt(MAX_MS - MIN_MS + 1));
        if (!flapping) {
          return;
        }
        if (cut) {
          network.rejoin(target);
        } else {
          network.isolate(target);
          cuts++;
        }
        cut = !cut;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      failure = e;
    }
  }

  @Override
  public void undo() throws Exception {
    flapping = false;
    thread.join(); // within a second: no interrupt, which could land in the middle of an ip command
    network.rejoin(target);
    if (failure != null) {
      throw failure;
    }
  }
}
