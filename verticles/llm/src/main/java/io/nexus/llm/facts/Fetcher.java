package io.nexus.llm.facts;

import io.nexus.contracts.ErrorCode;
import io.nexus.contracts.Principal;
import io.nexus.contracts.Role;
import io.nexus.contracts.Wire;
import io.nexus.contracts.financial.Financial;
import io.nexus.contracts.financial.Financial.EntryPage;
import io.nexus.contracts.financial.Financial.ImportEntriesQuery;
import io.nexus.contracts.vision.Vision;
import io.nexus.contracts.vision.Vision.DocumentRef;
import io.nexus.kernel.bus.BusFailure;
import io.nexus.kernel.bus.Call;
import io.nexus.kernel.bus.ServiceClient;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetches the facts the log only announces, outside the subscription's transaction: an import's
 * entries a page at a time over Financial's contract, an analysed document's text over Vision's,
 * both as the organisation's service principal, each behind its service's breaker. A row of the
 * backlog is claimed for a while ({@code FOR UPDATE SKIP LOCKED}), so two instances never fetch
 * the same; a failure waits longer each time, and a fact its service no longer knows (404) is
 * given up with the reason. Run it in a {@link io.nexus.kernel.work.WorkLoop}.
 */
public final class Fetcher {
  private static final Logger LOG = LoggerFactory.getLogger(Fetcher.class);
  private static final int IMPORT_PAGE = 500;
  private static final long CLAIM_MS = 60_000;
  private static final long FIRST_RETRY_MS = 1000;
  private static final long MAX_RETRY_MS = 600_000;

  /** What a backlog row fetches. */
  public enum Kind implements Wire { IMPORT, DOCUMENT }

  private final Pool pool;
  private final ServiceClient financial;
  private final ServiceClient vision;
  private final Runnable changed;
  private final String service;

  public Fetcher(Pool pool, ServiceClient financial, ServiceClient vision, String service, Runnable changed) {
    this.pool = pool;
    this.financial = financial;
    this.vision = vision;
    this.service = service;
    this.changed = changed;
  }

  /** Fetches the next fact of the backlog: true when one was there (there may be more). */
  public Future<Boolean> next() {
    return pool.preparedQuery("UPDATE fetch_backlog SET not_before = now() + $1::bigint * interval '1 millisecond' "
            + "WHERE (kind, ref) = (SELECT kind, ref FROM fetch_backlog WHERE not_before <= now() AND error IS NULL "
            + "ORDER BY not_before LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING kind, ref, org, ledger_id, cursor, attempts")
        .execute(Tuple.of(CLAIM_MS))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.succeededFuture(false);
          }
          Row r = rows.iterator().next();
          Kind kind = Wire.parse(Kind.class, r.getString("kind"));
          UUID ref = r.getUUID("ref");
          UUID org = r.getUUID("org");
          Future<Void> done = kind == Kind.IMPORT ? importPage(ref, org, r.getUUID("ledger_id"), r.getString("cursor"))
              : document(ref, org);
          return done.map(true).recover(err -> retryOrGiveUp(kind, ref, r.getInteger("attempts"), err));
        });
  }

  private Call as(UUID org) {
    return Call.system().as(Principal.service(service, org.toString(), Role.VIEWER));
  }

  private Future<Void> importPage(UUID importId, UUID org, UUID ledger, String cursor) {
    return financial.request(Financial.IMPORT_ENTRIES, new ImportEntriesQuery(ledger.toString(), importId.toString(), IMPORT_PAGE,
            cursor), as(org))
        .compose((EntryPage page) -> pool.withTransaction(tx -> tx.preparedQuery("SELECT cursor FROM fetch_backlog WHERE kind = $1 "
                + "AND ref = $2 FOR UPDATE").execute(Tuple.of(Kind.IMPORT.wire(), importId))
            .compose(now -> {
              if (now.size() == 0 || !Objects.equals(now.iterator().next().getString("cursor"), cursor)) {
                return Future.succeededFuture(); // queued again meanwhile: that pass reads it
              }
              List<Chunk> chunks = page.entries().stream().map(e -> Chunker.entry(org, e)).toList();
              return ChunkStore.upsert(tx, chunks).compose(v -> page.next() == null
                  ? tx.preparedQuery("DELETE FROM fetch_backlog WHERE kind = $1 AND ref = $2").execute(Tuple.of(Kind.IMPORT.wire(), importId))
                  : tx.preparedQuery("UPDATE fetch_backlog SET cursor = $3, attempts = 0, not_before = now() WHERE kind = $1 AND ref = $2")
                      .execute(Tuple.of(Kind.IMPORT.wire(), importId, page.next())));
            })))
        .onSuccess(v -> changed.run()).mapEmpty();
  }

  private Future<Void> document(UUID documentId, UUID org) {
    return vision.request(Vision.GET_DOCUMENT, new DocumentRef(documentId.toString()), as(org))
        .compose(d -> pool.withTransaction(tx -> ChunkStore.delete(tx, io.nexus.contracts.llm.Llm.ChunkKind.DOCUMENT, d.id())
            .compose(v -> ChunkStore.upsert(tx, Chunker.document(org, d)))
            .compose(v -> tx.preparedQuery("DELETE FROM fetch_backlog WHERE kind = $1 AND ref = $2")
                .execute(Tuple.of(Kind.DOCUMENT.wire(), documentId)))))
        .onSuccess(v -> changed.run()).mapEmpty();
  }

  private Future<Boolean> retryOrGiveUp(Kind kind, UUID ref, int attempts, Throwable err) {
    boolean gone = err instanceof BusFailure bf && bf.code() == ErrorCode.NOT_FOUND;
    long wait = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS << Math.min(20, attempts));
    LOG.warn("fetching {} {} failed{} [attempt: {}]: {}", kind.wire(), ref, gone ? ", given up" : "", attempts + 1, err.getMessage());
    return pool.preparedQuery("UPDATE fetch_backlog SET attempts = attempts + 1, not_before = now() + $3::bigint * interval "
            + "'1 millisecond', error = $4 WHERE kind = $1 AND ref = $2")
        .execute(Tuple.of(kind.wire(), ref, wait, gone ? err.getMessage() : null)).map(false);
  }
}
