package io.nexus.vision;

import io.nexus.contracts.Codec;
import io.nexus.contracts.Empty;
import io.nexus.contracts.ErrorCode;
import io.nexus.contracts.Principal;
import io.nexus.contracts.Wire;
import io.nexus.contracts.financial.Financial;
import io.nexus.contracts.vision.Vision;
import io.nexus.contracts.vision.Vision.DocumentContent;
import io.nexus.contracts.vision.Vision.DocumentPage;
import io.nexus.contracts.vision.Vision.DocumentReceipt;
import io.nexus.contracts.vision.Vision.DocumentReceived;
import io.nexus.contracts.vision.Vision.DocumentRef;
import io.nexus.contracts.vision.Vision.DocumentSearch;
import io.nexus.contracts.vision.Vision.DocumentStatus;
import io.nexus.contracts.vision.Vision.DocumentSummary;
import io.nexus.contracts.vision.Vision.DocumentView;
import io.nexus.contracts.vision.Vision.DuplicateView;
import io.nexus.contracts.vision.Vision.KeyFields;
import io.nexus.contracts.vision.Vision.MatchView;
import io.nexus.contracts.vision.Vision.MediaType;
import io.nexus.contracts.vision.Vision.StoreDocument;
import io.nexus.kernel.bus.BusFailure;
import io.nexus.kernel.bus.Call;
import io.nexus.kernel.bus.ServiceClient;
import io.nexus.kernel.events.EventStore;
import io.nexus.kernel.events.NewEvent;
import io.nexus.vision.intake.Intake;
import io.nexus.vision.pages.Pages;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The documents: intake (sniffed, checked from the headers, hashed, stored once per content,
 * queued for analysis in the same transaction as its event) and the reads. Every read and
 * write is of the caller's organisation; another's document is 404.
 */
final class Documents {
  private static final Logger LOG = LoggerFactory.getLogger(Documents.class);
  private static final int DEFAULT_LIMIT = 50;
  static final String COLUMNS = "d.id, d.ledger_id, d.sha256, d.file_name, d.media_type, d.size, d.status, d.error, d.pages, "
      + "d.page_count, d.analysis, d.duplicate_of, d.uploaded_by, d.received_at, d.analysed_at, d.seq";

  private final Pool pool;
  private final EventStore events;
  private final ServiceClient financial;
  private final WorkerExecutor workers;
  private final Pages.Limits limits;
  private final Runnable queued;

  /** @param queued told when a document was queued, so analysis starts without waiting for its next pass */
  Documents(Pool pool, EventStore events, ServiceClient financial, WorkerExecutor workers, Pages.Limits limits, Runnable queued) {
    this.pool = pool;
    this.events = events;
    this.financial = financial;
    this.workers = workers;
    this.limits = limits;
    this.queued = queued;
  }

  /** What intake learnt of the bytes on a worker: their type and hash. */
  private record Checked(MediaType type, String sha256, UUID ledger) {}

  Future<DocumentReceipt> store(StoreDocument req, Call call) {
    Principal p = call.requirePrincipal();
    byte[] bytes = req.content();
    if (bytes == null || bytes.length == 0) {
      return Future.failedFuture(BusFailure.badRequest("file: the file is empty"));
    }
    if (bytes.length > Vision.MAX_DOCUMENT_BYTES) {
      return Future.failedFuture(new BusFailure(ErrorCode.PAYLOAD_TOO_LARGE, "the file has " + bytes.length
          + " bytes; the limit is " + Vision.MAX_DOCUMENT_BYTES));
    }
    UUID org = UUID.fromString(p.org());
    UUID id = UUID.randomUUID();
    Future<UUID> ledgerKnown = req.ledgerId() == null ? Future.succeededFuture() : ledgerKnown(financial, req.ledgerId(), call);
    return ledgerKnown
        .compose(ledger -> workers.<Checked>executeBlocking(() -> check(bytes), false).map(c -> new Checked(c.type(), c.sha256(), ledger)))
        .compose(c -> pool.withTransaction(tx -> tx.preparedQuery("INSERT INTO contents (org, sha256, media_type, size, bytes) "
                + "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (org, sha256) DO NOTHING")
            .execute(Tuple.of(org, c.sha256(), c.type().wire(), (long) bytes.length, Buffer.buffer(bytes)))
            .compose(x -> tx.preparedQuery("SELECT id FROM documents WHERE org = $1 AND sha256 = $2 ORDER BY seq LIMIT 1")
                .execute(Tuple.of(org, c.sha256())))
            .compose(rows -> {
              UUID ledger = c.ledger();
              UUID first = rows.size() == 0 ? null : rows.iterator().next().getUUID("id");
              String fileName = fileName(req.fileName());
              return tx.preparedQuery("INSERT INTO documents (id, org, ledger_id, sha256, file_name, media_type, size, status, "
                      + "duplicate_of, uploaded_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
                  .execute(Tuple.from(Arrays.asList(id, org, ledger, c.sha256(), fileName, c.type().wire(), (long) bytes.length,
                      DocumentStatus.RECEIVED.wire(), first, p.subject())))
                  .compose(x -> events.append(tx, Vision.DOCUMENT_RECEIVED.stream(id), EventStore.NO_STREAM,
                      List.of(NewEvent.of(Vision.DOCUMENT_RECEIVED, new DocumentReceived(id.toString(),
                          ledger == null ? null : ledger.toString(), c.sha256(), c.type(), bytes.length, fileName,
                          first == null ? null : first.toString(), p.subject()))), call))
                  .map(x -> new DocumentReceipt(id.toString(), c.sha256(), DocumentStatus.RECEIVED,
                      first == null ? null : first.toString()));
            })))
        .onSuccess(r -> {
          LOG.info("document received [org: {}, document: {}, bytes: {}, duplicateOf: {}]", org, id, bytes.length, r.duplicateOf());
          queued.run();
        });
  }

  /** The type from the bytes and the headers' sizes within the limits, the PDF's structure readable; then the hash. */
  private Checked check(byte[] bytes) {
    Intake.Sniffed s;
    try {
      s = Intake.sniff(bytes, limits.maxPixels());
    } catch (Intake.Refused r) {
      throw new BusFailure(r.code(), r.getMessage());
    }
    try (Pages doc = Pages.open(bytes, s.type(), limits)) {
      if (doc.pageCount() < 1) {
        throw new BusFailure(ErrorCode.UNPROCESSABLE, "the " + s.type().name() + " has no pages");
      }
    } catch (Pages.Unreadable u) {
      throw new BusFailure(ErrorCode.UNPROCESSABLE, u.getMessage());
    }
    return new Checked(s.type(), sha256(bytes), null);
  }

  /** The ledger, when it is the caller's organisation's (over Financial's contract); else 404. */
  static Future<UUID> ledgerKnown(ServiceClient financial, String ledgerId, Call call) {
    UUID ledger = uuid(ledgerId);
    if (ledger == null) {
      return Future.failedFuture(BusFailure.notFound("no ledger " + ledgerId));
    }
    return financial.request(Financial.LIST_LEDGERS, Empty.INSTANCE, call.next())
        .compose(list -> list.ledgers().stream().anyMatch(l -> l.id().equals(ledger.toString())) ? Future.succeededFuture(ledger)
            : Future.failedFuture(BusFailure.notFound("no ledger " + ledgerId)));
  }

  Future<DocumentPage> list(DocumentSearch req, Call call) {
    UUID org = UUID.fromString(call.requirePrincipal().org());
    int limit = req.limit() == null ? DEFAULT_LIMIT : req.limit();
    var sql = new StringBuilder("SELECT " + COLUMNS + " FROM documents d WHERE d.org = $1");
    var args = new ArrayList<Object>(List.of(org));
    if (req.ledger() != null) {
      UUID ledger = uuid(req.ledger());
      if (ledger == null) {
        return Future.succeededFuture(new DocumentPage(List.of(), null));
      }
      args.add(ledger);
      sql.append(" AND d.ledger_id = $").append(args.size());
    }
    if (req.status() != null) {
      args.add(req.status().wire());
      sql.append(" AND d.status = $").append(args.size());
    }
    if (req.cursor() != null) {
      long after;
      try {
        after = Long.parseLong(req.cursor());
      } catch (NumberFormatException e) {
        return Future.failedFuture(BusFailure.badRequest("cursor: not one this service gave out"));
      }
      args.add(after);
      sql.append(" AND d.seq < $").append(args.size());
    }
    args.add(limit + 1);
    sql.append(" ORDER BY d.seq DESC LIMIT $").append(args.size());
    return pool.preparedQuery(sql.toString()).execute(Tuple.from(args)).map(rows -> {
      var out = new ArrayList<DocumentSummary>();
      String next = null;
      long last = 0;
      for (Row r : rows) {
        if (out.size() == limit) {
          next = String.valueOf(last);
          break;
        }
        out.add(summary(r));
        last = r.getLong("seq");
      }
      return new DocumentPage(out, next);
    });
  }

  Future<DocumentView> get(DocumentRef req, Call call) {
    UUID org = UUID.fromString(call.requirePrincipal().org());
    UUID id = uuid(req.documentId());
    if (id == null) {
      return Future.failedFuture(BusFailure.notFound("no document " + req.documentId()));
    }
    return pool.withConnection(c -> view(c, org, id));
  }

  Future<DocumentContent> content(DocumentRef req, Call call) {
    UUID org = UUID.fromString(call.requirePrincipal().org());
    UUID id = uuid(req.documentId());
    if (id == null) {
      return Future.failedFuture(BusFailure.notFound("no document " + req.documentId()));
    }
    return pool.preparedQuery("SELECT d.media_type, d.file_name, c.bytes FROM documents d JOIN contents c ON c.org = d.org "
            + "AND c.sha256 = d.sha256 WHERE d.id = $1 AND d.org = $2").execute(Tuple.of(id, org))
        .compose(rows -> rows.size() == 0 ? Future.failedFuture(BusFailure.notFound("no document " + req.documentId()))
            : Future.succeededFuture(rows.iterator().next()))
        .map(r -> new DocumentContent(Wire.parse(MediaType.class, r.getString("media_type")), r.getString("file_name"),
            r.getBuffer("bytes").getBytes()));
  }

  /** One document of the organisation with its analysis and its duplicates. */
  static Future<DocumentView> view(SqlConnection c, UUID org, UUID id) {
    return c.preparedQuery("SELECT " + COLUMNS + " FROM documents d WHERE d.id = $1 AND d.org = $2").execute(Tuple.of(id, org))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.failedFuture(BusFailure.notFound("no document " + id));
          }
          Row r = rows.iterator().next();
          return c.preparedQuery("SELECT other_id, distance FROM duplicates WHERE document_id = $1 ORDER BY distance, other_id")
              .execute(Tuple.of(id))
              .compose(dups -> c.preparedQuery("SELECT entry_id, score, difference FROM matches WHERE document_id = $1")
                  .execute(Tuple.of(id)).map(found -> {
                    var duplicates = new ArrayList<DuplicateView>();
                    dups.forEach(d -> duplicates.add(new DuplicateView(d.getUUID("other_id").toString(), d.getInteger("distance"))));
                    var matches = new ArrayList<MatchView>();
                    found.forEach(m -> matches.add(new MatchView(m.getUUID("entry_id").toString(), m.getDouble("score"),
                        m.getBigDecimal("difference") == null ? null : m.getBigDecimal("difference").toPlainString())));
                    return view(r, duplicates, matches);
                  }));
        });
  }

  private static DocumentView view(Row r, List<DuplicateView> duplicates, List<MatchView> matches) {
    Stored a = stored(r);
    return new DocumentView(r.getUUID("id").toString(), str(r.getUUID("ledger_id")), r.getString("sha256"), r.getString("file_name"),
        Wire.parse(MediaType.class, r.getString("media_type")), r.getLong("size"),
        Wire.parse(DocumentStatus.class, r.getString("status")), r.getString("error"), r.getInteger("pages"),
        r.getInteger("page_count"), a.codes(), a.text(), a.fields(), a.disagreements(), duplicates, matches, a.layout(),
        str(r.getUUID("duplicate_of")), r.getString("uploaded_by"), r.getOffsetDateTime("received_at").toString(),
        r.getOffsetDateTime("analysed_at") == null ? null : r.getOffsetDateTime("analysed_at").toString());
  }

  private static DocumentSummary summary(Row r) {
    KeyFields f = stored(r).fields();
    return new DocumentSummary(r.getUUID("id").toString(), str(r.getUUID("ledger_id")), r.getString("file_name"),
        Wire.parse(MediaType.class, r.getString("media_type")), r.getLong("size"),
        Wire.parse(DocumentStatus.class, r.getString("status")), f.total(), f.vendor(), f.date(),
        r.getOffsetDateTime("received_at").toString());
  }

  /** The analysis as stored, or an empty one before there is any. */
  static Stored stored(Row r) {
    Object json = r.getValue("analysis");
    return json instanceof JsonObject j ? Codec.fromJson(j, Stored.class) : Stored.NONE;
  }

  /** A name for display: the last path segment, control characters out, at most 255 characters. */
  static String fileName(String name) {
    if (name == null) {
      return null;
    }
    String last = name.replace('\\', '/');
    last = last.substring(last.lastIndexOf('/') + 1).replaceAll("[\\p{Cntrl}\"]", "").strip();
    if (last.isEmpty()) {
      return null;
    }
    return last.length() > 255 ? last.substring(0, 255) : last;
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  static UUID uuid(String s) {
    try {
      return UUID.fromString(s);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static String str(UUID id) {
    return id == null ? null : id.toString();
  }
}
