package io.nexus.security;

import io.nexus.contracts.Empty;
import io.nexus.contracts.Principal;
import io.nexus.contracts.security.Security.AuditEntry;
import io.nexus.contracts.security.Security.AuditPage;
import io.nexus.contracts.security.Security.AuditQuery;
import io.nexus.contracts.security.Security.AuditVerification;
import io.nexus.kernel.bus.BusFailure;
import io.nexus.kernel.bus.Call;
import io.nexus.kernel.events.RecordedEvent;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The hash-chained audit trail. A durable subscription feeds it every event of the log (every
 * command's effect), one row each, in log order; each row's hash covers the previous row's hash
 * and the row's canonical content, so altering, removing or reordering any row breaks the chain
 * from there on, and {@link #verify} names the first broken row. The hash is an HMAC under a key
 * outside the database, so a database superuser who edits a row and recomputes the chain is
 * still caught; each row links to the previous row of its organisation too, so a tenant's
 * admin verifies their own trail.
 */
final class AuditTrail {
  /** The durable subscription that writes the trail. */
  static final String SUBSCRIPTION = "security.audit";
  static final String GENESIS = "0".repeat(64);
  private static final int VERIFY_PAGE = 1000;
  private static final int DEFAULT_LIMIT = 100;
  private static final String COLUMNS = "seq, position, at, actor, org, entity, action, data, prev_hash, hash, keyed, "
      + "org_prev_hash";

  private final Pool pool;
  private final Operators operators;
  private final SecretKeySpec key;

  /** @param key the chain's HMAC key; it never leaves the cluster's secrets */
  AuditTrail(Pool pool, Operators operators, byte[] key) {
    this.pool = pool;
    this.operators = operators;
    this.key = new SecretKeySpec(key, "HmacSHA256");
  }

  /** Appends one event to the trail inside the subscription's transaction. */
  Future<Void> record(RecordedEvent e, SqlConnection tx) {
    JsonObject principal = e.metadata().getJsonObject("principal");
    String actor = principal == null ? null : principal.getString("subject");
    String org = principal == null ? null : principal.getString("org");
    Future<String> orgPrev = tx.preparedQuery("SELECT hash FROM audit_log WHERE org IS NOT DISTINCT FROM $1 "
            + "ORDER BY seq DESC LIMIT 1").execute(Tuple.of(org))
        .map(rows -> rows.size() == 0 ? GENESIS : rows.iterator().next().getString(0));
    return orgPrev.compose(op -> tx.query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").execute().compose(rows -> {
      long seq = rows.size() == 0 ? 1 : rows.iterator().next().getLong("seq") + 1;
      String prev = rows.size() == 0 ? GENESIS : rows.iterator().next().getString("hash");
      String at = e.recordedAt().toString();
      String hash = mac(prev, op, seq, e.position(), at, actor, org, e.streamId(), e.type(), e.data());
      return tx.preparedQuery("INSERT INTO audit_log (" + COLUMNS + ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, true, $11)")
          .execute(Tuple.from(java.util.Arrays.asList(seq, e.position(), at, actor, org, e.streamId(), e.type(), e.data(),
              prev, hash, op)))
          .mapEmpty();
    }));
  }

  Future<AuditPage> query(AuditQuery q, Call call) {
    Principal p = call.requirePrincipal();
    int limit = q.limit() == null ? DEFAULT_LIMIT : q.limit();
    String from = instant("from", q.from());
    String to = instant("to", q.to());
    return pool.preparedQuery("SELECT " + COLUMNS + " FROM audit_log WHERE org = $1 "
            + "AND ($2::text IS NULL OR actor = $2) AND ($3::text IS NULL OR entity = $3) "
            + "AND ($4::text IS NULL OR at >= $4) AND ($5::text IS NULL OR at <= $5) ORDER BY seq DESC LIMIT $6")
        .execute(Tuple.from(java.util.Arrays.asList(p.org(), q.actor(), q.entity(), from, to, limit)))
        .map(rows -> {
          var out = new ArrayList<AuditEntry>();
          for (Row r : rows) {
            out.add(new AuditEntry(r.getLong("seq"), r.getLong("position"), r.getString("at"), r.getString("actor"),
                r.getString("org"), r.getString("entity"), r.getString("action"), json(r.getValue("data")).getMap(),
                r.getString("hash")));
          }
          return new AuditPage(out);
        });
  }

  /**
   * Walks a chain from its start, page by page, recomputing every row's MAC: for an admin of
   * the operator organisation the whole trail (every row follows the row before it), for a
   * tenant's admin their organisation's rows (each follows their organisation's row before it).
   */
  Future<AuditVerification> verify(Empty req, Call call) {
    Principal p = call.requirePrincipal();
    return operators.isOperatorOrg(p).compose(all -> pool.query("SELECT coalesce(max(legacy_until), 0) FROM audit_chain")
        .execute().compose(rows -> verifyFrom(all ? null : p.org(), rows.iterator().next().getLong(0), 0, GENESIS, 0)));
  }

  /** @param org null for the whole chain, else one organisation's */
  private Future<AuditVerification> verifyFrom(String org, long legacyUntil, long afterSeq, String prevHash, long checked) {
    String where = org == null ? "seq > $1" : "org = $3 AND seq > $1";
    Tuple args = org == null ? Tuple.of(afterSeq, VERIFY_PAGE) : Tuple.of(afterSeq, VERIFY_PAGE, org);
    return pool.preparedQuery("SELECT " + COLUMNS + " FROM audit_log WHERE " + where + " ORDER BY seq LIMIT $2")
        .execute(args)
        .compose(rows -> {
          String prev = prevHash;
          long last = afterSeq;
          long n = checked;
          for (Row r : rows) {
            long seq = r.getLong("seq");
            boolean rowKeyed = Boolean.TRUE.equals(r.getBoolean("keyed"));
            String link = org == null ? r.getString("prev_hash") : r.getString("org_prev_hash");
            String broken = null;
            if (org == null && seq != last + 1) {
              broken = "row " + (last + 1) + " is missing";
            } else if (!rowKeyed && seq > legacyUntil) {
              broken = "row " + seq + " is not keyed, yet it was written after the chain was keyed";
            } else if (!prev.equals(link) && (rowKeyed || org == null)) {
              broken = "row " + seq + " does not follow the row before it";
            } else if (!expectedHash(r).equals(r.getString("hash"))) {
              broken = "row " + seq + " was altered: its content does not match its hash";
            }
            if (broken != null) {
              return Future.succeededFuture(new AuditVerification(false, n, org == null && seq != last + 1 ? last + 1 : seq,
                  broken));
            }
            prev = r.getString("hash");
            last = seq;
            n++;
          }
          if (rows.size() < VERIFY_PAGE) {
            return Future.succeededFuture(new AuditVerification(true, n, null, "the chain of " + n + " rows"
                + (org == null ? "" : " of this organisation") + " is intact"));
          }
          return verifyFrom(org, legacyUntil, last, prev, n);
        });
  }

  /** What a row's hash must be: its MAC, or for a row from before the keyed chain its plain SHA-256. */
  private String expectedHash(Row r) {
    String prev = r.getString("prev_hash");
    long seq = r.getLong("seq");
    long position = r.getLong("position");
    String at = r.getString("at");
    String actor = r.getString("actor");
    String org = r.getString("org");
    String entity = r.getString("entity");
    String action = r.getString("action");
    JsonObject data = json(r.getValue("data"));
    return Boolean.TRUE.equals(r.getBoolean("keyed"))
        ? mac(prev, r.getString("org_prev_hash"), seq, position, at, actor, org, entity, action, data)
        : hash(prev, seq, position, at, actor, org, entity, action, data);
  }

  /** The keyed hash of a row: HMAC-SHA256 over both links and the canonical content. */
  String mac(String prev, String orgPrev, long seq, long position, String at, String actor, String org, String entity,
      String action, JsonObject data) {
    String content = String.join("\n", prev, orgPrev, Long.toString(seq), Long.toString(position), at, String.valueOf(actor),
        String.valueOf(org), entity, action, canonical(data));
    try {
      Mac m = Mac.getInstance("HmacSHA256");
      m.init(key);
      return HexFormat.of().formatHex(m.doFinal(content.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The unkeyed hash rows had before the chain was keyed (verified for those rows only). */
  static String hash(String prev, long seq, long position, String at, String actor, String org, String entity,
      String action, JsonObject data) {
    String content = String.join("\n", prev, Long.toString(seq), Long.toString(position), at, String.valueOf(actor),
        String.valueOf(org), entity, action, canonical(data));
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** JSON with object keys sorted at every level, so equal content always hashes the same. */
  static String canonical(Object value) {
    if (value instanceof JsonObject o) {
      return canonical(o.getMap());
    }
    if (value instanceof JsonArray a) {
      return canonical(a.getList());
    }
    if (value instanceof Map<?, ?> m) {
      var sorted = new TreeMap<String, Object>();
      m.forEach((k, v) -> sorted.put(String.valueOf(k), v));
      var sb = new StringBuilder("{");
      sorted.forEach((k, v) -> sb.append(sb.length() > 1 ? "," : "").append(scalar(k)).append(':').append(canonical(v)));
      return sb.append('}').toString();
    }
    if (value instanceof List<?> l) {
      var sb = new StringBuilder("[");
      for (Object v : l) {
        sb.append(sb.length() > 1 ? "," : "").append(canonical(v));
      }
      return sb.append(']').toString();
    }
    return scalar(value);
  }

  /** A JSON scalar (string, number, boolean or null) as JSON text. */
  private static String scalar(Object value) {
    String array = new JsonArray().add(value).encode();
    return array.substring(1, array.length() - 1);
  }

  private static String instant(String field, String value) {
    if (value == null) {
      return null;
    }
    try {
      return Instant.parse(value).toString();
    } catch (DateTimeParseException e) {
      throw BusFailure.badRequest(field + ": expected an ISO-8601 instant, got '" + value + "'");
    }
  }

  private static JsonObject json(Object v) {
    return v instanceof JsonObject j ? j : new JsonObject(String.valueOf(v));
  }
}
