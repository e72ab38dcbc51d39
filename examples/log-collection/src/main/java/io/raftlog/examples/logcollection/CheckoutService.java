package io.raftlog.examples.logcollection;

import ch.qos.logback.classic.LoggerContext;
import io.raftlog.logback.RaftlogAppender;
import java.time.Duration;
import java.util.Random;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * A pretend checkout service that logs a few lines a second through SLF4J, for a bounded time. Its
 * logback.xml sends every event to the console and, through the raftlog-logback appender, to the
 * stream {@code logs.checkout} of a raftlog cluster. Nothing here knows about raftlog but the last
 * lines, which stop logback so the appender delivers what it still holds.
 *
 * <p>Usage: {@code CheckoutService [SECONDS] [LINES_PER_SECOND]} (default 30 and 4).
 */
public final class CheckoutService {
  private static final Logger LOG = LoggerFactory.getLogger(CheckoutService.class);
  private static final Logger PAYMENTS = LoggerFactory.getLogger("checkout.payments");
  private static final String[] CUSTOMERS = {"ada", "grace", "edsger", "barbara", "ken"};

  private CheckoutService() {}

  public static void main(String[] args) throws InterruptedException {
    Duration runFor = Duration.ofSeconds(args.length > 0 ? Long.parseLong(args[0]) : 30);
    int perSecond = args.length > 1 ? Integer.parseInt(args[1]) : 4;
    Random random = new Random();
    long end = System.nanoTime() + runFor.toNanos();
    LOG.info(
        "checkout service up: logging {} lines a second for {} s", perSecond, runFor.toSeconds());
    int order = 0;
    while (System.nanoTime() < end) {
      order++;
      MDC.put("order.id", Integer.toString(order));
      MDC.put("customer", CUSTOMERS[random.nextInt(CUSTOMERS.length)]);
      try {
        handle(order, random);
      } finally {
        MDC.clear();
      }
      Thread.sleep(1000 / Math.max(1, perSecond));
    }
    LOG.info("checkout service down after {} orders", order);
    stopLogging();
  }

  private static void handle(int order, Random random) {
    int items = 1 + random.nextInt(5);
    LOG.info("order {} placed: {} items", order, items);
    int millis = 20 + random.nextInt(400);
    if (millis > 350) {
      PAYMENTS.warn("payment for order {} took {} ms", order, millis);
    }
    if (order % 20 == 0) {
      try {
        charge(order);
      } catch (IllegalStateException e) {
        PAYMENTS.error("order {} not charged", order, e);
      }
    }
    LOG.debug("order {} done", order); // below the root level: neither printed nor shipped
  }

  private static void charge(int order) {
    try {
      throw new java.net.SocketTimeoutException("issuer did not answer in 2000 ms");
    } catch (java.io.IOException e) {
      throw new IllegalStateException("card issuer unreachable for order " + order, e);
    }
  }

  /**
   * Stops logback: the appender sends what it holds (within its shutdownTimeout) and closes its
   * client. The {@code <shutdownHook/>} of logback.xml does the same when the JVM is stopped
   * otherwise (Ctrl-C).
   */
  private static void stopLogging() {
    LoggerContext logback = (LoggerContext) LoggerFactory.getILoggerFactory();
    RaftlogAppender raftlog =
        (RaftlogAppender) logback.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("RAFTLOG");
    logback.stop();
    if (raftlog != null) {
      System.out.println(
          "raftlog appender: stream " + raftlog.stream() + ", dropped " + raftlog.droppedEvents());
    }
  }
}
