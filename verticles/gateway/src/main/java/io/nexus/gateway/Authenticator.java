package io.nexus.gateway;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.nexus.contracts.Empty;
import io.nexus.contracts.Principal;
import io.nexus.contracts.Role;
import io.nexus.contracts.security.Security;
import io.nexus.contracts.security.Security.VerifyApiKey;
import io.nexus.kernel.bus.Bus;
import io.nexus.kernel.bus.BusFailure;
import io.nexus.kernel.bus.Call;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.RedisAPI;
import java.text.ParseException;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a credential into a verified {@link Principal}: an ES256 access token checked against
 * the Security service's JWK set (signature, algorithm, issuer, audience, lifetime, ended
 * sessions), or an API key resolved by the Security service and cached briefly.
 */
final class Authenticator {
  private static final Logger LOG = LoggerFactory.getLogger(Authenticator.class);
  private static final String REVOKED_PREFIX = "nexus:revoked-session:";
  private static final long CLOCK_SKEW_SECONDS = 30;
  private static final long JWKS_REFRESH_MIN_INTERVAL_MS = 5_000;
  /** How long a session found ended in Redis is remembered here without asking again. */
  private static final long REVOKED_MEMORY_SECONDS = 3600;
  private static final long API_KEY_CACHE_MS = 30_000;
  /** How long a refused API key is refused without asking the Security service again. */
  private static final long REFUSED_API_KEY_CACHE_MS = 10_000;
  private static final int MAX_REFUSED_API_KEYS = 10_000;
  private static final long REDIS_TIMEOUT_MS = 300;
  private static final int MAX_TOKEN_CHARS = 8192;

  private final Vertx vertx;
  private final Bus bus;
  private final RedisAPI redis;
  private final String issuer;
  private final String audience;
  private volatile Map<String, ECKey> keys = Map.of();
  private volatile long lastJwksFetch;
  /** Sessions known to have ended, with the epoch second after which their tokens expire anyway. */
  private final Map<String, Long> revoked = new ConcurrentHashMap<>();
  private final Map<String, CachedKey> apiKeys = new ConcurrentHashMap<>();
  private final Map<String, Long> refusedApiKeys = new ConcurrentHashMap<>();
  /** Subjects ({@code apikey:<id>}) of API keys revoked while this gateway ran. */
  private final Set<String> revokedApiKeys = ConcurrentHashMap.newKeySet();
  /**
   * Tokens whose signature and claims were verified, until they expire. ES256 verification was
   * most of the gateway's CPU per request (JFR: the JDK's P-256 arithmetic); a token seen again
   * is the exact same string, so its verdict holds. Revocation is still checked every time.
   */
  private final Map<String, VerifiedToken> verified = new ConcurrentHashMap<>();

  private record CachedKey(Principal principal, long at) {}

  private record VerifiedToken(Principal principal, long expiresAtEpochSecond) {}

  private static final int MAX_VERIFIED_TOKENS = 50_000;

  Authenticator(Vertx vertx, Bus bus, RedisAPI redis, String issuer, String audience) {
    this.vertx = vertx;
    this.bus = bus;
    this.redis = redis;
    this.issuer = issuer;
    this.audience = audience;
  }

  /** Loads the JWK set, retrying until it arrives or {@code waitMs} passes. */
  Future<Void> loadKeys(long waitMs) {
    long deadline = System.currentTimeMillis() + waitMs;
    return refreshKeys().recover(err -> {
      if (System.currentTimeMillis() >= deadline) {
        return Future.failedFuture(new IllegalStateException(
            "no token signing keys: the Security service did not answer within " + waitMs + " ms ("
                + err.getMessage() + "); the gateway will not start without them"));
      }
      return vertx.timer(500).compose(t -> loadKeys(Math.max(0, deadline - System.currentTimeMillis())));
    });
  }

  /** Fetches the JWK set now. */
  Future<Void> refreshKeys() {
    lastJwksFetch = System.currentTimeMillis();
    return bus.request(Security.JWKS, Empty.INSTANCE, Call.system()).map(jwks -> {
      var next = new HashMap<String, ECKey>();
      for (Map<String, Object> k : jwks.keys()) {
        try {
          JWK jwk = JWK.parse(k);
          if (jwk instanceof ECKey ec && !ec.isPrivate()) {
            next.put(ec.getKeyID(), ec);
          }
        } catch (ParseException e) {
          LOG.warn("ignored a JWK that does not parse [kid: {}]", k.get("kid"));
        }
      }
      if (next.isEmpty()) {
        throw new IllegalStateException("the JWK set has no usable key");
      }
      keys = Map.copyOf(next);
      LOG.info("token keys loaded [kids: {}]", next.keySet());
      return null;
    });
  }

  /** A session ended: refuse its tokens from now on. */
  void sessionRevoked(String session, long expiresAt) {
    revoked.put(session, expiresAt);
    long now = Instant.now().getEpochSecond();
    revoked.values().removeIf(exp -> exp < now);
  }

  /** An API key was revoked: forget it. */
  void apiKeyRevoked(String id) {
    apiKeys.values().removeIf(c -> c.principal().subject().equals("apikey:" + id));
    revokedApiKeys.add("apikey:" + id);
  }

  /**
   * True when this gateway already knows the caller's session (or API key) ended: a lookup in
   * memory, cheap enough for every message a bridge socket receives.
   */
  boolean knownEnded(Principal p) {
    return p.session() != null ? revoked.containsKey(p.session()) : revokedApiKeys.contains(p.subject());
  }

  /** What a verified {@code Authorization} value grants: the principal and until when. */
  record Grant(Principal principal, long expiresAtEpochSecond) {
    /** True while the token is valid (with the accepted clock skew). */
    boolean valid(long nowEpochSecond) {
      return expiresAtEpochSecond + CLOCK_SKEW_SECONDS >= nowEpochSecond;
    }
  }

  /** As {@link #authenticate(String, String)}, with the token's expiry (API keys do not expire). */
  Future<Grant> grant(String authorization) {
    return authenticate(authorization, null).map(p -> {
      if (!p.human()) {
        return new Grant(p, Long.MAX_VALUE);
      }
      String token = authorization.trim().split("\\s+", 2)[1];
      VerifiedToken known = verified.get(token);
      if (known != null) {
        return new Grant(p, known.expiresAtEpochSecond());
      }
      try {
        // verified a moment ago, forgotten since (the cache was full): read the expiry again
        return new Grant(p, SignedJWT.parse(token).getJWTClaimsSet().getExpirationTime().toInstant().getEpochSecond());
      } catch (ParseException e) {
        return new Grant(p, Instant.now().getEpochSecond());
      }
    });
  }

  /**
   * The principal behind an {@code Authorization} or {@code X-API-Key} header value; fails
   * with 401 naming what is wrong.
   */
  Future<Principal> authenticate(String authorization, String apiKey) {
    return authenticate(authorization, apiKey, p -> Future.succeededFuture());
  }

  /**
   * As {@link #authenticate(String, String)}, running {@code alongside} (the rate limit) for the
   * principal as soon as the token is verified, at the same time as the session check in Redis:
   * one round trip's wait instead of two. A failed authentication wins over its failure.
   */
  Future<Principal> authenticate(String authorization, String apiKey, Function<Principal, Future<Void>> alongside) {
    if (apiKey != null) {
      return verifyApiKey(apiKey).compose(p -> alongside.apply(p).map(p));
    }
    if (authorization == null || authorization.isBlank()) {
      return Future.failedFuture(BusFailure.unauthorized("authentication required: send Authorization: Bearer <token>"));
    }
    String[] parts = authorization.trim().split("\\s+", 2);
    if (parts.length == 2 && parts[0].equalsIgnoreCase("ApiKey")) {
      return verifyApiKey(parts[1]).compose(p -> alongside.apply(p).map(p));
    }
    if (parts.length != 2 || !parts[0].equalsIgnoreCase("Bearer")) {
      return Future.failedFuture(BusFailure.unauthorized("Authorization must be 'Bearer <token>' or 'ApiKey <key>'"));
    }
    return verifyToken(parts[1], alongside);
  }

  /** Verifies an access token. */
  Future<Principal> verifyToken(String token) {
    return verifyToken(token, p -> Future.succeededFuture());
  }

  private Future<Principal> verifyToken(String token, Function<Principal, Future<Void>> alongside) {
    VerifiedToken known = verified.get(token);
    if (known != null && known.expiresAtEpochSecond() + CLOCK_SKEW_SECONDS >= Instant.now().getEpochSecond()) {
      return checked(known.principal(), alongside);
    }
    if (token.length() > MAX_TOKEN_CHARS) {
      return Future.failedFuture(BusFailure.unauthorized("token is too long"));
    }
    SignedJWT jwt;
    try {
      jwt = SignedJWT.parse(token);
    } catch (ParseException | RuntimeException e) {
      return Future.failedFuture(BusFailure.unauthorized("token is malformed or unsigned"));
    }
    if (!JWSAlgorithm.ES256.equals(jwt.getHeader().getAlgorithm())) {
      return Future.failedFuture(BusFailure.unauthorized("token algorithm must be ES256"));
    }
    String kid = jwt.getHeader().getKeyID();
    if (kid == null) {
      return Future.failedFuture(BusFailure.unauthorized("token names no signing key"));
    }
    Future<ECKey> key = keys.containsKey(kid) ? Future.succeededFuture(keys.get(kid)) : keyAfterRefresh(kid);
    return key.compose(k -> {
      Principal p = check(jwt, k);
      remember(token, p, jwt);
      return checked(p, alongside);
    });
  }

  /** The session check and {@code alongside} at the same time; the session's failure first. */
  private Future<Principal> checked(Principal p, Function<Principal, Future<Void>> alongside) {
    Future<Void> session = notRevoked(p.session());
    Future<Void> other = alongside.apply(p);
    return Future.join(session, other).transform(ar -> session.failed() ? Future.failedFuture(session.cause())
        : other.failed() ? Future.failedFuture(other.cause()) : Future.succeededFuture(p));
  }

  private void remember(String token, Principal p, SignedJWT jwt) {
    try {
      if (verified.size() >= MAX_VERIFIED_TOKENS) {
        long now = Instant.now().getEpochSecond();
        verified.values().removeIf(v -> v.expiresAtEpochSecond() < now);
        if (verified.size() >= MAX_VERIFIED_TOKENS) {
          verified.clear();
        }
      }
      verified.put(token, new VerifiedToken(p, jwt.getJWTClaimsSet().getExpirationTime().toInstant().getEpochSecond()));
    } catch (ParseException e) {
      // cannot happen after check() parsed the same claims; not remembering is always safe
    }
  }

  private Future<ECKey> keyAfterRefresh(String kid) {
    if (System.currentTimeMillis() - lastJwksFetch < JWKS_REFRESH_MIN_INTERVAL_MS) {
      return Future.failedFuture(BusFailure.unauthorized("token is signed with an unknown key"));
    }
    return refreshKeys().otherwiseEmpty().compose(v -> {
      ECKey k = keys.get(kid);
      return k == null ? Future.failedFuture(BusFailure.unauthorized("token is signed with an unknown key"))
          : Future.succeededFuture(k);
    });
  }

  private Principal check(SignedJWT jwt, ECKey key) {
    try {
      if (!jwt.verify(new ECDSAVerifier(key))) {
        throw BusFailure.unauthorized("token signature is not valid");
      }
      JWTClaimsSet c = jwt.getJWTClaimsSet();
      long now = Instant.now().getEpochSecond();
      if (!issuer.equals(c.getIssuer())) {
        throw BusFailure.unauthorized("token issuer is not accepted");
      }
      if (c.getAudience() == null || !c.getAudience().contains(audience)) {
        throw BusFailure.unauthorized("token audience is not accepted");
      }
      if (c.getExpirationTime() == null || c.getExpirationTime().toInstant().getEpochSecond() + CLOCK_SKEW_SECONDS < now) {
        throw BusFailure.unauthorized("token has expired");
      }
      if (c.getNotBeforeTime() != null && c.getNotBeforeTime().toInstant().getEpochSecond() - CLOCK_SKEW_SECONDS > now) {
        throw BusFailure.unauthorized("token is not valid yet");
      }
      String sub = c.getSubject();
      String org = c.getStringClaim("org");
      String role = c.getStringClaim("role");
      String sid = c.getStringClaim("sid");
      if (sub == null || org == null || role == null || sid == null) {
        throw BusFailure.unauthorized("token lacks sub, org, role or sid");
      }
      return new Principal(sub, org, Role.parse(role), sid);
    } catch (JOSEException | ParseException | IllegalArgumentException e) {
      throw BusFailure.unauthorized("token is not valid");
    }
  }

  /**
   * 401 when the session ended: known from the bus, or from Redis, asked on every request because
   * the Security service writes an ending there before it answers (so the very next request of
   * any client sees it). When Redis is down, the bus's word stands.
   */
  private Future<Void> notRevoked(String session) {
    if (revoked.containsKey(session)) {
      return Future.failedFuture(BusFailure.unauthorized("session has ended"));
    }
    return redis.exists(List.of(REVOKED_PREFIX + session))
        .timeout(REDIS_TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .map(r -> r != null && r.toLong() > 0)
        .otherwise(false)
        .compose(isRevoked -> {
          if (isRevoked) {
            revoked.put(session, Instant.now().getEpochSecond() + REVOKED_MEMORY_SECONDS);
            return Future.failedFuture(BusFailure.unauthorized("session has ended"));
          }
          return Future.succeededFuture();
        });
  }

  /**
   * True when this credential was verified here before and still holds (a token in the verified
   * cache, an API key in the key cache): checking it again costs nothing.
   */
  boolean alreadyVerified(String authorization, String apiKey) {
    String key = apiKey;
    if (key == null && authorization != null) {
      String[] parts = authorization.trim().split("\\s+", 2);
      if (parts.length == 2 && parts[0].equalsIgnoreCase("Bearer")) {
        VerifiedToken t = verified.get(parts[1]);
        return t != null && t.expiresAtEpochSecond() + CLOCK_SKEW_SECONDS >= Instant.now().getEpochSecond();
      }
      key = parts.length == 2 && parts[0].equalsIgnoreCase("ApiKey") ? parts[1] : null;
    }
    CachedKey cached = key == null ? null : apiKeys.get(key.trim());
    return cached != null && System.currentTimeMillis() - cached.at() < API_KEY_CACHE_MS;
  }

  private Future<Principal> verifyApiKey(String key) {
    String k = key.trim();
    CachedKey cached = apiKeys.get(k);
    if (cached != null && System.currentTimeMillis() - cached.at() < API_KEY_CACHE_MS) {
      return Future.succeededFuture(cached.principal());
    }
    Long refusedAt = refusedApiKeys.get(k);
    if (refusedAt != null && System.currentTimeMillis() - refusedAt < REFUSED_API_KEY_CACHE_MS) {
      return Future.failedFuture(BusFailure.unauthorized("API key is not valid"));
    }
    return bus.request(Security.VERIFY_API_KEY, new VerifyApiKey(k), Call.system())
        .recover(err -> {
          boolean refused = err instanceof BusFailure bf && (bf.code().status() == 400 || bf.code().status() == 401);
          if (refused) {
            // a key Security refused is refused here for a while without asking again
            if (refusedApiKeys.size() > MAX_REFUSED_API_KEYS) {
              refusedApiKeys.clear();
            }
            refusedApiKeys.put(k, System.currentTimeMillis());
          }
          return Future.failedFuture(refused ? BusFailure.unauthorized("API key is not valid") : err);
        })
        .onSuccess(p -> {
          if (apiKeys.size() > 10_000) {
            apiKeys.clear();
          }
          apiKeys.put(k, new CachedKey(p, System.currentTimeMillis()));
        });
  }
}
