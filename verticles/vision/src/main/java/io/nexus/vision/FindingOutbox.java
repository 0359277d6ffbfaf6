package io.nexus.vision;

import io.nexus.contracts.Codec;
import io.nexus.contracts.financial.Financial;
import io.nexus.contracts.financial.Financial.ExternalFinding;
import io.nexus.contracts.financial.Financial.RaiseFindings;
import io.nexus.kernel.bus.BusFailure;
import io.nexus.kernel.bus.ServiceClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends reconciliation's findings to Financial ({@link Financial#RAISE_FINDINGS}), from the
 * {@code finding_outbox} rows written with what found them: claimed a batch at a time ({@code SKIP
 * LOCKED}, a claim older than {@link #CLAIM_MS} taken again), sent per ledger, marked sent — or
 * refused when Financial answers 4xx (the ledger or an entry is gone), so one bad row cannot
 * stall the rest. Financial raises each finding once, so a send repeated after a crash is harmless.
 */
final class FindingOutbox {
  private static final Logger LOG = LoggerFactory.getLogger(FindingOutbox.class);
  private static final int BATCH = 200;
  private static final long CLAIM_MS = 30_000;

  private final Vertx vertx;
  private final Pool pool;
  private final ServiceClient financial;
  private long timer = -1;
  private boolean running;
  private boolean again;

  FindingOutbox(Vertx vertx, Pool pool, ServiceClient financial) {
    this.vertx = vertx;
    this.pool = pool;
    this.financial = financial;
  }

  void start(long periodMs) {
    timer = vertx.setPeriodic(periodMs, t -> wake());
  }

  void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  /** Sends what is waiting; called on the period and when findings were written (from any thread). */
  void wake() {
    vertx.runOnContext(v -> pass());
  }

  private void pass() {
    if (running) {
      again = true;
      return;
    }
    running = true;
    send().onComplete(ar -> {
      running = false;
      if (ar.failed()) {
        LOG.warn("sending findings failed, retried on the next pass: {}", ar.cause().getMessage());
      } else if (ar.result() || again) {
        again = false;
        pass();
      }
    });
  }

  private record Waiting(long id, ExternalFinding finding) {}

  /** One batch; true when it was full (more may wait). */
  private Future<Boolean> send() {
    return pool.preparedQuery("UPDATE finding_outbox SET claimed_at = now() WHERE id IN (SELECT id FROM finding_outbox "
            + "WHERE state = 'pending' AND (claimed_at IS NULL OR claimed_at < now() - $1::bigint * interval '1 millisecond') "
            + "ORDER BY id LIMIT " + BATCH + " FOR UPDATE SKIP LOCKED) RETURNING id, org, ledger_id, finding")
        .execute(Tuple.of(CLAIM_MS))
        .compose(rows -> {
          var byLedger = new LinkedHashMap<List<UUID>, List<Waiting>>();
          for (Row r : rows) {
            byLedger.computeIfAbsent(List.of(r.getUUID("org"), r.getUUID("ledger_id")), k -> new ArrayList<>())
                .add(new Waiting(r.getLong("id"), Codec.fromJson((JsonObject) r.getValue("finding"), ExternalFinding.class)));
          }
          Future<?> chain = Future.succeededFuture();
          for (var g : byLedger.entrySet()) {
            UUID org = g.getKey().get(0);
            UUID ledger = g.getKey().get(1);
            Long[] ids = g.getValue().stream().map(Waiting::id).toArray(Long[]::new);
            var findings = g.getValue().stream().map(Waiting::finding).toList();
            chain = chain.compose(x -> financial.request(Financial.RAISE_FINDINGS, new RaiseFindings(ledger.toString(), findings),
                    Reconciliations.asService(org))
                .compose(raised -> mark(ids, "sent").onSuccess(y -> LOG.debug("reconciliation findings sent [ledger: {}, new: {}, "
                    + "existing: {}]", ledger, raised.raised(), raised.existing())))
                .recover(err -> err instanceof BusFailure f && f.code().status() / 100 == 4
                    ? mark(ids, "refused").onSuccess(y -> LOG.warn("reconciliation findings refused by Financial [ledger: {}]: {}",
                        ledger, err.getMessage()))
                    : Future.failedFuture(err)));
          }
          return chain.map(rows.size() == BATCH);
        });
  }

  private Future<Void> mark(Long[] ids, String state) {
    return pool.preparedQuery("UPDATE finding_outbox SET state = $2 WHERE id = ANY($1)").execute(Tuple.of(ids, state)).mapEmpty();
  }
}
