package io.nexus.security;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The ES256 keys that sign access tokens, shared by every Security instance through
 * PostgreSQL. The newest unretired key signs; a retired key stays in the JWK set for the
 * retention period so that rotation logs nobody out.
 */
final class SigningKeys {
  /** Serialises key creation across instances. */
  private static final long KEY_LOCK = 0x4E5853_4B4559L;

  private final Pool pool;
  private final int retentionSeconds;
  private volatile ECKey active;
  private volatile List<Map<String, Object>> publicJwks = List.of();

  SigningKeys(Pool pool, int retentionSeconds) {
    this.pool = pool;
    this.retentionSeconds = retentionSeconds;
  }

  /** Makes sure a signing key exists, then loads the keys. */
  Future<Void> init() {
    return pool.withTransaction(conn -> conn.preparedQuery("SELECT pg_advisory_xact_lock($1)").execute(Tuple.of(KEY_LOCK))
            .compose(v -> conn.query("SELECT count(*) FROM signing_keys WHERE retired_at IS NULL").execute())
            .compose(rows -> rows.iterator().next().getLong(0) > 0 ? Future.succeededFuture() : insertNew(conn).mapEmpty()))
        .compose(v -> reload());
  }

  /** Retires the signing key and starts a new one; returns the new key id. */
  Future<String> rotate() {
    return pool.withTransaction(conn -> conn.preparedQuery("SELECT pg_advisory_xact_lock($1)").execute(Tuple.of(KEY_LOCK))
            .compose(v -> conn.query("UPDATE signing_keys SET retired_at = now() WHERE retired_at IS NULL").execute())
            .compose(v -> insertNew(conn)))
        .compose(kid -> reload().map(kid));
  }

  /** Reloads keys from the database (after another instance rotated). */
  Future<Void> reload() {
    return pool.preparedQuery("SELECT kid, private_jwk, retired_at FROM signing_keys "
            + "WHERE retired_at IS NULL OR retired_at > now() - make_interval(secs => $1) ORDER BY created_at DESC")
        .execute(Tuple.of(retentionSeconds))
        .map(rows -> {
          ECKey signer = null;
          var pub = new ArrayList<Map<String, Object>>();
          for (Row r : rows) {
            ECKey key = parse(r.getString("private_jwk"));
            if (signer == null && r.getValue("retired_at") == null) {
              signer = key;
            }
            pub.add(key.toPublicJWK().toJSONObject());
          }
          if (signer == null) {
            throw new IllegalStateException("no active signing key");
          }
          active = signer;
          publicJwks = List.copyOf(pub);
          return null;
        });
  }

  /** The key to sign with now. */
  ECKey active() {
    ECKey k = active;
    if (k == null) {
      throw new IllegalStateException("signing keys not loaded");
    }
    return k;
  }

  /** Public halves of every key that may still verify a live token. */
  List<Map<String, Object>> jwks() {
    return publicJwks;
  }

  private static Future<String> insertNew(SqlConnection conn) {
    ECKey key;
    try {
      key = new ECKeyGenerator(Curve.P_256)
          .keyID(UUID.randomUUID().toString())
          .keyUse(KeyUse.SIGNATURE)
          .algorithm(JWSAlgorithm.ES256)
          .generate();
    } catch (JOSEException e) {
      return Future.failedFuture(e);
    }
    return conn.preparedQuery("INSERT INTO signing_keys (kid, private_jwk) VALUES ($1, $2)")
        .execute(Tuple.of(key.getKeyID(), key.toJSONString()))
        .map(key.getKeyID());
  }

  private static ECKey parse(String json) {
    try {
      return ECKey.parse(json);
    } catch (ParseException e) {
      throw new IllegalStateException("stored signing key does not parse", e);
    }
  }
}
