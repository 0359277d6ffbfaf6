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
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.text.ParseException;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The ES256 keys that sign access tokens, shared by every Security instance through
 * PostgreSQL, their private halves encrypted (AES-256-GCM) with a key that is not in the
 * database. The newest unretired key signs; a retired key stays in the JWK set for the
 * retention period so that rotation logs nobody out.
 */
final class SigningKeys {
  /** Serialises key creation across instances. */
  private static final long KEY_LOCK = 0x4E5853_4B4559L;

  private static final int IV_BYTES = 12;
  private static final int TAG_BITS = 128;

  private final Pool pool;
  private final int retentionSeconds;
  private final SecretKeySpec kek;
  private final SecureRandom random = new SecureRandom();
  private volatile ECKey active;
  private volatile List<Map<String, Object>> publicJwks = List.of();

  /** @param kek the AES-256 key that encrypts private keys at rest; it is never stored in the database */
  SigningKeys(Pool pool, int retentionSeconds, byte[] kek) {
    if (kek.length != 32) {
      throw new IllegalArgumentException("the key-encryption key must be 32 bytes");
    }
    this.kek = new SecretKeySpec(kek, "AES");
    this.pool = pool;
    this.retentionSeconds = retentionSeconds;
  }

  /** Makes sure a signing key exists and every stored private key is encrypted, then loads the keys. */
  Future<Void> init() {
    return pool.withTransaction(conn -> conn.preparedQuery("SELECT pg_advisory_xact_lock($1)").execute(Tuple.of(KEY_LOCK))
            .compose(v -> encryptClearKeys(conn))
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
    return pool.preparedQuery("SELECT kid, private_jwk, encrypted, retired_at FROM signing_keys "
            + "WHERE retired_at IS NULL OR retired_at > now() - make_interval(secs => $1) ORDER BY created_at DESC")
        .execute(Tuple.of(retentionSeconds))
        .map(rows -> {
          ECKey signer = null;
          var pub = new ArrayList<Map<String, Object>>();
          for (Row r : rows) {
            ECKey key = parse(Boolean.TRUE.equals(r.getBoolean("encrypted"))
                ? decrypt(r.getString("kid"), r.getString("private_jwk")) : r.getString("private_jwk"));
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

  private Future<String> insertNew(SqlConnection conn) {
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
    return conn.preparedQuery("INSERT INTO signing_keys (kid, private_jwk, encrypted) VALUES ($1, $2, true)")
        .execute(Tuple.of(key.getKeyID(), encrypt(key.getKeyID(), key.toJSONString())))
        .map(key.getKeyID());
  }

  /** Keys stored in clear by an earlier version are encrypted in place. */
  private Future<Void> encryptClearKeys(SqlConnection conn) {
    return conn.query("SELECT kid, private_jwk FROM signing_keys WHERE NOT encrypted").execute().compose(rows -> {
      Future<Void> chain = Future.succeededFuture();
      for (Row r : rows) {
        String kid = r.getString("kid");
        String sealed = encrypt(kid, r.getString("private_jwk"));
        chain = chain.compose(v -> conn.preparedQuery("UPDATE signing_keys SET private_jwk = $2, encrypted = true WHERE kid = $1")
            .execute(Tuple.of(kid, sealed)).mapEmpty());
      }
      return chain;
    });
  }

  /** AES-256-GCM with a fresh IV, the key id as associated data: {@code base64(iv || ciphertext+tag)}. */
  private String encrypt(String kid, String clear) {
    try {
      byte[] iv = new byte[IV_BYTES];
      random.nextBytes(iv);
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.ENCRYPT_MODE, kek, new GCMParameterSpec(TAG_BITS, iv));
      c.updateAAD(kid.getBytes(StandardCharsets.UTF_8));
      byte[] ct = c.doFinal(clear.getBytes(StandardCharsets.UTF_8));
      byte[] out = new byte[iv.length + ct.length];
      System.arraycopy(iv, 0, out, 0, iv.length);
      System.arraycopy(ct, 0, out, iv.length, ct.length);
      return Base64.getEncoder().encodeToString(out);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot encrypt a signing key", e);
    }
  }

  private String decrypt(String kid, String sealed) {
    try {
      byte[] in = Base64.getDecoder().decode(sealed);
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.DECRYPT_MODE, kek, new GCMParameterSpec(TAG_BITS, in, 0, IV_BYTES));
      c.updateAAD(kid.getBytes(StandardCharsets.UTF_8));
      return new String(c.doFinal(in, IV_BYTES, in.length - IV_BYTES), StandardCharsets.UTF_8);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalStateException("signing key " + kid + " cannot be decrypted: the key-encryption key "
          + "(cluster secret or NEXUS_KEY_ENCRYPTION_KEY) is not the one it was stored with");
    }
  }

  private static ECKey parse(String json) {
    try {
      return ECKey.parse(json);
    } catch (ParseException e) {
      throw new IllegalStateException("stored signing key does not parse", e);
    }
  }
}
