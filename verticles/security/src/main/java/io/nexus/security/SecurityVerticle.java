package io.nexus.security;

import io.nexus.contracts.security.Security;
import io.nexus.contracts.security.Security.Jwks;
import io.nexus.contracts.security.Security.KeyRotated;
import io.nexus.kernel.bus.Bus;
import io.nexus.kernel.bus.Call;
import io.nexus.kernel.db.Database;
import io.nexus.kernel.db.PgConfig;
import io.nexus.kernel.discovery.ServiceInstance;
import io.nexus.kernel.events.DurableSubscription;
import io.nexus.kernel.events.EventStore;
import io.nexus.kernel.events.NewEvent;
import io.nexus.kernel.events.Projection;
import io.nexus.kernel.breaker.Breakers;
import io.nexus.kernel.cache.ReadCache;
import io.vertx.circuitbreaker.CircuitBreakerOptions;
import java.util.Map;
import io.vertx.micrometer.backends.BackendRegistries;
import java.util.List;
import io.nexus.kernel.redis.RedisConfig;
import io.nexus.kernel.secrets.ClusterSecrets;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.redis.client.RedisAPI;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Security: organisations, users, roles, API keys, login sessions and token signing keys. */
public final class SecurityVerticle extends VerticleBase {
  /** The service name in discovery and in {@code NEXUS_SERVICES}. */
  public static final String SERVICE = "security";
  private static final Logger LOG = LoggerFactory.getLogger(SecurityVerticle.class);
  private static final String VERSION = "1";
  private static final long INTERNAL_TIMEOUT_MS = 3000;
  private static final int CACHE_TTL_SECONDS = 60;
  private static final int REDIS_BREAKER_FAILURES = 3;
  private static final long REDIS_BREAKER_RESET_MS = 2000;

  private Database db;
  private RedisAPI redis;
  private Bus bus;
  private ServiceInstance instance;
  private DurableSubscription auditFeed;
  private Projection userActivity;
  private Breakers breakers;

  @Override
  public Future<?> start() {
    var cfg = SecurityConfig.from(config());
    var secrets = ClusterSecrets.open(java.nio.file.Path.of(config().getJsonObject("cluster").getString("secretsDir")));
    var pg = PgConfig.from(config());
    var redisCfg = RedisConfig.from(config());
    db = Database.connect(vertx, pg, "security");
    redis = redisCfg.connect(vertx);
    bus = Bus.on(vertx, config(), INTERNAL_TIMEOUT_MS);
    var hasher = new PasswordHasher(cfg.argon2());
    var keys = new SigningKeys(db.pool(), cfg.keyRetentionSeconds(), cfg.keyEncryptionKey() != null ? cfg.keyEncryptionKey()
        : secrets.key(ClusterSecrets.Purpose.KEY_ENCRYPTION));
    var events = new EventStore(db.pool());
    var meters = BackendRegistries.getDefaultNow();
    breakers = new Breakers(vertx, SERVICE, new CircuitBreakerOptions().setMaxFailures(REDIS_BREAKER_FAILURES)
        .setResetTimeout(REDIS_BREAKER_RESET_MS), meters);
    var cache = new ReadCache(redis, breakers.of("security-redis"), "security", CACHE_TTL_SECONDS, meters);
    var operators = new Operators(db.pool());
    var throttle = new LoginThrottle(redis, cfg.maxFailuresPerAccount(), cfg.maxFailuresPerIp(), cfg.loginWindowSeconds());
    var sessions = new Sessions(vertx, db.pool(), redis, bus, hasher, keys, throttle, cfg, events);
    var accounts = new Accounts(vertx, db.pool(), hasher, events, cache, operators, sessions, bus, throttle);
    var apiKeys = new ApiKeys(db.pool(), bus, events);
    var audit = new AuditTrail(db.pool(), operators, secrets.key(ClusterSecrets.Purpose.AUDIT_CHAIN));
    auditFeed = new DurableSubscription(vertx, pg, db.pool(), DurableSubscription.Options.of(AuditTrail.SUBSCRIPTION),
        audit::record);
    userActivity = new Projection(vertx, pg, db.pool(), UserActivityModel.NAME, "security", UserActivityModel.TABLE,
        UserActivityModel::apply);
    var activity = new UserActivityModel(db.pool());
    var operations = new Operations(db.pool(), bus, operators, Map.of(UserActivityModel.NAME, userActivity),
        Map.of(AuditTrail.SUBSCRIPTION, auditFeed, UserActivityModel.NAME, userActivity.subscription()));

    return db.migrate()
        .compose(v -> keys.init())
        .compose(v -> accounts.bootstrap(cfg.adminEmail(), cfg.adminPassword(), cfg.adminOrg()))
        .onSuccess(generated -> generated.ifPresent(pw -> handOver(cfg.adminEmail(), pw, secrets)))
        .compose(v -> bus
            .handle(Security.LOGIN, sessions::login)
            .handle(Security.REFRESH, sessions::refresh)
            .handle(Security.LOGOUT, sessions::logout)
            .handle(Security.JWKS, (e, call) -> Future.succeededFuture(new Jwks(keys.jwks())))
            .handle(Security.ROTATE_KEYS, (e, call) -> operators.require(call, "rotate the platform's signing keys")
                .compose(p -> rotate(keys, events, call)))
            .handle(Security.CREATE_ORG, accounts::createOrg)
            .handle(Security.ME, accounts::me)
            .handle(Security.CREATE_USER, accounts::create)
            .handle(Security.GET_USER, accounts::get)
            .handle(Security.LIST_USERS, accounts::list)
            .handle(Security.UPDATE_USER, accounts::update)
            .handle(Security.CHANGE_ROLE, accounts::changeRole)
            .handle(Security.REVERT_USER, accounts::revert)
            .handle(Security.DISABLE_USER, accounts::disable)
            .handle(Security.END_SESSIONS, accounts::endSessions)
            .handle(Security.QUERY_AUDIT, audit::query)
            .handle(Security.VERIFY_AUDIT, audit::verify)
            .handle(Security.USER_ACTIVITY, activity::list)
            .handle(Security.REBUILD_PROJECTION, operations::rebuild)
            .handle(Security.PROJECTION_STATUS, operations::status)
            .handle(Security.LIST_PARKED, operations::listParked)
            .handle(Security.RETRY_PARKED, operations::retryParked)
            .handle(Security.SKIP_PARKED, operations::skipParked)
            .handle(Security.CREATE_API_KEY, apiKeys::create)
            .handle(Security.LIST_API_KEYS, apiKeys::list)
            .handle(Security.REVOKE_API_KEY, apiKeys::revoke)
            .handle(Security.VERIFY_API_KEY, apiKeys::verify)
            // a user changed on another node: its cached view is stale here too
            .subscribe(Security.USER_UPDATED, (ev, call) -> accounts.forget(ev.entityId()))
            .subscribe(Security.ROLE_CHANGED, (ev, call) -> accounts.forget(ev.entityId()))
            // another instance rotated: sign with its new key from now on
            .subscribe(Security.KEYS_ROTATED, (ev, call) -> keys.reload()
                .onFailure(err -> LOG.error("could not reload signing keys [kid: {}]", ev.kid(), err)))
            .bind())
        .compose(b -> auditFeed.start(BackendRegistries.getDefaultNow()).map(b))
        .compose(b -> userActivity.start(BackendRegistries.getDefaultNow()).map(b))
        .compose(b -> ServiceInstance.announce(vertx, config(), SERVICE, VERSION, b.addresses()))
        .onSuccess(i -> {
          instance = i;
          LOG.info("security bound [endpoints: {}]", Security.ENDPOINTS.size());
        });
  }

  private Future<KeyRotated> rotate(SigningKeys keys, EventStore events, Call call) {
    return keys.rotate().compose(kid -> db.pool().withTransaction(tx -> events.append(tx, Security.SIGNING_KEY_ROTATED.stream(),
            EventStore.ANY, List.of(NewEvent.of(Security.SIGNING_KEY_ROTATED, new KeyRotated(kid))), call)).map(kid))
        .map(kid -> {
      var ev = new KeyRotated(kid);
      bus.publish(Security.KEYS_ROTATED, ev, call.next());
      LOG.info("signing key rotated [kid: {}, by: {}]", kid, call.principal().subject());
      return ev;
    });
  }

  @Override
  public Future<?> stop() {
    Future<Void> withdrawn = instance == null ? Future.succeededFuture() : instance.withdraw();
    return withdrawn
        .compose(v -> bus.unbind())
        .compose(v -> auditFeed == null ? Future.succeededFuture() : auditFeed.stop())
        .compose(v -> userActivity == null ? Future.succeededFuture() : userActivity.stop())
        .eventually(() -> {
          if (breakers != null) {
            breakers.close();
          }
          redis.close();
          return db.close();
        });
  }

  /**
   * Hands the generated one-time password to the operator without it landing in a log: written
   * to {@code bootstrap-admin.txt} (0600) in the cluster's secrets directory, and shown on the
   * console only when there is a terminal (a node whose output goes to a file has none).
   */
  private static void handOver(String email, String password, ClusterSecrets secrets) {
    var file = secrets.dir().resolve("bootstrap-admin.txt");
    try {
      java.nio.file.Files.writeString(file, "email: " + email + "\npassword: " + password + "\n");
      ClusterSecrets.privateFile(file);
    } catch (java.io.IOException e) {
      LOG.error("could not write the bootstrap admin's one-time password to {}: {}", file, e.getMessage());
    }
    if (System.console() != null) {
      System.console().printf("%n  NEXUS bootstrap admin (shown once; change it after logging in)%n    email:    %s%n"
          + "    password: %s%n%n", email, password);
    }
    System.out.println("NEXUS bootstrap admin " + email + " created; its one-time password is in " + file
        + " (readable by this user only): change it after logging in, then delete the file");
  }
}
