package io.nexus.llm.facts;

import io.nexus.contracts.financial.Financial;
import io.nexus.contracts.financial.Financial.EntryView;
import io.nexus.contracts.financial.Financial.FindingCommented;
import io.nexus.contracts.financial.Financial.ImportEnded;
import io.nexus.contracts.llm.Llm.ChunkKind;
import io.nexus.contracts.vision.Vision;
import io.nexus.contracts.vision.Vision.DocumentAnalysed;
import io.nexus.contracts.vision.Vision.DocumentStatus;
import io.nexus.kernel.events.DurableSubscription;
import io.nexus.kernel.events.RecordedEvent;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The durable subscription that turns the log's facts into chunks, in the transaction that moves
 * its checkpoint: each event takes effect once, whatever the bus did. Entries, findings, their
 * changes and comments are chunked from the event itself; an import's entries and a document's
 * text are only announced by the log, so they go to the fetch backlog ({@link Fetcher}).
 */
public final class FactFeed implements DurableSubscription.Handler {
  /** The subscription's name: its checkpoint and parked events are kept under it. */
  public static final String SUBSCRIPTION = "llm.index";

  private final Runnable changed;
  private final Runnable backlog;

  /**
   * @param changed told after a page of events was applied (the indexes catch up)
   * @param backlog told when fetch work was queued
   */
  public FactFeed(Runnable changed, Runnable backlog) {
    this.changed = changed;
    this.backlog = backlog;
  }

  @Override
  public Future<Void> applyAll(List<RecordedEvent> events, SqlConnection tx) {
    // runs of posted entries are stored in one statement each; every other event in its place in
    // the log (a reversal or a change names a chunk an earlier event may have made)
    Future<Void> chain = Future.succeededFuture();
    var run = new ArrayList<Chunk>();
    for (RecordedEvent e : events) {
      if (e.org() != null && e.is(Financial.ENTRY_POSTED) && e.payload(Financial.ENTRY_POSTED).reverses() == null) {
        run.add(Chunker.entry(e.org(), e.payload(Financial.ENTRY_POSTED)));
        continue;
      }
      var batch = List.copyOf(run);
      run.clear();
      chain = chain.compose(v -> ChunkStore.upsert(tx, batch)).compose(v -> apply(e, tx));
    }
    var batch = List.copyOf(run);
    return chain.compose(v -> ChunkStore.upsert(tx, batch)).onSuccess(v -> changed.run());
  }

  @Override
  public Future<Void> apply(RecordedEvent e, SqlConnection tx) {
    UUID org = e.org();
    if (org == null) {
      return Future.succeededFuture();
    }
    if (e.is(Financial.ENTRY_POSTED)) {
      EntryView v = e.payload(Financial.ENTRY_POSTED);
      Future<Void> stored = ChunkStore.upsert(tx, List.of(Chunker.entry(org, v)));
      return v.reverses() == null ? stored : stored.compose(x -> reversed(tx, v.reverses(), v.id()));
    }
    if (e.is(Financial.ENTRY_REVERSED)) {
      var r = e.payload(Financial.ENTRY_REVERSED);
      return reversed(tx, r.entryId(), r.reversedBy());
    }
    if (e.is(Financial.FINDING_RAISED)) {
      return ChunkStore.upsert(tx, List.of(Chunker.finding(org, e.payload(Financial.FINDING_RAISED))));
    }
    if (e.is(Financial.FINDING_CHANGED)) {
      String id = Financial.FINDING_CHANGED.idOf(e.streamId());
      var change = e.payload(Financial.FINDING_CHANGED);
      return ChunkStore.get(tx, Chunk.key(ChunkKind.FINDING, id))
          .compose(f -> f.isEmpty() ? Future.succeededFuture() : ChunkStore.upsert(tx, List.of(Chunker.changed(f.get(), change))));
    }
    if (e.is(Financial.FINDING_COMMENTED)) {
      String id = Financial.FINDING_COMMENTED.idOf(e.streamId());
      FindingCommented c = e.payload(Financial.FINDING_COMMENTED);
      JsonObject principal = e.metadata() == null ? null : e.metadata().getJsonObject("principal");
      String author = principal == null ? "unknown" : principal.getString("subject", "unknown");
      return ChunkStore.get(tx, Chunk.key(ChunkKind.FINDING, id))
          .compose(f -> f.isEmpty() ? Future.succeededFuture()
              : ChunkStore.upsert(tx, List.of(Chunker.comment(org, f.get().ledgerId(), id, f.get().title(), c.seq(), author, c.text()))));
    }
    if (e.is(Financial.IMPORT_COMPLETED)) {
      ImportEnded v = e.payload(Financial.IMPORT_COMPLETED);
      return v.entries() == 0 ? Future.succeededFuture()
          : queue(tx, Fetcher.Kind.IMPORT, UUID.fromString(v.importId()), org, UUID.fromString(v.ledgerId()));
    }
    if (e.is(Vision.DOCUMENT_ANALYSED)) {
      DocumentAnalysed v = e.payload(Vision.DOCUMENT_ANALYSED);
      return v.status() != DocumentStatus.ANALYSED ? Future.succeededFuture()
          : queue(tx, Fetcher.Kind.DOCUMENT, UUID.fromString(v.documentId()), org, v.ledgerId() == null ? null
              : UUID.fromString(v.ledgerId()));
    }
    return Future.succeededFuture();
  }

  private static Future<Void> reversed(SqlConnection tx, String entryId, String reversedBy) {
    return ChunkStore.get(tx, Chunk.key(ChunkKind.ENTRY, entryId))
        .compose(c -> c.isEmpty() ? Future.succeededFuture() : ChunkStore.upsert(tx, List.of(Chunker.reversed(c.get(), reversedBy))));
  }

  private Future<Void> queue(SqlConnection tx, Fetcher.Kind kind, UUID ref, UUID org, UUID ledger) {
    // analysed again (a new analysis of the same document): fetched again from the start
    return tx.preparedQuery("INSERT INTO fetch_backlog (kind, ref, org, ledger_id) VALUES ($1, $2, $3, $4) ON CONFLICT (kind, ref) "
            + "DO UPDATE SET cursor = NULL, attempts = 0, not_before = now(), error = NULL")
        .execute(Tuple.of(kind.wire(), ref, org, ledger)).onSuccess(v -> backlog.run()).mapEmpty();
  }
}
