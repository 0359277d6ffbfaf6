package io.nexus.llm;

import io.nexus.contracts.Empty;
import io.nexus.contracts.Principal;
import io.nexus.contracts.Role;
import io.nexus.contracts.llm.Llm;
import io.nexus.contracts.llm.Llm.IndexStatus;
import io.nexus.contracts.llm.Llm.Reindex;
import io.nexus.kernel.bus.Call;
import io.nexus.kernel.events.EventStore;
import io.nexus.kernel.events.NewEvent;
import io.nexus.llm.facts.ChunkStore;
import io.nexus.llm.index.Embedder;
import io.nexus.llm.index.Indexer;
import io.vertx.core.Future;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The index's status per organisation, and its rebuild on demand. */
final class Reindexing {
  private static final Logger LOG = LoggerFactory.getLogger(Reindexing.class);

  private final ChunkStore store;
  private final Indexer indexer;
  private final EventStore events;

  Reindexing(ChunkStore store, Indexer indexer, EventStore events) {
    this.store = store;
    this.indexer = indexer;
    this.events = events;
  }

  Future<IndexStatus> status(Empty q, Call call) {
    return status(UUID.fromString(call.requirePrincipal().org()));
  }

  private Future<IndexStatus> status(UUID org) {
    return store.counts(org, indexer.index().applied()).map(c -> new IndexStatus(c[0], indexer.index().count(org), c[1], c[2],
        Embedder.MODEL, indexer.rebuilding(org)));
  }

  /**
   * Starts the rebuild and answers with the status at once; the organisation's index is emptied and
   * filled again from its chunks (with {@code reembed}, after their embeddings are made again).
   */
  Future<IndexStatus> reindex(Reindex r, Call call) {
    Principal p = call.require(Role.ADMIN);
    UUID org = UUID.fromString(p.org());
    if (indexer.rebuilding(org)) {
      return status(org);
    }
    Future<Void> vectors = Boolean.TRUE.equals(r.reembed()) ? store.forgetVectors(org) : Future.succeededFuture();
    return vectors.compose(v -> {
      indexer.rebuild(org)
          .compose(n -> status(org))
          .compose(s -> store.pool().withTransaction(tx -> events.append(tx, Llm.REINDEXED.stream(org), EventStore.ANY,
              List.of(NewEvent.of(Llm.REINDEXED, new IndexStatus(s.chunks(), s.indexed(), s.pending(), s.behind(), s.model(), false))), call)))
          .onSuccess(x -> LOG.info("index rebuilt [org: {}]", org))
          .onFailure(err -> LOG.warn("rebuilding the index failed [org: {}]: {}", org, err.getMessage()));
      return status(org);
    });
  }
}
