package io.raftlog.cli.tail;

import io.raftlog.client.RaftlogClient;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code raftlog tail}'s engine: one {@link FileTail} per file, each on its own thread, all into
 * one stream through one client. Made and run by the command's thread: {@link #run} returns when
 * every file's thread ended, or throws the first failure (after stopping the others); an interrupt
 * of that thread (Ctrl-C, SIGTERM) stops every file, which finishes its batch in flight within
 * {@code stopWait} and saves its state.
 */
public final class Tailer {
  private final List<FileTail> tails = new ArrayList<>();
  private final List<Thread> threads = new ArrayList<>();
  private final Duration stopWait;

  public Tailer(
      List<Path> files,
      TailOptions options,
      RaftlogClient client,
      Notices notices,
      Duration stopWait) {
    Set<Path> distinct = new LinkedHashSet<>();
    for (Path f : files) {
      if (distinct.add(f.toAbsolutePath().normalize())) {
        tails.add(new FileTail(f, options, client, notices));
      }
    }
    this.stopWait = stopWait;
  }

  /** Follows the files until interrupted (then answers normally) or one of them fails. */
  public void run() throws Exception {
    for (int i = 0; i < tails.size(); i++) {
      Thread t = new Thread(tails.get(i), "raftlog-tail-" + i);
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
    try {
      while (true) {
        boolean alive = false;
        for (int i = 0; i < tails.size(); i++) {
          threads.get(i).join(100);
          Throwable t = tails.get(i).failure();
          if (t != null) {
            stop();
            throw failed(tails.get(i), t);
          }
          alive |= threads.get(i).isAlive();
        }
        if (!alive) {
          return;
        }
      }
    } catch (InterruptedException e) {
      stop();
    }
  }

  /** Lines read and not yet acknowledged, over every file. */
  public long held() {
    return tails.stream().mapToLong(FileTail::held).sum();
  }

  private void stop() {
    tails.forEach(FileTail::stop);
    long until = System.nanoTime() + stopWait.toNanos();
    for (Thread t : threads) {
      try {
        t.join(Math.max(1, (until - System.nanoTime()) / 1_000_000));
      } catch (InterruptedException again) {
        return; // a second Ctrl-C: go now, the state files name what was in flight
      }
    }
  }

  private static Exception failed(FileTail tail, Throwable t) {
    if (t instanceof IOException io) {
      return new IOException(tail.toString() + ": " + io.getMessage(), io);
    }
    if (t instanceof Exception e) {
      return e;
    }
    throw (Error) t;
  }
}
