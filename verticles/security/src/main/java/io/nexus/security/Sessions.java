package io.nexus.security;

import io.nexus.contracts.Role;
import io.nexus.contracts.security.Security.LoggedIn;
import io.nexus.contracts.security.Security.LoggedOut;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.nexus.contracts.Done;
import io.nexus.contracts.Empty;
import io.nexus.contracts.Principal;
import io.nexus.contracts.security.Security;
import io.nexus.contracts.security.Security.LoginRequest;
import io.nexus.contracts.security.Security.RefreshRequest;
import io.nexus.contracts.security.Security.SessionRevoked;
import io.nexus.contracts.security.Security.TokenPair;
import io.nexus.kernel.bus.Bus;
import io.nexus.kernel.bus.BusFailure;
import io.nexus.kernel.bus.Call;
import io.nexus.kernel.events.EventStore;
import io.nexus.kernel.events.NewEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.RedisAPI;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Login sessions: a password login opens one, each refresh replaces its refresh token, logout
 * ends it. Access tokens are ES256 JWTs naming the session ({@code sid}); ending a session is
 * announced on the bus and remembered in Redis so that every gateway refuses its tokens.
 */
final class Sessions {
  private static final Logger LOG = LoggerFactory.getLogger(Sessions.class);
  /** Redis key prefix of ended sessions; the gateway reads the same keys. */
  static final String REVOKED_PREFIX = "nexus:revoked-session:";
  private static final String BAD_CREDENTIALS = "email or password is wrong";
  private static final int REFRESH_TOKEN_BYTES = 32;
  private static final long REDIS_TIMEOUT_MS = 1000;

  private final Vertx vertx;
  private final Pool pool;
  private final RedisAPI redis;
  private final Bus bus;
  private final PasswordHasher hasher;
  private final SigningKeys keys;
  private final LoginThrottle throttle;
  private final SecurityConfig cfg;
  private final EventStore events;
  private final SecureRandom random = new SecureRandom();

  Sessions(Vertx vertx, Pool pool, RedisAPI redis, Bus bus, PasswordHasher hasher, SigningKeys keys,
      LoginThrottle throttle, SecurityConfig cfg, EventStore events) {
    this.events = events;
    this.vertx = vertx;
    this.pool = pool;
    this.redis = redis;
    this.bus = bus;
    this.hasher = hasher;
    this.keys = keys;
    this.throttle = throttle;
    this.cfg = cfg;
  }

  private record Account(UUID id, UUID org, Role role, String hash, boolean disabled) {}

  Future<TokenPair> login(LoginRequest req, Call call) {
    String email = req.email().trim();
    return throttle.reserve(email, req.clientIp())
        .compose(delay -> delay > 0 ? vertx.timer(delay).mapEmpty() : Future.succeededFuture())
        .compose(v -> pool.preparedQuery("SELECT id, org_id, role, password_hash, disabled_at FROM users "
                + "WHERE lower(email) = lower($1)")
            .execute(Tuple.of(email)))
        .compose(rows -> {
          Account a = rows.size() == 0 ? null : account(rows.iterator().next());
          // an unknown account is checked against a decoy hash: same time, same answer
          return vertx.executeBlocking(() -> hasher.verify(req.password(), a == null ? null : a.hash()), false)
              .compose(ok -> {
                if (!ok) {
                  return Future.<TokenPair>failedFuture(BusFailure.unauthorized(BAD_CREDENTIALS));
                }
                if (a.disabled()) {
                  // said only to whoever knows the password: the account exists but may not be used
                  return Future.failedFuture(BusFailure.forbidden("this account is disabled; ask an admin of your organisation"));
                }
                return throttle.succeeded(email, req.clientIp()).compose(x -> open(a, call, req.clientIp()));
              });
        });
  }

  /** What a refresh came to; failures are decided inside the transaction but raised after it commits. */
  private record Refreshed(TokenPair pair, BusFailure failure, String revokedSession) {
    static Refreshed refused(String why) {
      return new Refreshed(null, BusFailure.unauthorized(why), null);
    }
  }

  Future<TokenPair> refresh(RefreshRequest req, Call call) {
    byte[] hash = sha256(req.refreshToken());
    return pool.withTransaction(conn -> conn.preparedQuery(
            "SELECT t.session_id, t.used_at, t.expires_at, s.revoked_at, s.absolute_expires_at, u.id, u.org_id, u.role, "
                + "u.disabled_at "
                + "FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id JOIN users u ON u.id = s.user_id "
                + "WHERE t.token_hash = $1 FOR UPDATE OF t")
        .execute(Tuple.of(hash))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.succeededFuture(Refreshed.refused("refresh token is not valid"));
          }
          Row r = rows.iterator().next();
          UUID session = r.getUUID("session_id");
          if (r.getValue("revoked_at") != null) {
            return Future.succeededFuture(Refreshed.refused("session has ended"));
          }
          if (r.getValue("used_at") != null) {
            // a used refresh token presented again means it leaked: end the whole session
            LOG.warn("refresh token reused; session ended [session: {}]", session);
            return revoke(conn, session).map(v -> new Refreshed(null, BusFailure.unauthorized("session has ended"),
                session.toString()));
          }
          if (r.getValue("disabled_at") != null) {
            return Future.succeededFuture(Refreshed.refused("this account is disabled"));
          }
          Instant end = r.getOffsetDateTime("absolute_expires_at").toInstant();
          if (!end.isAfter(Instant.now())) {
            return Future.succeededFuture(Refreshed.refused("session reached its absolute lifetime; log in again"));
          }
          if (r.getOffsetDateTime("expires_at").toInstant().isBefore(Instant.now())) {
            return Future.succeededFuture(Refreshed.refused("refresh token has expired"));
          }
          Account a = new Account(r.getUUID("id"), r.getUUID("org_id"), Role.parse(r.getString("role")), null, false);
          return conn.preparedQuery("UPDATE refresh_tokens SET used_at = now() WHERE token_hash = $1").execute(Tuple.of(hash))
              .compose(v -> issue(conn, a, session, end))
              .map(pair -> new Refreshed(pair, null, null));
        }))
        .compose(out -> out.failure() == null ? Future.succeededFuture(out.pair())
            : announceRevoked(out.revokedSession()).compose(v -> Future.failedFuture(out.failure())));
  }

  Future<Done> logout(Empty req, Call call) {
    Principal p = call.requirePrincipal();
    if (p.session() == null) {
      throw BusFailure.badRequest("API keys have no session to end; revoke the key instead");
    }
    UUID session = UUID.fromString(p.session());
    return pool.withTransaction(conn -> revoke(conn, session)
            .compose(v -> events.append(conn, Security.LOGGED_OUT.stream(session), EventStore.ANY,
                List.of(NewEvent.of(Security.LOGGED_OUT, new LoggedOut(p.subject()))), call)))
        .compose(v -> announceRevoked(p.session()))
        .map(Done.INSTANCE);
  }

  private Future<TokenPair> open(Account a, Call call, String clientIp) {
    UUID session = UUID.randomUUID();
    Instant end = Instant.now().plusSeconds(cfg.sessionLifetimeSeconds());
    Instant expires = earlier(Instant.now().plusSeconds(cfg.refreshTokenTtlSeconds()), end);
    // the session is audited as the user who opened it
    Call asUser = call.as(new Principal(a.id().toString(), a.org().toString(), a.role(), session.toString()));
    return pool.withTransaction(conn -> conn.preparedQuery(
            "INSERT INTO sessions (id, user_id, expires_at, absolute_expires_at) VALUES ($1, $2, $3, $4)")
        .execute(Tuple.of(session, a.id(), OffsetDateTime.ofInstant(expires, ZoneOffset.UTC),
            OffsetDateTime.ofInstant(end, ZoneOffset.UTC)))
        .compose(v -> events.append(conn, Security.LOGGED_IN.stream(session), EventStore.NO_STREAM,
            List.of(NewEvent.of(Security.LOGGED_IN, new LoggedIn(a.id().toString(), clientIp))), asUser))
        .compose(v -> issue(conn, a, session, end)));
  }

  /** A new access token and refresh token for a session; neither outlives the session's absolute {@code end}. */
  private Future<TokenPair> issue(SqlConnection conn, Account a, UUID session, Instant end) {
    byte[] raw = new byte[REFRESH_TOKEN_BYTES];
    random.nextBytes(raw);
    String refresh = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    Instant now = Instant.now();
    Instant expires = earlier(now.plusSeconds(cfg.refreshTokenTtlSeconds()), end);
    Instant accessEnd = earlier(now.plusSeconds(cfg.accessTokenTtlSeconds()), end);
    return conn.preparedQuery("INSERT INTO refresh_tokens (token_hash, session_id, expires_at) VALUES ($1, $2, $3)")
        .execute(Tuple.of(sha256(refresh), session, OffsetDateTime.ofInstant(expires, ZoneOffset.UTC)))
        .map(v -> new TokenPair(accessToken(a, session, accessEnd), refresh, "Bearer",
            Math.max(1, accessEnd.getEpochSecond() - now.getEpochSecond())));
  }

  private static Instant earlier(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }

  /**
   * Ends every live session of a user inside the caller's transaction (a password or role
   * change, a disabled account, an admin's order); returns their ids, for {@link #announce}
   * after the commit.
   */
  Future<List<String>> endAll(SqlConnection tx, UUID user) {
    return tx.preparedQuery("UPDATE sessions SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL "
            + "AND absolute_expires_at > now() RETURNING id")
        .execute(Tuple.of(user))
        .map(rows -> {
          var ids = new java.util.ArrayList<String>();
          rows.forEach(r -> ids.add(r.getUUID(0).toString()));
          return ids;
        });
  }

  /** Tells every gateway the sessions ended (see {@link #announceRevoked}). */
  Future<Void> announce(List<String> sessions) {
    return Future.all(sessions.stream().map(this::announceRevoked).toList()).mapEmpty();
  }

  private String accessToken(Account a, UUID session, Instant expiresAt) {
    Instant now = Instant.now();
    ECKey key = keys.active();
    var claims = new JWTClaimsSet.Builder()
        .issuer(cfg.issuer())
        .audience(cfg.audience())
        .subject(a.id().toString())
        .claim("org", a.org().toString())
        .claim("role", a.role().wire())
        .claim("sid", session.toString())
        .jwtID(UUID.randomUUID().toString())
        .issueTime(Date.from(now))
        .notBeforeTime(Date.from(now))
        .expirationTime(Date.from(expiresAt))
        .build();
    var jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID()).type(JOSEObjectType.JWT).build(),
        claims);
    try {
      jwt.sign(new ECDSASigner(key));
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot sign access token", e);
    }
    return jwt.serialize();
  }

  private Future<Void> revoke(SqlConnection conn, UUID session) {
    return conn.preparedQuery("UPDATE sessions SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1")
        .execute(Tuple.of(session)).mapEmpty();
  }

  /**
   * Tells every gateway the session's access tokens are dead: on the bus for those running now,
   * in Redis for those that start before the tokens expire.
   */
  private Future<Void> announceRevoked(String session) {
    if (session == null) {
      return Future.succeededFuture();
    }
    long expiresAt = Instant.now().getEpochSecond() + cfg.accessTokenTtlSeconds();
    bus.publish(Security.SESSION_REVOKED, new SessionRevoked(session, expiresAt), Call.system());
    return redis.set(List.of(REVOKED_PREFIX + session, "1", "EX", String.valueOf(cfg.accessTokenTtlSeconds())))
        .timeout(REDIS_TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .<Void>mapEmpty()
        .recover(err -> {
          LOG.warn("session revocation not stored in Redis; live gateways know it from the bus [session: {}]", session);
          return Future.succeededFuture();
        });
  }

  private static Account account(Row r) {
    return new Account(r.getUUID("id"), r.getUUID("org_id"), Role.parse(r.getString("role")), r.getString("password_hash"),
        r.getValue("disabled_at") != null);
  }

  static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
