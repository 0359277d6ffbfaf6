package io.nexus.security;

import io.nexus.contracts.Empty;
import io.nexus.contracts.Principal;
import io.nexus.contracts.Role;
import io.nexus.contracts.security.Security.ChangeRole;
import io.nexus.contracts.security.Security.CreateOrg;
import io.nexus.contracts.security.Security.CreateUser;
import io.nexus.contracts.security.Security.OrgCreated;
import io.nexus.contracts.security.Security.UpdateUser;
import io.nexus.contracts.security.Security.UserList;
import io.nexus.contracts.security.Security.UserRef;
import io.nexus.contracts.security.Security.UserView;
import io.nexus.kernel.bus.BusFailure;
import io.nexus.kernel.bus.Call;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgException;
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
  private static final String UNIQUE_VIOLATION = "23505";
  private static final long BOOTSTRAP_LOCK = 0x4E5853_424F4FL;
  private static final int GENERATED_PASSWORD_BYTES = 18;
  static final String USER_COLUMNS = "id, org_id, email, name, role, created_at";

  private final Vertx vertx;
  private final Pool pool;
  private final PasswordHasher hasher;

  Accounts(Vertx vertx, Pool pool, PasswordHasher hasher) {
    this.vertx = vertx;
    this.pool = pool;
    this.hasher = hasher;
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
              return conn.preparedQuery("INSERT INTO orgs (id, name, operator) VALUES ($1, $2, true)").execute(Tuple.of(org, orgName))
                  .compose(v -> conn.preparedQuery("INSERT INTO users (id, org_id, email, name, role, password_hash) "
                          + "VALUES ($1, $2, $3, $4, 'admin', $5)")
                      .execute(Tuple.of(UUID.randomUUID(), org, email, "Administrator", phc)))
                  .map(v -> {
                    LOG.info("bootstrap admin created [email: {}, org: {}]", email, orgName);
                    return configuredPassword.isEmpty() ? Optional.of(password) : Optional.<String>empty();
                  });
            })));
  }

  Future<OrgCreated> createOrg(CreateOrg req, Call call) {
    Principal p = call.require(Role.ADMIN);
    UUID org = UUID.randomUUID();
    UUID admin = UUID.randomUUID();
    return pool.preparedQuery("SELECT operator FROM orgs WHERE id = $1").execute(Tuple.of(UUID.fromString(p.org())))
        .compose(rows -> rows.size() == 1 && Boolean.TRUE.equals(rows.iterator().next().getBoolean(0))
            ? hash(req.adminPassword())
            : Future.failedFuture(BusFailure.forbidden("only admins of the operator organisation create organisations")))
        .compose(phc -> pool.withTransaction(conn -> conn.preparedQuery("INSERT INTO orgs (id, name) VALUES ($1, $2)")
            .execute(Tuple.of(org, req.name().trim()))
            .compose(v -> conn.preparedQuery("INSERT INTO users (id, org_id, email, name, role, password_hash) "
                    + "VALUES ($1, $2, $3, $4, 'admin', $5) RETURNING " + USER_COLUMNS)
                .execute(Tuple.of(admin, org, req.adminEmail().trim(), req.adminName(), phc)))))
        .map(rows -> new OrgCreated(org.toString(), req.name().trim(), view(rows.iterator().next())))
        .recover(err -> Future.failedFuture(err instanceof PgException pe && UNIQUE_VIOLATION.equals(pe.getSqlState())
            ? BusFailure.conflict("an organisation named " + req.name() + " or a user " + req.adminEmail() + " already exists")
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
    Principal p = call.require(Role.ADMIN);
    Role.parse(req.role());
    return hash(req.password()).compose(phc -> pool.preparedQuery(
            "INSERT INTO users (id, org_id, email, name, role, password_hash) VALUES ($1, $2, $3, $4, $5, $6) "
                + "RETURNING " + USER_COLUMNS)
        .execute(Tuple.of(UUID.randomUUID(), UUID.fromString(p.org()), req.email().trim(), req.name(), req.role(), phc)))
        .map(rows -> view(rows.iterator().next()))
        .recover(err -> Future.failedFuture(err instanceof PgException pe && UNIQUE_VIOLATION.equals(pe.getSqlState())
            ? BusFailure.conflict("a user with email " + req.email() + " already exists") : err));
  }

  Future<UserView> get(UserRef ref, Call call) {
    Principal p = call.requirePrincipal();
    if (!p.may(Role.ADMIN) && !p.subject().equals(ref.id())) {
      // only admins look at other members; to anyone else they are not there
      throw BusFailure.notFound("no user " + ref.id());
    }
    return find(p.org(), ref.id()).map(u -> u.orElseThrow(() -> BusFailure.notFound("no user " + ref.id())));
  }

  Future<UserList> list(Empty req, Call call) {
    Principal p = call.require(Role.ADMIN);
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
    return newHash.compose(h -> pool.preparedQuery("UPDATE users SET name = coalesce($3, name), "
            + "password_hash = coalesce($4, password_hash), updated_at = now() WHERE org_id = $1 AND id = $2 "
            + "RETURNING " + USER_COLUMNS)
        .execute(Tuple.of(UUID.fromString(p.org()), uuidOrNull(req.id()), req.name(), h.orElse(null))))
        .map(rows -> {
          if (rows.rowCount() == 0) {
            throw BusFailure.notFound("no user " + req.id());
          }
          return view(rows.iterator().next());
        });
  }

  Future<UserView> changeRole(ChangeRole req, Call call) {
    Principal p = call.require(Role.ADMIN);
    Role.parse(req.role());
    if (p.subject().equals(req.id())) {
      throw BusFailure.forbidden("an admin cannot change their own role");
    }
    return pool.preparedQuery("UPDATE users SET role = $3, updated_at = now() WHERE org_id = $1 AND id = $2 RETURNING "
            + USER_COLUMNS)
        .execute(Tuple.of(UUID.fromString(p.org()), uuidOrNull(req.id()), req.role()))
        .map(rows -> {
          if (rows.rowCount() == 0) {
            throw BusFailure.notFound("no user " + req.id());
          }
          return view(rows.iterator().next());
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

  private Future<Void> checkCurrentPassword(Principal p, String id, String current) {
    return pool.preparedQuery("SELECT password_hash FROM users WHERE org_id = $1 AND id = $2")
        .execute(Tuple.of(UUID.fromString(p.org()), uuidOrNull(id)))
        .compose(rows -> {
          String phc = rows.size() == 0 ? null : rows.iterator().next().getString(0);
          return vertx.executeBlocking(() -> hasher.verify(current, phc), false);
        })
        .compose(ok -> ok ? Future.succeededFuture()
            : Future.failedFuture(BusFailure.forbidden("currentPassword: does not match")));
  }

  private Future<String> hash(String password) {
    return vertx.executeBlocking(() -> hasher.hash(password), false);
  }

  static UserView view(Row r) {
    return new UserView(r.getUUID("id").toString(), r.getUUID("org_id").toString(), r.getString("email"),
        r.getString("name"), r.getString("role"), iso(r.getOffsetDateTime("created_at")));
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
