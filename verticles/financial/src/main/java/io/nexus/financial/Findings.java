package io.nexus.financial;

import io.nexus.contracts.Wire;
import io.nexus.contracts.financial.Financial.FindingSort;
import io.nexus.contracts.financial.Financial.FindingStatus;
import io.nexus.contracts.financial.Financial.Severity;
import io.nexus.contracts.financial.Financial;

import io.nexus.contracts.financial.Financial.Change;
import io.nexus.contracts.financial.Financial.FindingChanged;
import io.nexus.contracts.financial.Financial.FindingCommented;

import io.nexus.contracts.Codec;
import io.nexus.contracts.Principal;
import io.nexus.contracts.Role;
import io.nexus.contracts.financial.Financial.BenfordBucket;
import io.nexus.contracts.financial.Financial.Comment;
import io.nexus.contracts.financial.Financial.CommentFinding;
import io.nexus.contracts.financial.Financial.Figure;
import io.nexus.contracts.financial.Financial.FindingChange;
import io.nexus.contracts.financial.Financial.FindingPage;
import io.nexus.contracts.financial.Financial.FindingRef;
import io.nexus.contracts.financial.Financial.FindingSearch;
import io.nexus.contracts.financial.Financial.FindingCount;
import io.nexus.contracts.financial.Financial.FindingSummary;
import io.nexus.contracts.financial.Financial.FindingSummaryQuery;
import io.nexus.contracts.financial.Financial.FindingView;
import io.nexus.contracts.financial.Financial.UpdateFinding;
import io.nexus.contracts.financial.Financial.ExternalFinding;
import io.nexus.contracts.financial.Financial.RaiseFindings;
import io.nexus.contracts.financial.Financial.RaisedFindings;
import io.nexus.financial.exam.Draft;
import io.nexus.kernel.bus.BusFailure;
import io.nexus.kernel.bus.Call;
import io.nexus.kernel.events.EventStore;
import io.nexus.kernel.events.NewEvent;
import io.nexus.kernel.events.RecordedEvent;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * Findings as event streams ({@code finding-<id>}): raised by an examination, then changed by
 * people (status, assignee, tags) and commented on, each change at the version the person saw
 * (412 with the current finding otherwise). The {@code findings} table is the current state,
 * written in the same transaction as the events.
 */
final class Findings {
  private static final int DEFAULT_LIMIT = 50;
  private static final int TRANSIENT_ATTEMPTS = 3;
  private static final String COLUMNS = "id, ledger_id, examination_id, rule, severity, score, title, explanation, entry_ids, "
      + "figures, status, assignee, tags, version, raised_at, updated_at, distribution, document_ids";

  private final Pool pool;
  private final EventStore events;
  private final Ledger ledger;

  Findings(Pool pool, EventStore events, Ledger ledger) {
    this.pool = pool;
    this.events = events;
    this.ledger = ledger;
  }

  /** Raises a finding unless it exists already (same ledger, rule and key); true when it is new. */
  Future<Boolean> raise(SqlConnection tx, Draft d, UUID ledgerId, UUID org, UUID examination, Call call) {
    UUID id = d.id(ledgerId);
    var figures = new JsonArray();
    d.figures().forEach(f -> figures.add(new JsonObject().put("name", f.name()).put("value", f.value())));
    return tx.preparedQuery("INSERT INTO findings (id, ledger_id, org, examination_id, rule, severity, score, title, explanation, "
            + "entry_ids, figures, distribution, document_ids, status, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, "
            + "$12, $13, "
            + FindingStatus.OPEN.sql() + ", 1) "
            + "ON CONFLICT (id) DO NOTHING RETURNING " + COLUMNS)
        .execute(Tuple.from(Arrays.asList(id, ledgerId, org, examination, d.rule().wire(), d.severity().wire(), d.score(), d.title(),
            d.explanation(), d.entryIds().toArray(new UUID[0]), figures,
            d.distribution() == null ? null : new JsonArray(d.distribution().stream().map(Codec::toJson).toList()),
            d.documentIds().isEmpty() ? null : d.documentIds().toArray(new UUID[0]))))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.succeededFuture(false);
          }
          FindingView v = view(rows.iterator().next(), List.of(), List.of());
          return events.append(tx, stream(id), EventStore.NO_STREAM, List.of(NewEvent.of(Financial.FINDING_RAISED, v)), call)
              .map(true);
        });
  }

  /**
   * Findings from another service (see {@code Financial.RAISE_FINDINGS}): a service principal
   * only, rules no examination runs, entries of the ledger; all in one transaction.
   */
  Future<RaisedFindings> raiseExternal(RaiseFindings req, Call call) {
    Principal p = call.requirePrincipal();
    if (!p.fromService()) {
      return Future.failedFuture(BusFailure.forbidden("only a service raises findings this way; examiners run examinations"));
    }
    var drafts = new ArrayList<Draft>();
    var wanted = new java.util.LinkedHashSet<UUID>();
    for (int i = 0; i < req.findings().size(); i++) {
      ExternalFinding f = req.findings().get(i);
      if (f.rule().examination()) {
        throw BusFailure.badRequest("findings[" + i + "].rule: " + f.rule() + " is an examination's rule; examinations raise it");
      }
      var ids = new ArrayList<UUID>();
      for (String e : f.entryIds()) {
        UUID id = Ledger.uuid(e);
        if (id == null) {
          throw BusFailure.badRequest("findings[" + i + "].entryIds: '" + e + "' is not an entry id");
        }
        ids.add(id);
      }
      java.util.Collections.sort(ids);
      wanted.addAll(ids);
      var documents = new ArrayList<UUID>();
      for (String d : f.documentIds() == null ? List.<String>of() : f.documentIds()) {
        UUID id = Ledger.uuid(d);
        if (id == null) {
          throw BusFailure.badRequest("findings[" + i + "].documentIds: '" + d + "' is not a document id");
        }
        documents.add(id);
      }
      if (ids.isEmpty() && documents.isEmpty()) {
        throw BusFailure.badRequest("findings[" + i + "]: no evidence; name the entries or the documents behind it");
      }
      drafts.add(new Draft(f.rule(), f.key(), f.severity(), f.score(), f.title(), f.explanation(), List.copyOf(ids),
          f.figures() == null ? List.of() : f.figures(), null, List.copyOf(documents)));
    }
    UUID org = UUID.fromString(p.org());
    int[] counts = new int[2];
    return EventStore.retrying(TRANSIENT_ATTEMPTS, () -> pool.withTransaction(tx -> ledger.ownLedger(tx, p, req.ledgerId())
        .compose(l -> tx.preparedQuery("SELECT count(*) AS n FROM entries WHERE ledger_id = $1 AND id = ANY($2)")
            .execute(Tuple.of(l, (Object) wanted.toArray(new UUID[0])))
            .compose(rows -> {
              if (rows.iterator().next().getLong("n") != wanted.size()) {
                return Future.failedFuture(new BusFailure(io.nexus.contracts.ErrorCode.UNPROCESSABLE, "entryIds: not every entry named is in ledger "
                    + req.ledgerId()));
              }
              counts[0] = 0;
              counts[1] = 0;
              Future<?> chain = Future.succeededFuture();
              for (Draft d : drafts) {
                chain = chain.compose(x -> raise(tx, d, l, org, null, call).map(fresh -> counts[fresh ? 0 : 1]++));
              }
              return chain;
            }))))
        .map(x -> new RaisedFindings(counts[0], counts[1]));
  }

  /** Counts per rule and severity (see {@code Financial.FINDING_SUMMARY}). */
  Future<FindingSummary> summary(FindingSummaryQuery q, Call call) {
    Principal p = call.requirePrincipal();
    return pool.withConnection(c -> ledger.ownLedger(c, p, q.ledgerId())
        .compose(l -> c.preparedQuery("SELECT rule, severity, count(*) AS n FROM findings WHERE ledger_id = $1 "
                + "AND ($2::text IS NULL OR status = $2) GROUP BY rule, severity")
            .execute(Tuple.of(l, wire(q.status())))))
        .map(rows -> {
          var counts = new ArrayList<FindingCount>();
          long total = 0;
          for (Row r : rows) {
            long n = r.getLong("n");
            counts.add(new FindingCount(Wire.parse(Financial.RuleId.class, r.getString("rule")),
                Wire.parse(Severity.class, r.getString("severity")), n));
            total += n;
          }
          // the rules in their own order, the most severe first within each
          counts.sort(java.util.Comparator.comparing((FindingCount x) -> x.rule().ordinal())
              .thenComparing(x -> -x.severity().rank()));
          return new FindingSummary(q.ledgerId(), total, counts);
        });
  }

  Future<FindingPage> list(FindingSearch q, Call call) {
    Principal p = call.requirePrincipal();
    int limit = q.limit() == null ? DEFAULT_LIMIT : q.limit();
    // keyset pages: (raised_at, id) newest first, or (severity rank, score, id) most severe first;
    // the schema admits only those two orders
    boolean bySeverity = q.sort() == FindingSort.SEVERITY;
    List<Object> after = q.cursor() == null ? List.of() : afterCursor(q.cursor(), bySeverity);
    UUID exam = q.examinationId() == null ? null : Ledger.uuid(q.examinationId());
    if (q.examinationId() != null && exam == null) {
      throw BusFailure.badRequest("examinationId: not an examination id");
    }
    var args = new ArrayList<Object>(Arrays.asList(null, wire(q.rule()), wire(q.severity()), wire(q.status()), q.assignee(), exam,
        limit + 1));
    args.addAll(after);
    String keyset = bySeverity ? "(" + SEVERITY_RANK + ", score, id)" : "(raised_at, id)";
    String sql = "SELECT " + COLUMNS + " FROM findings WHERE ledger_id = $1 AND ($2::text IS NULL OR rule = $2) "
        + "AND ($3::text IS NULL OR severity = $3) AND ($4::text IS NULL OR status = $4) "
        + "AND ($5::text IS NULL OR assignee = $5) AND ($6::uuid IS NULL OR examination_id = $6) "
        + (after.isEmpty() ? "" : "AND " + keyset + " < (" + (bySeverity ? "$8, $9, $10" : "$8, $9") + ") ")
        + (bySeverity ? "ORDER BY " + SEVERITY_RANK + " DESC, score DESC, id DESC" : "ORDER BY raised_at DESC, id DESC")
        + " LIMIT $7";
    return pool.withConnection(c -> ledger.ownLedger(c, p, q.ledgerId()).compose(l -> {
      args.set(0, l);
      return c.preparedQuery(sql).execute(Tuple.from(args));
    }).map(rows -> {
      var out = new ArrayList<FindingView>();
      rows.forEach(r -> out.add(view(r, List.of(), List.of())));
      boolean more = out.size() > limit;
      var page = more ? out.subList(0, limit) : out;
      String next = null;
      if (more) {
        FindingView last = page.get(page.size() - 1);
        String key = bySeverity ? last.severity().rank() + "|" + last.score() + "|" + last.id() : last.raisedAt() + "|" + last.id();
        next = Base64.getUrlEncoder().withoutPadding().encodeToString(key.getBytes(StandardCharsets.UTF_8));
      }
      return new FindingPage(List.copyOf(page), next);
    }));
  }

  /** {@link Severity#rank()} in SQL. */
  private static final String SEVERITY_RANK = "(CASE severity " + Arrays.stream(Severity.values())
      .map(v -> "WHEN '" + v.wire() + "' THEN " + v.rank()).collect(java.util.stream.Collectors.joining(" ")) + " END)";

  private static String wire(io.nexus.contracts.Wire value) {
    return value == null ? null : value.wire();
  }

  /** The keyset values a cursor of the given order carries; 400 when it is not one. */
  private static List<Object> afterCursor(String cursor, boolean bySeverity) {
    try {
      String[] c = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8).split("\\|");
      return bySeverity ? List.of(Integer.parseInt(c[0]), Double.parseDouble(c[1]), UUID.fromString(c[2]))
          : List.of(java.time.OffsetDateTime.parse(c[0]), UUID.fromString(c[1]));
    } catch (RuntimeException e) {
      throw BusFailure.badRequest("cursor: not a cursor from a previous page of this order");
    }
  }

  Future<FindingView> get(FindingRef req, Call call) {
    Principal p = call.requirePrincipal();
    return pool.withConnection(c -> ledger.ownLedger(c, p, req.ledgerId()).compose(l -> full(c, l, req.findingId(), false)));
  }

  Future<FindingView> update(UpdateFinding req, Call call) {
    Principal p = call.requirePrincipal();
    if (req.status() == null && req.assignee() == null && req.tags() == null) {
      throw BusFailure.badRequest("give at least one of status, assignee and tags");
    }
    if (req.status() != null && req.status().decided() && !p.may(Role.EXAMINER)) {
      throw BusFailure.forbidden("confirming or dismissing a finding requires role examiner or higher; you are " + p.role());
    }
    return change(p, req.ledgerId(), req.findingId(), req.expectedVersion(), call, (tx, current) -> {
      if (current.status().decided() && !p.may(Role.EXAMINER)) {
        // an examiner's decision stands until an examiner revisits it: analysts may still comment
        return Future.failedFuture(BusFailure.forbidden("finding " + current.id() + " was " + current.status()
            + " by an examiner; only an examiner may change it now; you are " + p.role()));
      }
      Change<String> status = req.status() != null && req.status() != current.status()
          ? new Change<>(current.status().wire(), req.status().wire()) : null;
      String assignee = req.assignee() == null ? current.assignee() : req.assignee().isEmpty() ? null : req.assignee();
      Change<String> assigned = Objects.equals(assignee, current.assignee()) ? null : new Change<>(current.assignee(), assignee);
      List<String> tags = req.tags() == null ? current.tags() : req.tags().stream().distinct().sorted().toList();
      Change<List<String>> tagged = tags.equals(current.tags()) ? null : new Change<>(current.tags(), tags);
      if (status == null && assigned == null && tagged == null) {
        return Future.succeededFuture(List.of());
      }
      return tx.preparedQuery("UPDATE findings SET status = $2, assignee = $3, tags = $4, version = version + 1, "
              + "updated_at = now() WHERE id = $1")
          .execute(Tuple.of(UUID.fromString(current.id()), (req.status() == null ? current.status() : req.status()).wire(),
              assignee,
              tags.toArray(new String[0])))
          .map(v -> List.of(NewEvent.of(Financial.FINDING_CHANGED, new FindingChanged(status, assigned, tagged))));
    });
  }

  Future<FindingView> comment(CommentFinding req, Call call) {
    Principal p = call.requirePrincipal();
    String text = req.text().strip();
    if (text.isEmpty()) {
      throw BusFailure.badRequest("text: empty");
    }
    return change(p, req.ledgerId(), req.findingId(), req.expectedVersion(), call, (tx, current) ->
        tx.preparedQuery("INSERT INTO finding_comments (finding_id, seq, author, text) SELECT $1, "
                + "coalesce(max(seq), 0) + 1, $2, $3 FROM finding_comments WHERE finding_id = $1 RETURNING seq")
            .execute(Tuple.of(UUID.fromString(current.id()), p.subject(), text))
            .compose(rows -> tx.preparedQuery("UPDATE findings SET version = version + 1, updated_at = now() WHERE id = $1")
                .execute(Tuple.of(UUID.fromString(current.id())))
                .map(v -> List.of(NewEvent.of(Financial.FINDING_COMMENTED,
                    new FindingCommented(rows.iterator().next().getInteger("seq"), text))))));
  }

  /**
   * One change in one transaction: lock the finding, check the version the caller saw (412 with
   * the current finding when stale), apply, append the events at that version.
   */
  private Future<FindingView> change(Principal p, String ledgerId, String findingId, Long expectedVersion, Call call,
      java.util.function.BiFunction<SqlConnection, FindingView, Future<List<NewEvent>>> apply) {
    return EventStore.retrying(TRANSIENT_ATTEMPTS, () -> pool.withTransaction(tx -> ledger.ownLedger(tx, p, ledgerId)
            .compose(l -> full(tx, l, findingId, true))
            .compose(current -> {
              if (expectedVersion != null && expectedVersion != current.version()) {
                return Future.failedFuture(BusFailure.stale("finding " + findingId + " is at version " + current.version()
                    + ", not " + expectedVersion + "; review the current state and retry", Codec.toJson(current)));
              }
              return apply.apply(tx, current).compose(evs -> evs.isEmpty() ? Future.succeededFuture()
                  : events.append(tx, stream(UUID.fromString(current.id())), current.version(), evs, call).mapEmpty());
            })))
        .compose(v -> pool.withConnection(c -> ledger.ownLedger(c, p, ledgerId).compose(l -> full(c, l, findingId, false))));
  }

  /** A finding with its comments and history; 404 when not in the ledger. */
  private Future<FindingView> full(SqlConnection c, UUID ledgerId, String findingId, boolean lock) {
    UUID id = Ledger.uuid(findingId);
    if (id == null) {
      return Future.failedFuture(BusFailure.notFound("no finding " + findingId));
    }
    return c.preparedQuery("SELECT " + COLUMNS + " FROM findings WHERE id = $1 AND ledger_id = $2" + (lock ? " FOR UPDATE" : ""))
        .execute(Tuple.of(id, ledgerId))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.failedFuture(BusFailure.notFound("no finding " + findingId));
          }
          Row head = rows.iterator().next();
          return c.preparedQuery("SELECT seq, author, text, at FROM finding_comments WHERE finding_id = $1 ORDER BY seq")
              .execute(Tuple.of(id))
              .compose(cs -> events.readStream(stream(id), 1, Long.MAX_VALUE).map(evs -> {
                var comments = new ArrayList<Comment>();
                cs.forEach(r -> comments.add(new Comment(r.getInteger("seq"), r.getString("author"), r.getString("text"),
                    r.getOffsetDateTime("at").toString())));
                return view(head, comments, evs.stream().map(Findings::change).toList());
              }));
        });
  }

  private static FindingChange change(RecordedEvent e) {
    JsonObject p = e.metadata().getJsonObject("principal");
    String by = p == null ? null : p.getString("subject");
    String summary;
    if (e.is(Financial.FINDING_RAISED)) {
      summary = "raised: " + e.payload(Financial.FINDING_RAISED).title();
    } else if (e.is(Financial.FINDING_COMMENTED)) {
      summary = "commented: " + e.payload(Financial.FINDING_COMMENTED).text();
    } else {
      FindingChanged c = e.payload(Financial.FINDING_CHANGED);
      var parts = new ArrayList<String>();
      shown(parts, "status", c.status());
      shown(parts, "assignee", c.assignee());
      shown(parts, "tags", c.tags());
      summary = String.join("; ", parts);
    }
    return new FindingChange(e.version(), e.type(), by, e.recordedAt().toString(), summary);
  }

  /** {@code field from → to}, {@code none} for null, lists as JSON. */
  private static void shown(List<String> parts, String field, Change<?> c) {
    if (c != null) {
      parts.add(field + " " + shown(c.from()) + " → " + shown(c.to()));
    }
  }

  private static String shown(Object v) {
    return v == null ? "none" : v instanceof List<?> l ? new JsonArray(new ArrayList<>(l)).encode() : v.toString();
  }

  static String stream(UUID id) {
    return Financial.FINDING_RAISED.stream(id);
  }

  private static FindingView view(Row r, List<Comment> comments, List<FindingChange> history) {
    var figures = new ArrayList<Figure>();
    Object f = r.getValue("figures");
    for (Object o : f instanceof JsonArray a ? a : new JsonArray(String.valueOf(f))) {
      JsonObject j = (JsonObject) o;
      figures.add(new Figure(j.getString("name"), j.getString("value")));
    }
    UUID[] ids = r.getArrayOfUUIDs("entry_ids");
    String[] tags = r.getArrayOfStrings("tags");
    return new FindingView(r.getUUID("id").toString(), r.getUUID("ledger_id").toString(),
        r.getUUID("examination_id") == null ? null : r.getUUID("examination_id").toString(), Wire.parse(Financial.RuleId.class, r.getString("rule")), Wire.parse(Severity.class, r.getString("severity")),
        r.getDouble("score"),
        r.getString("title"), r.getString("explanation"), Arrays.stream(ids).map(UUID::toString).toList(), figures,
        Wire.parse(FindingStatus.class, r.getString("status")), r.getString("assignee"), tags == null ? List.of() : List.of(tags), comments, history,
        r.getLong("version"), r.getOffsetDateTime("raised_at").toString(), r.getOffsetDateTime("updated_at").toString(),
        distribution(r.getValue("distribution")),
        r.getArrayOfUUIDs("document_ids") == null ? null : Arrays.stream(r.getArrayOfUUIDs("document_ids")).map(UUID::toString).toList());
  }

  private static List<BenfordBucket> distribution(Object stored) {
    if (stored == null) {
      return null;
    }
    var out = new ArrayList<BenfordBucket>();
    for (Object o : stored instanceof JsonArray a ? a : new JsonArray(String.valueOf(stored))) {
      out.add(Codec.fromJson((JsonObject) o, BenfordBucket.class));
    }
    return out;
  }
}
