package io.nexus.llm.index;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.nexus.llm.facts.ChunkStore;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;

/**
 * Embeds the chunks waiting for a vector, a batch at a time on a worker (the model never runs on
 * an event loop): claim, embed, store — a chunk whose text changed meanwhile keeps waiting for
 * the embedding of its new text. Any instance may run it; claims keep two from embedding the same.
 */
public final class EmbeddingWork {
  private static final long CLAIM_MS = 120_000;

  private final ChunkStore store;
  private final WorkerExecutor workers;
  private final int batch;
  private final Runnable changed;
  private final Counter embedded;

  public EmbeddingWork(ChunkStore store, WorkerExecutor workers, int batch, Runnable changed, MeterRegistry registry) {
    this.store = store;
    this.workers = workers;
    this.batch = batch;
    this.changed = changed;
    this.embedded = registry == null ? null : Counter.builder("nexus_llm_chunks_embedded_total")
        .description("chunks this instance embedded").register(registry);
  }

  /** Embeds one batch: true when one was waiting (there may be more). Run it in a {@link io.nexus.kernel.work.WorkLoop}. */
  public Future<Boolean> once() {
    return store.claim(batch, CLAIM_MS).compose(pending -> {
      if (pending.isEmpty()) {
        return Future.succeededFuture(false);
      }
      return workers.executeBlocking(() -> Embedder.shared().embed(pending.stream().map(ChunkStore.Pending::text).toList()), false)
          .compose(vectors -> store.storeVectors(pending, vectors, Embedder.MODEL))
          .map(n -> {
            if (embedded != null) {
              embedded.increment(n);
            }
            if (n > 0) {
              changed.run();
            }
            return true;
          });
    });
  }
}
