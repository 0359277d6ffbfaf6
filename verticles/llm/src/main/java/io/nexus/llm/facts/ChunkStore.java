package io.nexus.llm.facts;

import io.nexus.contracts.Wire;
import io.nexus.contracts.llm.Llm.ChunkKind;
import io.nexus.llm.index.Embedder;
import io.nexus.llm.index.SearchIndex;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The {@code chunks} table: the truth the indexes are projections of. Every write takes a new
 * {@code seq} under one transaction-scoped advisory lock, so {@code seq} order is commit order
 * and a reader that has seen up to N has seen every write at or below N. A chunk whose text did
 * not change keeps its embedding; one whose text changed waits for a new one.
 */
public final class ChunkStore {
  private static final String LOCK = "SELECT pg_advisory_xact_lock(hashtextextended('llm-chunks', 0))";
  private static final String UPSERT = "INSERT INTO chunks (id, org, ledger_id, kind, fact_id, page, title, body, meaning, facts, "
      + "source, hash, seq) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, nextval('chunk_seq')) ON CONFLICT (id) DO "
      + "UPDATE SET org = EXCLUDED.org, ledger_id = EXCLUDED.ledger_id, title = EXCLUDED.title, body = EXCLUDED.body, "
      + "meaning = EXCLUDED.meaning, facts = EXCLUDED.facts, "
      + "source = EXCLUDED.source, vector = CASE WHEN chunks.hash = EXCLUDED.hash THEN chunks.vector END, "
      + "model = CASE WHEN chunks.hash = EXCLUDED.hash THEN chunks.model END, hash = EXCLUDED.hash, seq = EXCLUDED.seq, "
      + "deleted = false, claimed_until = NULL, updated_at = now() "
      + "WHERE (chunks.hash, chunks.source, chunks.deleted, chunks.ledger_id) IS DISTINCT FROM "
      + "(EXCLUDED.hash, EXCLUDED.source, false, EXCLUDED.ledger_id)";
  private static final String INDEXED = "id, org, ledger_id, kind, fact_id, page, title, body, vector, seq, deleted";

  private final Pool pool;

  public ChunkStore(Pool pool) {
    this.pool = pool;
  }

  public Pool pool() {
    return pool;
  }

  /** Stores chunks in the caller's transaction; unchanged ones are left alone (no new seq). */
  public static Future<Void> upsert(SqlClient tx, List<Chunk> chunks) {
    if (chunks.isEmpty()) {
      return Future.succeededFuture();
    }
    var rows = new ArrayList<Tuple>(chunks.size());
    for (Chunk c : chunks) {
      rows.add(Tuple.from(Arrays.asList(c.id(), c.org(), c.ledgerId(), c.kind().wire(), c.factId(), c.page(), c.title(), c.body(),
          c.meaning(), facts(c.facts()), c.source(), c.hash())));
    }
    return tx.query(LOCK).execute().compose(v -> tx.preparedQuery(UPSERT).executeBatch(rows)).mapEmpty();
  }

  /** Marks a fact's chunks deleted (the index drops them). */
  public static Future<Void> delete(SqlClient tx, ChunkKind kind, String factId) {
    return tx.query(LOCK).execute().compose(v -> tx.preparedQuery("UPDATE chunks SET deleted = true, seq = nextval('chunk_seq'), "
        + "updated_at = now() WHERE kind = $1 AND fact_id = $2 AND NOT deleted").execute(Tuple.of(kind.wire(), factId))).mapEmpty();
  }

  /** A stored chunk by its id. */
  public static Future<Optional<Chunk>> get(SqlClient c, String id) {
    return c.preparedQuery("SELECT org, ledger_id, kind, fact_id, page, title, body, meaning, source FROM chunks WHERE id = $1 "
            + "AND NOT deleted")
        .execute(Tuple.of(id))
        .map(rows -> {
          if (rows.size() == 0) {
            return Optional.empty();
          }
          Row r = rows.iterator().next();
          return Optional.of(new Chunk(r.getUUID("org"), r.getUUID("ledger_id"), Wire.parse(ChunkKind.class, r.getString("kind")),
              r.getString("fact_id"), r.getInteger("page"), r.getString("title"), r.getString("body"), r.getString("meaning"),
              r.getJsonObject("source")));
        });
  }

  private static JsonObject facts(Quantities.Found f) {
    return new JsonObject().put("amounts", new JsonArray(f.amounts().stream().map(a -> a.toPlainString()).toList()))
        .put("dates", new JsonArray(f.dates().stream().map(Object::toString).toList()));
  }

  // ---- embeddings ----

  /** A chunk waiting for its embedding. */
  public record Pending(String id, String hash, String text) {}

  /** Claims up to {@code n} chunks waiting for their embedding, for {@code claimMs} (another embedder skips them meanwhile). */
  public Future<List<Pending>> claim(int n, long claimMs) {
    return pool.preparedQuery("UPDATE chunks SET claimed_until = now() + $2::bigint * interval '1 millisecond' WHERE id IN ("
            + "SELECT id FROM chunks WHERE vector IS NULL AND NOT deleted AND (claimed_until IS NULL OR claimed_until < now()) "
            + "ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED) RETURNING id, hash, meaning, seq")
        .execute(Tuple.of(n, claimMs))
        .map(rows -> {
          var out = new ArrayList<Object[]>();
          for (Row r : rows) {
            out.add(new Object[] {r.getLong("seq"), new Pending(r.getString("id"), r.getString("hash"), r.getString("meaning"))});
          }
          out.sort(java.util.Comparator.comparingLong(o -> (Long) o[0]));
          return out.stream().map(o -> (Pending) o[1]).toList();
        });
  }

  /** Stores embeddings of claimed chunks whose text is still the one embedded; returns how many. */
  public Future<Integer> storeVectors(List<Pending> chunks, float[][] vectors, String model) {
    var rows = new ArrayList<Tuple>(chunks.size());
    for (int i = 0; i < chunks.size(); i++) {
      rows.add(Tuple.of(Buffer.buffer(Embedder.bytes(vectors[i])), model, chunks.get(i).id(), chunks.get(i).hash()));
    }
    return pool.withTransaction(tx -> tx.query(LOCK).execute()
        .compose(v -> tx.preparedQuery("UPDATE chunks SET vector = $1, model = $2, seq = nextval('chunk_seq'), claimed_until = NULL "
            + "WHERE id = $3 AND hash = $4 AND NOT deleted").executeBatch(rows))
        .map(r -> {
          int n = 0;
          for (var rs = r; rs != null; rs = rs.next()) {
            n += rs.rowCount();
          }
          return n;
        }));
  }

  // ---- what the indexes read ----

  /** Chunk changes after {@code seq}, in seq order, at most {@code n}. */
  public Future<List<SearchIndex.Doc>> since(long seq, int n) {
    return pool.preparedQuery("SELECT " + INDEXED + " FROM chunks WHERE seq > $1 ORDER BY seq LIMIT $2").execute(Tuple.of(seq, n))
        .map(ChunkStore::docs);
  }

  /** One organisation's chunks after {@code seq}, in seq order, at most {@code n} (a rebuild of its index). */
  public Future<List<SearchIndex.Doc>> ofOrg(UUID org, long seq, int n) {
    return pool.preparedQuery("SELECT " + INDEXED + " FROM chunks WHERE org = $1 AND seq > $2 AND NOT deleted ORDER BY seq LIMIT $3")
        .execute(Tuple.of(org, seq, n)).map(ChunkStore::docs);
  }

  private static List<SearchIndex.Doc> docs(io.vertx.sqlclient.RowSet<Row> rows) {
    var out = new ArrayList<SearchIndex.Doc>(rows.size());
    for (Row r : rows) {
      Buffer v = r.getBuffer("vector");
      out.add(new SearchIndex.Doc(r.getString("id"), r.getUUID("org"), r.getUUID("ledger_id"),
          Wire.parse(ChunkKind.class, r.getString("kind")), r.getString("fact_id"), r.getInteger("page"), r.getString("title"),
          r.getString("body"), v == null ? null : Embedder.floats(v.getBytes()), r.getLong("seq"), r.getBoolean("deleted")));
    }
    return out;
  }

  /** The table's epoch: an index built from another is rebuilt. */
  public Future<String> epoch() {
    return pool.query("SELECT epoch FROM index_epoch").execute().map(rows -> rows.iterator().next().getUUID(0).toString());
  }

  /** The highest seq stored. */
  public Future<Long> head() {
    return pool.query("SELECT coalesce(max(seq), 0) FROM chunks").execute().map(rows -> rows.iterator().next().getLong(0));
  }

  /** An organisation's stored chunks, those waiting for their embedding, and its changes after {@code applied}. */
  public Future<long[]> counts(UUID org, long applied) {
    return pool.preparedQuery("SELECT count(*) FILTER (WHERE NOT deleted), count(*) FILTER (WHERE vector IS NULL AND NOT deleted), "
            + "count(*) FILTER (WHERE seq > $2) FROM chunks WHERE org = $1")
        .execute(Tuple.of(org, applied)).map(rows -> {
          Row r = rows.iterator().next();
          return new long[] {r.getLong(0), r.getLong(1), r.getLong(2)};
        });
  }

  /** Marks an organisation's chunks for embedding again (a reindex with {@code reembed}). */
  public Future<Void> forgetVectors(UUID org) {
    return pool.withTransaction(tx -> tx.query(LOCK).execute().compose(v -> tx.preparedQuery("UPDATE chunks SET vector = NULL, "
        + "model = NULL, seq = nextval('chunk_seq'), claimed_until = NULL WHERE org = $1 AND NOT deleted").execute(Tuple.of(org))))
        .mapEmpty();
  }

  /** A stored fact as a citation is checked against it: the organisation's, by kind and id. */
  public record StoredFact(ChunkKind kind, String factId, UUID ledgerId, String title, String text, Quantities.Found facts) {}

  /** The organisation's chunks of the given facts ({@code kind:id} keys); other organisations' are not read. */
  public Future<List<StoredFact>> facts(UUID org, List<String> keys) {
    if (keys.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    return pool.preparedQuery("SELECT kind, fact_id, ledger_id, title, body, facts FROM chunks WHERE org = $1 AND NOT deleted AND "
            + "(kind || ':' || fact_id) = ANY($2) ORDER BY id")
        .execute(Tuple.of(org, (Object) keys.toArray(String[]::new)))
        .map(rows -> {
          var out = new ArrayList<StoredFact>();
          for (Row r : rows) {
            JsonObject f = r.getJsonObject("facts");
            var amounts = new java.util.LinkedHashSet<java.math.BigDecimal>();
            f.getJsonArray("amounts").forEach(a -> amounts.add(new java.math.BigDecimal((String) a)));
            var dates = new java.util.LinkedHashSet<java.time.LocalDate>();
            f.getJsonArray("dates").forEach(d -> dates.add(java.time.LocalDate.parse((String) d)));
            out.add(new StoredFact(Wire.parse(ChunkKind.class, r.getString("kind")), r.getString("fact_id"), r.getUUID("ledger_id"),
                r.getString("title"), r.getString("body"), new Quantities.Found(amounts, dates)));
          }
          return out;
        });
  }

  /** A comment on a finding, as its chunk holds it. */
  public record CommentFact(String findingId, int seq, String author, String text) {}

  /** The organisation's comments on these findings, by finding, in order. */
  public Future<java.util.Map<String, List<CommentFact>>> comments(UUID org, List<String> findingIds) {
    if (findingIds.isEmpty()) {
      return Future.succeededFuture(java.util.Map.of());
    }
    return pool.preparedQuery("SELECT source FROM chunks WHERE org = $1 AND kind = 'comment' AND NOT deleted "
            + "AND source->>'findingId' = ANY($2) ORDER BY source->>'findingId', (source->>'seq')::int")
        .execute(Tuple.of(org, (Object) findingIds.toArray(String[]::new)))
        .map(rows -> {
          var out = new java.util.HashMap<String, List<CommentFact>>();
          for (Row r : rows) {
            JsonObject c = r.getJsonObject("source");
            out.computeIfAbsent(c.getString("findingId"), k -> new ArrayList<>())
                .add(new CommentFact(c.getString("findingId"), c.getInteger("seq"), c.getString("author"), c.getString("text")));
          }
          return out;
        });
  }
}
