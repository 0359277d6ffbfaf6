package io.nexus.security;

import io.nexus.contracts.Empty;
import io.nexus.contracts.Principal;
import io.nexus.contracts.Role;
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

/**
 * The hash-chained audit trail. A durable subscription feeds it every event of the log (every
 * command's effect), one row each, in log order; each row's hash covers the previous row's hash
 * and the row's canonical content, so altering, removing or reordering any row breaks the chain
 * from there on, and {@link #verify} names the first broken row.
 */
final class AuditTrail {
  /** The durable subscription that writes the trail. */
  static final String SUBSCRIPTION = "security.audit";
  static final String GENESIS = "0".repeat(64);
  private static final int VERIFY_PAGE = 1000;
  private static final int DEFAULT_LIMIT = 100;
  private static final String COLUMNS = "seq, position, at, actor, org, entity, action, data, prev_hash, hash";

  private final Pool pool;

  AuditTrail(Pool pool) {
    this.pool = pool;
  }

  /** Appends one event to the trail inside the subscription's transaction. */
  Future<Void> record(RecordedEvent e, SqlConnection tx) {
    JsonObject principal = e.metadata().getJsonObject("principal");
    String actor = principal == null ? null : principal.getString("subject");
    String org = principal == null ? null : principal.getString("org");
    return tx.query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").execute().compose(rows -> {
      long seq = rows.size() == 0 ? 1 : rows.iterator().next().getLong("seq") + 1;
      String prev = rows.size() == 0 ? GENESIS : rows.iterator().next().getString("hash");
      String at = e.recordedAt().toString();
      String hash = hash(prev, seq, e.position(), at, actor, org, e.streamId(), e.type(), e.data());
      return tx.preparedQuery("INSERT INTO audit_log (" + COLUMNS + ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
          .execute(Tuple.from(java.util.Arrays.asList(seq, e.position(), at, actor, org, e.streamId(), e.type(), e.data(),
              prev, hash)))
          .mapEmpty();
    });
  }

  Future<AuditPage> query(AuditQuery q, Call call) {
    Principal p = call.require(Role.ADMIN);
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

  /** Walks the chain from the start, page by page, recomputing every hash. */
  Future<AuditVerification> verify(Empty req, Call call) {
    call.require(Role.ADMIN);
    return verifyFrom(0, GENESIS, 0);
  }

  private Future<AuditVerification> verifyFrom(long afterSeq, String prevHash, long checked) {
    return pool.preparedQuery("SELECT " + COLUMNS + " FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2")
        .execute(Tuple.of(afterSeq, VERIFY_PAGE))
        .compose(rows -> {
          String prev = prevHash;
          long expectedSeq = afterSeq + 1;
          long n = checked;
          for (Row r : rows) {
            long seq = r.getLong("seq");
            String broken = null;
            if (seq != expectedSeq) {
              broken = "row " + expectedSeq + " is missing";
            } else if (!prev.equals(r.getString("prev_hash"))) {
              broken = "row " + seq + " does not follow the row before it";
            } else if (!hash(prev, seq, r.getLong("position"), r.getString("at"), r.getString("actor"), r.getString("org"),
                r.getString("entity"), r.getString("action"), json(r.getValue("data"))).equals(r.getString("hash"))) {
              broken = "row " + seq + " was altered: its content does not match its hash";
            }
            if (broken != null) {
              return Future.succeededFuture(new AuditVerification(false, n, seq != expectedSeq ? expectedSeq : seq, broken));
            }
            prev = r.getString("hash");
            expectedSeq++;
            n++;
          }
          if (rows.size() < VERIFY_PAGE) {
            return Future.succeededFuture(new AuditVerification(true, n, null, "the chain of " + n + " rows is intact"));
          }
          return verifyFrom(expectedSeq - 1, prev, n);
        });
  }

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
