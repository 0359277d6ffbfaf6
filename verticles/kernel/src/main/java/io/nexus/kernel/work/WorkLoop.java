package io.nexus.kernel.work;

import io.vertx.core.Future;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a step of background work again and again while it says there may be more, one step at a
 * time: a wake-up during a step asks for one more pass instead of a second, concurrent one. A
 * failed step is logged once and ends the pass; the next wake-up (a timer, an event) tries again.
 * Used from one event loop (the verticle's).
 */
public final class WorkLoop {
  private static final Logger LOG = LoggerFactory.getLogger(WorkLoop.class);

  private final String what;
  private final Supplier<Future<Boolean>> step;
  private io.vertx.core.Vertx vertx;
  private long timer = -1;
  private boolean running;
  private boolean again;
  private volatile boolean stopped;

  /**
   * @param what what the work is, for the log ({@code "embedding chunks"})
   * @param step one step; true when there may be more to do at once
   */
  public WorkLoop(String what, Supplier<Future<Boolean>> step) {
    this.what = what;
    this.step = step;
  }

  /** Starts a pass, or asks the running one for another. */
  public void wake() {
    if (stopped) {
      return;
    }
    if (running) {
      again = true;
      return;
    }
    running = true;
    again = false;
    Future<Boolean> f;
    try {
      f = step.get();
    } catch (RuntimeException e) {
      f = Future.failedFuture(e);
    }
    f.onComplete(ar -> {
      running = false;
      if (ar.failed()) {
        LOG.warn("{} failed: {}", what, ar.cause().getMessage());
      } else if (ar.result() || again) {
        wake();
      }
    });
  }

  /** Also wakes every {@code periodMs}: work nobody announced is found within that. */
  public void every(io.vertx.core.Vertx vertx, long periodMs) {
    this.vertx = vertx;
    timer = vertx.setPeriodic(periodMs, t -> wake());
  }

  /** No pass starts after this. */
  public void stop() {
    stopped = true;
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }
}
