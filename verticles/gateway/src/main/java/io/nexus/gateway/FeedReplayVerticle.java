package io.nexus.gateway;

import io.nexus.contracts.system.SystemFeed;
import io.nexus.kernel.bus.Bus;
import io.nexus.kernel.db.Database;
import io.nexus.kernel.db.PgConfig;
import io.nexus.kernel.events.EventStore;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

/**
 * Answers {@code ui.feed.replay} on a worker thread: a replay reads and filters up to
 * thousands of log rows, which must not hold up the gateway's event loops. One instance per
 * gateway, so replays are served one at a time there (the bridge limits how often a socket
 * and a user may ask); each is bounded by {@code FeedReplay.max} and the pages it may scan.
 */
final class FeedReplayVerticle extends VerticleBase {
  private static final int POOL_SIZE = 2;

  private final long timeoutMs;
  private Database eventlog;
  private Bus bus;

  FeedReplayVerticle(long timeoutMs) {
    this.timeoutMs = timeoutMs;
  }

  @Override
  public Future<?> start() {
    var pg = PgConfig.from(config());
    eventlog = Database.connect(vertx, pg.withPoolSize(POOL_SIZE), EventStore.SCHEMA);
    var feed = new LiveFeed(vertx, new EventStore(eventlog.pool()));
    bus = Bus.on(vertx, config(), timeoutMs);
    return bus.handle(SystemFeed.FEED_REPLAY, feed::replay).bind();
  }

  @Override
  public Future<?> stop() {
    return bus.unbind().eventually(() -> eventlog.close());
  }
}
