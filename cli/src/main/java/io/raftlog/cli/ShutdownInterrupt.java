package io.raftlog.cli;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ctrl-C or SIGTERM during a command that must finish what it started: a JVM shutdown hook
 * interrupts the command's thread and holds the exit until the command says it is done (or {@code
 * wait} passes), so {@code consume --consumer} commits what it printed before the process ends.
 * Made and closed by the command's thread; the hook runs on the JVM's shutdown thread.
 */
final class ShutdownInterrupt implements AutoCloseable {
  private final CountDownLatch done = new CountDownLatch(1);
  private final Thread hook;

  ShutdownInterrupt(Duration wait) {
    Thread worker = Thread.currentThread();
    hook =
        new Thread(
            () -> {
              worker.interrupt();
              try {
                done.await(wait.toMillis(), TimeUnit.MILLISECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "raftlog-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /** The command is done: the exit may go on. */
  @Override
  public void close() {
    done.countDown();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running (or ran): it was waiting for the count down above
    }
  }
}
