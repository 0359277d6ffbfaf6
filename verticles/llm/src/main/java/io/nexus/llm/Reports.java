package io.nexus.llm;

import io.nexus.contracts.Empty;
import io.nexus.contracts.Principal;
import io.nexus.contracts.Role;
import io.nexus.contracts.financial.Financial;
import io.nexus.contracts.financial.Financial.ExaminationRef;
import io.nexus.contracts.financial.Financial.FindingSearch;
import io.nexus.contracts.financial.Financial.FindingSort;
import io.nexus.contracts.financial.Financial.FindingView;
import io.nexus.contracts.financial.Financial.LedgerView;
import io.nexus.contracts.llm.Llm;
import io.nexus.contracts.llm.Llm.ChunkKind;
import io.nexus.contracts.llm.Llm.DraftReport;
import io.nexus.contracts.llm.Llm.ReportDrafted;
import io.nexus.contracts.llm.Llm.ReportRef;
import io.nexus.contracts.llm.Llm.ReportView;
import io.nexus.kernel.bus.BusFailure;
import io.nexus.kernel.bus.Call;
import io.nexus.kernel.bus.ServiceClient;
import io.nexus.kernel.events.EventStore;
import io.nexus.kernel.events.NewEvent;
import io.nexus.llm.facts.Chunk;
import io.nexus.llm.facts.ChunkStore;
import io.nexus.llm.facts.ChunkStore.StoredFact;
import io.nexus.llm.report.ReportDraft;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.UUID;

/**
 * Examination reports: drafted from what Financial says — the ledger, the examination, the
 * organisation's settings and the examination's findings, all read as the caller, so a report
 * holds nothing the caller could not read — with the entries behind each finding from this
 * service's chunks. Each draft is a new version, kept with its SHA-256 and recorded in the log.
 */
final class Reports {
  private static final int FINDINGS_PAGE = 500;
  /** Findings a report covers at most: an examination with more is summarised at this many, said in the count. */
  private static final int MAX_FINDINGS = 5000;

  private final Pool pool;
  private final EventStore events;
  private final ChunkStore store;
  private final ServiceClient financial;

  Reports(Pool pool, EventStore events, ChunkStore store, ServiceClient financial) {
    this.pool = pool;
    this.events = events;
    this.store = store;
    this.financial = financial;
  }

  Future<ReportView> draft(DraftReport ref, Call call) {
    Principal p = call.require(Role.EXAMINER);
    UUID org = UUID.fromString(p.org());
    var examRef = new ExaminationRef(ref.ledgerId(), ref.examinationId());
    return financial.request(Financial.GET_EXAMINATION, examRef, call)
        .compose(exam -> financial.request(Financial.LIST_LEDGERS, new Empty(), call)
            .compose(ledgers -> {
              LedgerView ledger = ledgers.ledgers().stream().filter(l -> l.id().equals(ref.ledgerId())).findFirst().orElse(null);
              if (ledger == null) {
                return Future.failedFuture(BusFailure.notFound("no ledger " + ref.ledgerId()));
              }
              return financial.request(Financial.GET_RULE_SETTINGS, new Empty(), call)
                  .compose(settings -> findings(ref, call, null, new ArrayList<>())
                      .compose(findings -> evidence(org, findings)
                          .compose(entries -> store.comments(org, findings.stream().map(FindingView::id).toList())
                              .compose(comments -> store(org, ref, p, ledger, exam, settings, findings, entries, comments)))));
            }));
  }

  private Future<List<FindingView>> findings(DraftReport ref, Call call, String cursor, List<FindingView> into) {
    return financial.request(Financial.LIST_FINDINGS, new FindingSearch(ref.ledgerId(), null, null, null, null, ref.examinationId(),
            FINDINGS_PAGE, cursor, FindingSort.SEVERITY), call)
        .compose(page -> {
          into.addAll(page.findings());
          return page.next() == null || into.size() >= MAX_FINDINGS ? Future.succeededFuture(into)
              : findings(ref, call, page.next(), into);
        });
  }

  private Future<java.util.Map<String, StoredFact>> evidence(UUID org, List<FindingView> findings) {
    var keys = new ArrayList<String>();
    for (FindingView f : findings) {
      f.entryIds().stream().limit(10).forEach(id -> keys.add(Chunk.key(ChunkKind.ENTRY, id)));
    }
    return store.facts(org, keys.stream().distinct().toList()).map(found -> {
      var m = new HashMap<String, StoredFact>();
      found.forEach(f -> m.put(f.factId(), f));
      return m;
    });
  }

  private Future<ReportView> store(UUID org, DraftReport ref, Principal p, LedgerView ledger, Financial.ExaminationView exam,
      Financial.RuleSettings settings, List<FindingView> findings, java.util.Map<String, StoredFact> entries,
      java.util.Map<String, List<ChunkStore.CommentFact>> comments) {
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    String at = now.toString();
    return pool.withTransaction(tx -> tx.preparedQuery("SELECT pg_advisory_xact_lock(hashtextextended('llm-report:' || $1, 0))")
        .execute(Tuple.of(ref.examinationId()))
        .compose(v -> tx.preparedQuery("SELECT coalesce(max(version), 0) + 1 FROM reports WHERE org = $1 AND examination_id = $2")
            .execute(Tuple.of(org, ref.examinationId())))
        .compose(rows -> {
          int version = rows.iterator().next().getInteger(0);
          String md = ReportDraft.markdown(new ReportDraft.Facts(ledger, exam, settings, findings, entries, comments, p.subject(), at,
              version));
          String sha = Chunk.sha256(md);
          var view = new ReportView(ref.ledgerId(), ref.examinationId(), version, findings.size(), p.subject(), at, sha, md);
          return tx.preparedQuery("INSERT INTO reports (org, ledger_id, examination_id, version, findings, markdown, sha256, "
                  + "drafted_by, drafted_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
              .execute(Tuple.from(List.of(org, UUID.fromString(ref.ledgerId()), ref.examinationId(), version, findings.size(), md, sha,
                  p.subject(), java.time.OffsetDateTime.ofInstant(now, java.time.ZoneOffset.UTC))))
              .compose(x -> events.append(tx, Llm.REPORT_DRAFTED.stream(ref.examinationId()), EventStore.ANY,
                  List.of(NewEvent.of(Llm.REPORT_DRAFTED, new ReportDrafted(ref.ledgerId(), ref.examinationId(), version,
                      findings.size(), p.subject(), sha))), Call.system().as(p)))
              .map(view);
        }));
  }

  /** A version of the report, the latest when none is named; none (or another organisation's) is 404. */
  Future<ReportView> get(ReportRef ref, Call call) {
    UUID org = UUID.fromString(call.requirePrincipal().org());
    String sql = "SELECT ledger_id, examination_id, version, findings, markdown, sha256, drafted_by, drafted_at FROM reports "
        + "WHERE org = $1 AND examination_id = $2 AND ledger_id::text = $3"
        + (ref.version() == null ? " ORDER BY version DESC LIMIT 1" : " AND version = $4");
    Tuple args = Tuple.of(org, ref.examinationId(), ref.ledgerId());
    if (ref.version() != null) {
      args.addInteger(ref.version());
    }
    return pool.preparedQuery(sql).execute(args).compose(rows -> {
      if (rows.size() == 0) {
        return Future.failedFuture(BusFailure.notFound(ref.version() == null
            ? "no report has been drafted for examination " + ref.examinationId()
            : "examination " + ref.examinationId() + " has no report version " + ref.version()));
      }
      Row r = rows.iterator().next();
      return Future.succeededFuture(new ReportView(r.getUUID("ledger_id").toString(), r.getString("examination_id"),
          r.getInteger("version"), r.getInteger("findings"), r.getString("drafted_by"),
          r.getOffsetDateTime("drafted_at").toInstant().toString(), r.getString("sha256"), r.getString("markdown")));
    });
  }
}
