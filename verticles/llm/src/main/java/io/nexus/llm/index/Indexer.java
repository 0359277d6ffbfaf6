package io.nexus.llm.index;

import io.nexus.contracts.Codec;
import io.nexus.contracts.llm.Llm;
import io.nexus.contracts.llm.Llm.IndexProgress;
import io.nexus.llm.facts.ChunkStore;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this node's {@link SearchIndex} a projection of the {@code chunks} table: at start it
 * compares epochs (an index of another database is emptied) and catches up from its checkpoint;
 * then it follows the table on every {@link Llm#CHUNKS_CHANGED} wake-up and on a short poll.
 * Index writes run on one worker thread, in seq order; an organisation's rebuild runs in the same
 * line, between two pages of the catch-up, with its progress on {@link Llm#indexProgress}.
 */
public final class Indexer {
  private static final Logger LOG = LoggerFactory.getLogger(Indexer.class);
  private static final int PAGE = 1000;
  private static final long COMMIT_PERIOD_MS = 5000;
  /** How long an applied change may wait to be searchable: well inside the 2 s a posted fact has. */
  private static final long REFRESH_PERIOD_MS = 250;

  private final Vertx vertx;
  private final ChunkStore store;
  private final SearchIndex index;
  private final WorkerExecutor writer;
  private final Deque<Rebuild> rebuilds = new ArrayDeque<>();
  private volatile UUID rebuilding;
  private long poll = -1;
  private long committer = -1;
  private long refresher = -1;
  private boolean unrefreshed;
  private final io.nexus.kernel.work.WorkLoop loop = new io.nexus.kernel.work.WorkLoop("indexing chunks",
      () -> step().map(more -> more || !rebuilds.isEmpty()));
  private boolean uncommitted;

  private record Rebuild(UUID org, Promise<Long> done) {}

  public Indexer(Vertx vertx, ChunkStore store, SearchIndex index, WorkerExecutor writer) {
    this.vertx = vertx;
    this.store = store;
    this.index = index;
    this.writer = writer;
  }

  public SearchIndex index() {
    return index;
  }

  /** Checks the epoch, then follows the table. */
  public Future<Void> start(long pollMs) {
    return store.epoch().compose(epoch -> {
      if (!epoch.equals(index.epoch())) {
        LOG.info("search index rebuilt from the table [dir: {}, reason: {}]", index.directory(),
            index.epoch() == null ? "new index" : "built from another database");
        return writer.executeBlocking(() -> {
          index.reset(epoch);
          return null;
        }, true).mapEmpty();
      }
      return Future.<Void>succeededFuture();
    }).onSuccess(v -> {
      poll = vertx.setPeriodic(pollMs, t -> wake());
      committer = vertx.setPeriodic(COMMIT_PERIOD_MS, t -> commit());
      refresher = vertx.setPeriodic(REFRESH_PERIOD_MS, t -> refresh());
      wake();
    });
  }

  /** True while an organisation's index is being rebuilt. */
  public boolean rebuilding(UUID org) {
    return org.equals(rebuilding) || rebuilds.stream().anyMatch(r -> r.org().equals(org));
  }

  /** Rebuilds an organisation's index from its chunks; completes with how many were indexed. */
  public Future<Long> rebuild(UUID org) {
    var p = Promise.<Long>promise();
    rebuilds.add(new Rebuild(org, p));
    wake();
    return p.future();
  }

  /** Catches up with the table now. */
  public void wake() {
    loop.wake();
  }

  /** One page of the catch-up, or one rebuild: true when there may be more. */
  private Future<Boolean> step() {
    Rebuild r = rebuilds.poll();
    if (r != null) {
      return rebuildNow(r).map(true);
    }
    return store.since(index.applied(), PAGE).compose(docs -> docs.isEmpty() ? Future.succeededFuture(false)
        : writer.executeBlocking(() -> {
          index.apply(docs);
          return docs.size() == PAGE;
        }, true).onSuccess(more -> {
          uncommitted = true;
          unrefreshed = true;
        }));
  }

  private Future<Void> rebuildNow(Rebuild r) {
    rebuilding = r.org();
    return store.counts(r.org(), 0)
        .compose(counts -> writer.executeBlocking(() -> {
          index.clear(r.org());
          return null;
        }, true).compose(v -> page(r.org(), 0, 0, counts[0])))
        .onSuccess(n -> {
          uncommitted = true;
          r.done().complete(n);
        })
        .onFailure(r.done()::fail)
        .eventually(() -> {
          rebuilding = null;
          return Future.succeededFuture();
        })
        .mapEmpty();
  }

  private Future<Long> page(UUID org, long after, long done, long total) {
    return store.ofOrg(org, after, PAGE).compose(docs -> {
      if (docs.isEmpty()) {
        progress(org, done, total, true);
        return Future.succeededFuture(done);
      }
      return writer.executeBlocking(() -> {
        index.reapply(docs);
        index.refresh();
        return null;
      }, true).compose(v -> {
        long now = done + docs.size();
        progress(org, now, Math.max(total, now), false);
        return page(org, docs.get(docs.size() - 1).seq(), now, total);
      });
    });
  }

  private void progress(UUID org, long done, long total, boolean finished) {
    vertx.eventBus().publish(Llm.indexProgress(org.toString()), Codec.toJson(new IndexProgress(done, total, finished)));
  }

  private void refresh() {
    if (!unrefreshed) {
      return;
    }
    unrefreshed = false;
    writer.executeBlocking(() -> {
      index.refresh();
      return null;
    }, true).onFailure(err -> LOG.warn("refreshing the search index failed: {}", err.getMessage()));
  }

  private void commit() {
    if (!uncommitted) {
      return;
    }
    uncommitted = false;
    writer.executeBlocking(() -> {
      index.commit();
      return null;
    }, true).onFailure(err -> LOG.warn("committing the search index failed: {}", err.getMessage()));
  }

  /** Stops following and commits what was applied. */
  public Future<Void> stop() {
    loop.stop();
    if (poll >= 0) {
      vertx.cancelTimer(poll);
    }
    if (committer >= 0) {
      vertx.cancelTimer(committer);
    }
    if (refresher >= 0) {
      vertx.cancelTimer(refresher);
    }
    for (Rebuild r : List.copyOf(rebuilds)) {
      r.done().tryFail("the service is stopping");
    }
    rebuilds.clear();
    return writer.executeBlocking(() -> {
      index.close();
      return null;
    }, true).mapEmpty();
  }
}
