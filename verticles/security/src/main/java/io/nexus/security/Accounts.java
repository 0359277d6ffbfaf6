package io.nexus.security;

import io.nexus.contracts.security.Security.ApiKeyRevoked;
import io.nexus.contracts.security.Security.OrgFounded;
import io.nexus.contracts.security.Security.UserSessionsEnded;

import io.nexus.contracts.Empty;
import io.nexus.contracts.Principal;
import io.nexus.contracts.Role;
import io.nexus.contracts.security.Security.ChangeRole;
import io.nexus.contracts.security.Security.CreateOrg;
import io.nexus.contracts.security.Security.RevertUser;
import io.nexus.contracts.security.Security.CreateUser;
import io.nexus.contracts.security.Security.OrgCreated;
import io.nexus.contracts.security.Security.UpdateUser;
import io.nexus.contracts.security.Security.UserList;
import io.nexus.contracts.security.Security.UserRef;
import io.nexus.contracts.security.Security.UserView;
import io.nexus.contracts.security.Security;
import io.nexus.contracts.security.Security.ApiKeyRef;
import io.nexus.contracts.security.Security.SessionsEnded;
import io.nexus.contracts.security.Security.UserDisabled;
import io.nexus.contracts.security.Security.UserTarget;
import io.nexus.kernel.bus.Bus;
import io.nexus.kernel.db.SqlStates;
import io.nexus.kernel.bus.BusFailure;
import io.nexus.kernel.bus.Call;
import io.nexus.kernel.cache.ReadCache;
import io.nexus.kernel.events.EventStore;
import io.nexus.kernel.events.NewEvent;
import io.nexus.contracts.Codec;
import io.vertx.sqlclient.SqlConnection;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.security.SecureRandom;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Organisations and their members. Every read and write is scoped to the caller's
 * organisation: another organisation's user does not exist (404) for the caller.
 */
final class Accounts {
  private static final Logger LOG = LoggerFactory.getLogger(Accounts.class);
  private static final long BOOTSTRAP_LOCK = 0x4E5853_424F4FL;
  private static final int GENERATED_PASSWORD_BYTES = 18;
  static final String USER_COLUMNS = "id, org_id, email, name, role, created_at, version, disabled_at";
  /**
   * The one answer to an email that is taken, whether by a member of the caller's organisation or
   * of another: which of the two it is would tell a tenant about other tenants' members.
   */
  static final String EMAIL_TAKEN = "this email address cannot be used for a new user; choose another";
  private static final int TRANSIENT_ATTEMPTS = 5;

  private final Vertx vertx;
  private final Pool pool;
  private final PasswordHasher hasher;
  private final EventStore events;
  private final ReadCache cache;

  private final Operators operators;
  private final Sessions sessions;
  private final Bus bus;
  private final LoginThrottle throttle;

  Accounts(Vertx vertx, Pool pool, PasswordHasher hasher, EventStore events, ReadCache cache, Operators operators,
      Sessions sessions, Bus bus, LoginThrottle throttle) {
    this.throttle = throttle;
    this.operators = operators;
    this.sessions = sessions;
    this.bus = bus;
    this.vertx = vertx;
    this.pool = pool;
    this.hasher = hasher;
    this.events = events;
    this.cache = cache;
  }

  /** Drops a user's cached view (after a change commits here, or when another node's change is relayed). */
  Future<Void> forget(String userId) {
    return cache.invalidate("user:" + userId);
  }

  /** The current user, through the cache; another organisation's user is not there. */
  private Future<UserView> current(String org, String id) {
    return cache.get("user:" + id, json -> json.mapTo(UserView.class), Codec::toJson,
            () -> find(org, id).map(u -> u.orElseThrow(() -> BusFailure.notFound("no user " + id))))
        .map(u -> {
          if (!u.org().equals(org)) {
            throw BusFailure.notFound("no user " + id);
          }
          return u;
        });
  }

  /** Inserts a user (version 1) and appends its creation, in the caller's transaction. */
  private Future<UserView> insertUser(SqlConnection tx, UUID id, UUID org, String email, String name, Role role,
      String phc, Call call) {
    return tx.preparedQuery("INSERT INTO users (id, org_id, email, name, role, password_hash) VALUES ($1, $2, $3, $4, $5, $6) "
            + "RETURNING " + USER_COLUMNS)
        .execute(Tuple.of(id, org, email, name, role.wire(), phc))
        .compose(rows -> {
          UserView u = view(rows.iterator().next());
          return events.append(tx, UserEvents.stream(u.id()), EventStore.NO_STREAM, List.of(UserEvents.created(u)), call)
              .map(u);
        });
  }

  private Future<Void> orgCreated(SqlConnection tx, UUID org, String name, Call call) {
    return events.append(tx, Security.ORG_CREATED.stream(org), EventStore.NO_STREAM,
        List.of(NewEvent.of(Security.ORG_CREATED, new OrgFounded(org.toString(), name))), call).mapEmpty();
  }

  /**
   * Creates the organisation and its admin when no user exists yet. Returns the generated
   * password when one had to be made, so the node can print it once.
   */
  Future<Optional<String>> bootstrap(String email, String configuredPassword, String orgName) {
    String password = configuredPassword.isEmpty() ? generatePassword() : configuredPassword;
    return hash(password).compose(phc -> pool.withTransaction(conn ->
        conn.preparedQuery("SELECT pg_advisory_xact_lock($1)").execute(Tuple.of(BOOTSTRAP_LOCK))
            .compose(v -> conn.query("SELECT count(*) FROM users").execute())
            .compose(rows -> {
              if (rows.iterator().next().getLong(0) > 0) {
                return Future.succeededFuture(Optional.<String>empty());
              }
              UUID org = UUID.randomUUID();
              Call system = Call.system();
              return conn.preparedQuery("INSERT INTO orgs (id, name, operator) VALUES ($1, $2, true)").execute(Tuple.of(org, orgName))
                  .compose(v -> orgCreated(conn, org, orgName, system))
                  .compose(v -> insertUser(conn, UUID.randomUUID(), org, email, "Administrator", Role.ADMIN, phc, system))
                  .map(v -> {
                    LOG.info("bootstrap admin created [email: {}, org: {}]", email, orgName);
                    return configuredPassword.isEmpty() ? Optional.of(password) : Optional.<String>empty();
                  });
            })));
  }

  Future<OrgCreated> createOrg(CreateOrg req, Call call) {
    UUID org = UUID.randomUUID();
    UUID admin = UUID.randomUUID();
    return operators.require(call, "create organisations")
        .compose(p -> hash(req.adminPassword()))
        .compose(phc -> pool.withTransaction(conn -> conn.preparedQuery("INSERT INTO orgs (id, name) VALUES ($1, $2)")
            .execute(Tuple.of(org, req.name().trim()))
            .compose(v -> orgCreated(conn, org, req.name().trim(), call))
            .compose(v -> insertUser(conn, admin, org, req.adminEmail().trim(), req.adminName(), Role.ADMIN, phc, call))))
        .map(u -> new OrgCreated(org.toString(), req.name().trim(), u))
        .recover(err -> Future.failedFuture(SqlStates.uniqueViolation(err)
            ? BusFailure.conflict("an organisation named " + req.name() + " already exists, or " + EMAIL_TAKEN)
            : err));
  }

  Future<UserView> me(Empty req, Call call) {
    Principal p = call.requirePrincipal();
    if (!p.human()) {
      throw BusFailure.notFound("an API key is not a user");
    }
    return find(p.org(), p.subject()).map(u -> u.orElseThrow(() -> BusFailure.unauthorized("user no longer exists")));
  }

  Future<UserView> create(CreateUser req, Call call) {
    Principal p = call.requirePrincipal();
    return hash(req.password()).compose(phc -> pool.withTransaction(tx -> insertUser(tx, UUID.randomUUID(),
            UUID.fromString(p.org()), req.email().trim(), req.name(), req.role(), phc, call)))
        .recover(err -> Future.failedFuture(SqlStates.uniqueViolation(err)
            ? BusFailure.conflict(EMAIL_TAKEN) : err));
  }

  Future<UserView> get(UserRef ref, Call call) {
    Principal p = call.requirePrincipal();
    if (!p.may(Role.ADMIN) && !p.subject().equals(ref.id())) {
      // only admins look at other members; to anyone else they are not there
      throw BusFailure.notFound("no user " + ref.id());
    }
    if (uuidOrNull(ref.id()) == null) {
      throw BusFailure.notFound("no user " + ref.id());
    }
    Future<UserView> now = current(p.org(), ref.id());
    if (ref.asOf() == null || ref.asOf().isBlank()) {
      return now;
    }
    Long version;
    Instant at;
    if (ref.asOf().matches("\\d{1,18}")) {
      version = Long.parseLong(ref.asOf());
      at = null;
    } else {
      version = null;
      try {
        at = Instant.parse(ref.asOf());
      } catch (DateTimeParseException e) {
        throw BusFailure.badRequest("asOf: expected a version number or an ISO-8601 instant, got '" + ref.asOf() + "'");
      }
    }
    // the current row settles org scoping; the past comes from the stream
    return now.compose(u -> events.readStream(UserEvents.stream(u.id()), 1, Long.MAX_VALUE))
        .map(history -> {
          UserView then = UserEvents.fold(history, version, at);
          if (then == null) {
            throw BusFailure.notFound("user " + ref.id() + " did not exist at " + ref.asOf());
          }
          return then;
        });
  }

  Future<UserList> list(Empty req, Call call) {
    Principal p = call.requirePrincipal();
    return pool.preparedQuery("SELECT " + USER_COLUMNS + " FROM users WHERE org_id = $1 ORDER BY created_at, email")
        .execute(Tuple.of(UUID.fromString(p.org())))
        .map(rows -> {
          var out = new java.util.ArrayList<UserView>();
          rows.forEach(r -> out.add(view(r)));
          return new UserList(out);
        });
  }

  Future<UserView> update(UpdateUser req, Call call) {
    Principal p = call.requirePrincipal();
    boolean self = p.subject().equals(req.id());
    if (!self && !p.may(Role.ADMIN)) {
      throw BusFailure.notFound("no user " + req.id());
    }
    if (req.name() == null && req.password() == null) {
      throw BusFailure.badRequest("nothing to change: give name or password");
    }
    Future<Optional<String>> newHash = Future.succeededFuture(Optional.empty());
    if (req.password() != null) {
      if (self && req.currentPassword() == null) {
        throw BusFailure.badRequest("currentPassword: required to change your own password");
      }
      newHash = (self ? checkCurrentPassword(p, req.id(), req.currentPassword()) : Future.<Void>succeededFuture())
          .compose(v -> hash(req.password())).map(Optional::of);
    }
    return newHash.compose(h -> change(p, req.id(), req.expectedVersion(), call, (tx, current) ->
        tx.preparedQuery("UPDATE users SET name = coalesce($3, name), password_hash = coalesce($4, password_hash), "
                + "version = version + 1, updated_at = now() WHERE org_id = $1 AND id = $2 RETURNING " + USER_COLUMNS)
            .execute(Tuple.of(UUID.fromString(p.org()), UUID.fromString(current.id()),
                req.name(), h.orElse(null)))
            .map(rows -> new Change(view(rows.iterator().next()),
                List.of(UserEvents.updated(req.name(), h.isPresent(), null)), h.isPresent()))));
  }

  Future<UserView> changeRole(ChangeRole req, Call call) {
    Principal p = call.requirePrincipal();
    if (p.subject().equals(req.id())) {
      throw BusFailure.forbidden("an admin cannot change their own role");
    }
    return change(p, req.id(), req.expectedVersion(), call, (tx, current) -> setRole(tx, p, current, req.role(), null));
  }

  Future<UserView> revert(RevertUser req, Call call) {
    Principal p = call.requirePrincipal();
    return change(p, req.id(), req.expectedVersion(), call, (tx, current) ->
        events.readStream(UserEvents.stream(current.id()), 1, req.version()).compose(history -> {
          UserView then = UserEvents.fold(history, req.version(), null);
          if (then == null || req.version() > current.version()) {
            return Future.failedFuture(BusFailure.notFound("user " + req.id() + " has no version " + req.version()));
          }
          if (!then.role().equals(current.role()) && p.subject().equals(current.id())) {
            return Future.failedFuture(BusFailure.forbidden("an admin cannot change their own role"));
          }
          var changes = new java.util.ArrayList<NewEvent>();
          Future<UserView> after = Future.succeededFuture(current);
          if (!then.name().equals(current.name())) {
            changes.add(UserEvents.updated(then.name(), false, req.version()));
          }
          if (!then.role().equals(current.role())) {
            changes.add(UserEvents.roleChanged(then.role(), current.role(), req.version()));
          }
          if (changes.isEmpty()) {
            return Future.succeededFuture(new Change(current, List.of()));
          }
          return tx.preparedQuery("UPDATE users SET name = $3, role = $4, version = version + $5, updated_at = now() "
                  + "WHERE org_id = $1 AND id = $2 RETURNING " + USER_COLUMNS)
              .execute(Tuple.of(UUID.fromString(p.org()), UUID.fromString(current.id()), then.name(), then.role().wire(),
                  changes.size()))
              .map(rows -> new Change(view(rows.iterator().next()), changes, !then.role().equals(current.role())));
        }));
  }

  private Future<Change> setRole(SqlConnection tx, Principal p, UserView current, Role role, Long revertedTo) {
    return tx.preparedQuery("UPDATE users SET role = $3, version = version + 1, updated_at = now() "
            + "WHERE org_id = $1 AND id = $2 RETURNING " + USER_COLUMNS)
        .execute(Tuple.of(UUID.fromString(p.org()), UUID.fromString(current.id()), role.wire()))
        .map(rows -> new Change(view(rows.iterator().next()), List.of(UserEvents.roleChanged(role, current.role(), revertedTo)),
            true));
  }

  /**
   * A change to a user: the row after it, the events that record it, and whether it ends the
   * user's sessions (a new password or role: tokens issued before must stop working).
   */
  private record Change(UserView after, List<NewEvent> events, boolean endsSessions) {
    Change(UserView after, List<NewEvent> events) {
      this(after, events, false);
    }
  }

  /** The user after a committed change, and the sessions it ended (announced after the commit). */
  private record Changed(UserView after, List<String> endedSessions) {}

  /**
   * Changes a user in one transaction: lock the row, check the caller's expected version (412
   * with the current user when stale), apply, append the events at the expected version.
   */
  private Future<UserView> change(Principal p, String id, Long expectedVersion, Call call,
      java.util.function.BiFunction<SqlConnection, UserView, Future<Change>> apply) {
    UUID uid = uuidOrNull(id);
    if (uid == null) {
      return Future.failedFuture(BusFailure.notFound("no user " + id));
    }
    return EventStore.retrying(TRANSIENT_ATTEMPTS, () -> pool.withTransaction(tx -> tx.preparedQuery("SELECT " + USER_COLUMNS
            + " FROM users WHERE org_id = $1 AND id = $2 FOR UPDATE").execute(Tuple.of(UUID.fromString(p.org()), uid))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.failedFuture(BusFailure.notFound("no user " + id));
          }
          UserView current = view(rows.iterator().next());
          if (expectedVersion != null && expectedVersion != current.version()) {
            return Future.failedFuture(BusFailure.stale("user " + id + " is at version " + current.version()
                + ", not " + expectedVersion + "; review the current state and retry", Codec.toJson(current)));
          }
          return apply.apply(tx, current).compose(c -> (c.events().isEmpty() ? Future.succeededFuture(c.after())
                  : events.append(tx, UserEvents.stream(id), current.version(), c.events(), call).map(c.after()))
              .compose(after -> c.endsSessions() ? sessions.endAll(tx, uid).map(ended -> new Changed(after, ended))
                  : Future.succeededFuture(new Changed(after, List.of()))));
        })))
        .compose(done -> sessions.announce(done.endedSessions()).compose(v -> forget(done.after().id())).map(done.after()));
  }

  /**
   * Disables a user: the row is marked, the stream records it, every session ends and the API
   * keys the user issued are revoked, all in one transaction; gateways hear of it after commit.
   */
  Future<UserDisabled> disable(UserTarget req, Call call) {
    Principal p = call.requirePrincipal();
    if (p.subject().equals(req.id())) {
      throw BusFailure.forbidden("an admin cannot disable themself");
    }
    UUID uid = uuidOrNull(req.id());
    if (uid == null) {
      throw BusFailure.notFound("no user " + req.id());
    }
    record Disabled(List<String> sessions, List<String> keys) {}
    return pool.withTransaction(tx -> tx.preparedQuery("SELECT version, disabled_at FROM users WHERE org_id = $1 AND id = $2 "
            + "FOR UPDATE").execute(Tuple.of(UUID.fromString(p.org()), uid))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.failedFuture(BusFailure.notFound("no user " + req.id()));
          }
          Row r = rows.iterator().next();
          Future<Void> marked = r.getValue("disabled_at") != null ? Future.succeededFuture()
              : tx.preparedQuery("UPDATE users SET disabled_at = now(), version = version + 1, updated_at = now() WHERE id = $1")
                  .execute(Tuple.of(uid))
                  .compose(v -> events.append(tx, UserEvents.stream(req.id()), r.getLong("version"),
                      List.of(UserEvents.disabled()), call))
                  .mapEmpty();
          return marked.compose(v -> sessions.endAll(tx, uid))
              .compose(ended -> tx.preparedQuery("UPDATE api_keys SET revoked_at = now() WHERE created_by = $1 "
                      + "AND revoked_at IS NULL RETURNING id").execute(Tuple.of(uid))
                  .compose(keys -> {
                    var ids = new java.util.ArrayList<String>();
                    keys.forEach(k -> ids.add(k.getUUID(0).toString()));
                    Future<Void> audited = Future.succeededFuture();
                    for (String k : ids) {
                      audited = audited.compose(x -> events.append(tx, Security.API_KEY_REVOKED.stream(k), EventStore.ANY,
                          List.of(NewEvent.of(Security.API_KEY_REVOKED, new ApiKeyRevoked(k, "creator disabled"))), call)
                          .mapEmpty());
                    }
                    return audited.map(x -> new Disabled(ended, ids));
                  }));
        }))
        .compose(d -> {
          d.keys().forEach(k -> bus.publish(Security.API_KEY_INVALIDATED, new ApiKeyRef(k), call.next()));
          return sessions.announce(d.sessions()).compose(v -> forget(req.id()))
              .map(v -> new UserDisabled(req.id(), d.sessions().size(), d.keys().size()));
        });
  }

  /** Ends every live session of a user of the caller's organisation (admin). */
  Future<SessionsEnded> endSessions(UserTarget req, Call call) {
    Principal p = call.requirePrincipal();
    return find(p.org(), req.id()).compose(u -> {
      if (u.isEmpty()) {
        return Future.failedFuture(BusFailure.notFound("no user " + req.id()));
      }
      UUID uid = UUID.fromString(u.get().id());
      return pool.withTransaction(tx -> sessions.endAll(tx, uid).compose(ended -> events.append(tx,
              Security.SESSIONS_ENDED_FOR_USER.stream(uid), EventStore.ANY, List.of(NewEvent.of(Security.SESSIONS_ENDED_FOR_USER,
                  new UserSessionsEnded(uid.toString(), ended.size()))), call)
              .map(ended)))
          .compose(ended -> sessions.announce(ended).map(new SessionsEnded(req.id(), ended.size())));
    });
  }

  /** The user of an organisation, if there. */
  Future<Optional<UserView>> find(String org, String id) {
    UUID uid = uuidOrNull(id);
    if (uid == null) {
      return Future.succeededFuture(Optional.empty());
    }
    return pool.preparedQuery("SELECT " + USER_COLUMNS + " FROM users WHERE org_id = $1 AND id = $2")
        .execute(Tuple.of(UUID.fromString(org), uid))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(view(rows.iterator().next())));
  }

  /** Checks the user's own current password, throttled like a login (the same per-account allowance). */
  private Future<Void> checkCurrentPassword(Principal p, String id, String current) {
    return pool.preparedQuery("SELECT email, password_hash FROM users WHERE org_id = $1 AND id = $2")
        .execute(Tuple.of(UUID.fromString(p.org()), uuidOrNull(id)))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.failedFuture(BusFailure.notFound("no user " + id));
          }
          String email = rows.iterator().next().getString("email");
          String phc = rows.iterator().next().getString("password_hash");
          return throttle.reserve(email, null)
              .compose(delay -> vertx.executeBlocking(() -> hasher.verify(current, phc), false))
              .compose(ok -> ok ? throttle.succeeded(email, null)
                  : Future.failedFuture(BusFailure.forbidden("currentPassword: does not match")));
        });
  }

  private Future<String> hash(String password) {
    return vertx.executeBlocking(() -> hasher.hash(password), false);
  }

  static UserView view(Row r) {
    return new UserView(r.getUUID("id").toString(), r.getUUID("org_id").toString(), r.getString("email"),
        r.getString("name"), Role.parse(r.getString("role")), iso(r.getOffsetDateTime("created_at")), r.getLong("version"),
        iso(r.getOffsetDateTime("disabled_at")));
  }

  static String iso(OffsetDateTime t) {
    return t == null ? null : t.format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
  }

  static UUID uuidOrNull(String id) {
    try {
      return id == null ? null : UUID.fromString(id);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static String generatePassword() {
    byte[] b = new byte[GENERATED_PASSWORD_BYTES];
    new SecureRandom().nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }
}
