package io.nexus.gateway;

import io.micrometer.core.instrument.MeterRegistry;
import io.nexus.contracts.Codec;
import io.nexus.contracts.Contracts;
import io.nexus.contracts.Done;
import io.nexus.contracts.Empty;
import io.nexus.contracts.ErrorCode;
import io.nexus.contracts.Role;
import io.nexus.contracts.gateway.Gateway;
import io.nexus.contracts.financial.Financial;
import io.nexus.contracts.vision.Vision;
import io.nexus.contracts.security.Security;
import io.nexus.contracts.security.Security.ParkedRef;
import io.nexus.contracts.system.SystemFeed;
import io.nexus.kernel.breaker.Breakers;
import io.nexus.kernel.bus.Bus;
import io.nexus.kernel.bus.BusFailure;
import io.nexus.kernel.bus.Call;
import io.nexus.kernel.db.Database;
import io.nexus.kernel.db.PgConfig;
import io.nexus.kernel.events.DurableSubscription;
import io.nexus.kernel.events.EventStore;
import io.nexus.kernel.discovery.Discovery;
import io.nexus.kernel.discovery.ServiceInstance;
import io.nexus.kernel.redis.RedisConfig;
import io.vertx.circuitbreaker.CircuitBreakerOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.Router;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.ext.web.handler.CorsHandler;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import io.vertx.ext.web.openapi.router.RequestExtractor;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.micrometer.PrometheusScrapingHandler;
import io.vertx.micrometer.backends.BackendRegistries;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.validation.ValidatorErrorType;
import io.vertx.openapi.validation.ValidatorException;
import io.vertx.redis.client.RedisAPI;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway: the HTTP API described by {@code openapi.yaml}, the SockJS bridge at
 * {@code /eventbus}, health at {@code /health/live} and {@code /health/ready}, Prometheus
 * metrics at {@code /metrics}, and the JWK set at {@code /.well-known/jwks.json}.
 */
public final class GatewayVerticle extends VerticleBase {
  /** The service name in {@code NEXUS_SERVICES}. */
  public static final String SERVICE = "gateway";
  private static final Logger LOG = LoggerFactory.getLogger(GatewayVerticle.class);
  private static final String OPENAPI = "openapi.yaml";
  private static final long HEALTH_CHECK_TIMEOUT_MS = 2000;
  private static final String VERSION = "1";
  private static final int FEED_POOL_SIZE = 4;
  private static final String UPLOAD_PATH = "/api/v1/ledgers/:ledgerId/imports/:importId/file";

  private Bus bus;
  private RedisAPI redis;
  private Database eventlog;
  private DurableSubscription feedSubscription;
  private Discovery discovery;
  private Breakers breakers;
  private ServiceRegistry registry;
  private HttpServer server;
  private ServiceInstance instance;
  private String servedDocument;
  private String servedJson;

  @Override
  public Future<?> start() {
    var cfg = GatewayConfig.from(config());
    var pg = PgConfig.from(config());
    var redisCfg = RedisConfig.from(config());
    MeterRegistry meters = BackendRegistries.getDefaultNow();
    bus = Bus.on(vertx, config(), cfg.requestTimeoutMs());
    redis = redisCfg.connect(vertx);
    eventlog = Database.connect(vertx, pg.withPoolSize(FEED_POOL_SIZE), EventStore.SCHEMA);
    var feed = new LiveFeed(vertx, new EventStore(eventlog.pool()));
    feedSubscription = new DurableSubscription(vertx, pg, eventlog.pool(), DurableSubscription.Options.of(LiveFeed.SUBSCRIPTION),
        feed::publish);
    discovery = new Discovery(vertx);
    breakers = new Breakers(vertx, "gateway", new CircuitBreakerOptions().setMaxFailures(cfg.breakerMaxFailures())
        .setResetTimeout(cfg.breakerResetMs()), meters);
    // service maps follow breaker changes at once; what changed is in GET /services, for signed-in users
    breakers.onChange((name, state) -> ServiceRegistry.serviceOfBreaker(name).filter(s -> bus.nodeId() != null)
        .ifPresent(service -> discovery.announce(SystemFeed.SystemEventType.BREAKER_CHANGED, bus.nodeId(), service)));
    registry = new ServiceRegistry(vertx, discovery, breakers);
    var auth = new Authenticator(vertx, bus, redis, cfg.issuer(), cfg.audience());
    var limits = new RateLimiter(redis, cfg.perPrincipalPerSecond(), cfg.perAddressPerSecond());
    var idempotency = new Idempotency(redis, cfg.idempotencyTtlSeconds(), 2 * cfg.slowestTimeoutMs() / 1000 + 5);
    var routes = new ApiRoutes(bus, cfg::timeoutMs, breakers, auth, registry, limits, idempotency,
        new ClientAddress(cfg.trustedProxies()), cfg.failedAuthPerMinute())
        .afterSuccess(Security.LOGOUT, (req, who) -> auth.sessionRevoked(who.session(),
            java.time.Instant.now().getEpochSecond() + cfg.accessTokenTtlSeconds()))
        .afterSuccess(Security.REVOKE_API_KEY, (ref, who) -> auth.apiKeyRevoked(ref.id()));
    var bridge = new EventBridge(auth, bus.seal(), meters);

    bus.subscribe(Security.SESSION_REVOKED, (ev, call) -> auth.sessionRevoked(ev.session(), ev.expiresAt()))
        .subscribe(Security.KEYS_ROTATED, (ev, call) -> auth.refreshKeys()
            .onFailure(err -> LOG.warn("could not refresh token keys after rotation [kid: {}]", ev.kid())))
        .subscribe(Security.API_KEY_INVALIDATED, (ev, call) -> auth.apiKeyRevoked(ev.id()))
        .handle(SystemFeed.WHOAMI, (e, call) -> Future.succeededFuture(call.requirePrincipal()))
        // reached only through Security's parked-event endpoints, after its operator check
        .handle(Gateway.RETRY_PARKED, (ref, call) -> parked(ref, call).retryParkedOrFail(ref.position()).map(Done.INSTANCE))
        .handle(Gateway.SKIP_PARKED, (ref, call) -> parked(ref, call).skipParkedOrFail(ref.position()).map(Done.INSTANCE));

    return bus.bind()
        // replays read and filter many log rows: on a worker, not on this event loop
        .compose(b -> vertx.deployVerticle(new FeedReplayVerticle(cfg.requestTimeoutMs()), new io.vertx.core.DeploymentOptions()
            .setThreadingModel(io.vertx.core.ThreadingModel.WORKER).setConfig(config())))
        .compose(id -> auth.loadKeys(cfg.keysWaitMs()))
        .compose(v -> registry.start())
        .compose(v -> feedSubscription.start(meters))
        .compose(v -> vertx.fileSystem().readFile(OPENAPI))
        .compose(yaml -> {
          JsonObject document = OpenApiMessages.resolve(Yaml.toJson(yaml.toString()));
          JsonObject served = ApiRoutes.served(document, localOperations(null, null, null));
          servedDocument = Yaml.fromJson(served);
          servedJson = served.encode();
          return OpenAPIContract.from(vertx, ApiRoutes.withoutSecurity(document));
        })
        .compose(contract -> {
          Router root = Router.router(vertx);
          root.route().handler(ApiRoutes::correlate).handler(rc -> securityHeaders(rc, cfg.tls()));
          if (!cfg.corsOrigins().isEmpty()) {
            root.route().handler(CorsHandler.create().addOrigins(cfg.corsOrigins())
                .allowedHeaders(Set.of("Authorization", "Content-Type", "Idempotency-Key", "If-Match", "X-API-Key",
                    ApiRoutes.CORRELATION_HEADER)));
          }
          root.get("/health/live").handler(rc -> rc.json(new JsonObject().put("status", "UP")));
          HealthChecks checks = readiness(pg);
          var ready = HealthCheckHandler.createWithHealthChecks(checks);
          root.get("/health/ready").handler(rc -> {
            if (opsAllowed(rc, cfg.opsToken())) {
              ready.handle(rc);
            } else {
              // without the operations token: the verdict, not what is behind it
              checks.checkStatus().onComplete(ar -> rc.response().setStatusCode(ar.succeeded() && ar.result().getUp() ? 200 : 503)
                  .putHeader("Content-Type", "application/json")
                  .end(new JsonObject().put("status", ar.succeeded() && ar.result().getUp() ? "UP" : "DOWN").encode()));
            }
          });
          var scrape = PrometheusScrapingHandler.create();
          root.get("/metrics").handler(rc -> {
            if (opsAllowed(rc, cfg.opsToken())) {
              scrape.handle(rc);
            } else {
              Problems.send(rc, ErrorCode.UNAUTHORIZED, "metrics need Authorization: Bearer <operations token>");
            }
          });
          root.get("/.well-known/jwks.json").handler(rc -> bus.request(Security.JWKS, Empty.INSTANCE, Call.system())
              .onSuccess(jwks -> rc.response().putHeader("Content-Type", "application/jwk-set+json")
                  .putHeader("Cache-Control", "max-age=60").end(Codec.toJson(jwks).encode()))
              .onFailure(err -> ApiRoutes.fail(rc, err)));
          // the document with every operation's least role and security taken from the endpoint constants
          root.get("/api/v1/openapi.yaml").handler(rc -> rc.response().putHeader("Content-Type", "application/yaml")
              .end(servedDocument));
          // the same as JSON, for the dashboard: the rules, states and features it lists come from here, not from a copy
          root.get("/api/v1/openapi.json").handler(rc -> rc.response().putHeader("Content-Type", "application/json")
              .putHeader("Cache-Control", "max-age=300").end(servedJson));
          var docs = new ApiDocs();
          root.get(ApiDocs.PATH).handler(docs::handle);
          root.route("/eventbus/*").subRouter(SockJSHandler.create(vertx).bridge(bridge.options(), bridge::handle));

          // streamed uploads go ahead of the body handler, which would hold the whole body
          var uploads = new Uploads(vertx, bus, cfg.uploadLimitMb() * 1024L * 1024L, cfg.timeoutMs("financial"));
          root.put(UPLOAD_PATH).handler(rc -> streamed(rc, routes, Financial.BEGIN_UPLOAD.leastRole(), uploads::handle));
          var documents = new DocumentRoutes(routes);
          root.post(DocumentRoutes.UPLOAD_PATH).handler(rc -> streamed(rc, routes, Vision.STORE_DOCUMENT.leastRole(),
              documents::upload));
          root.route("/api/*").handler(BodyHandler.create(false).setBodyLimit(cfg.bodyLimitBytes()));
          root.route("/api/*").handler(GatewayVerticle::literalQueryValues);
          RouterBuilder builder = RouterBuilder.create(vertx, contract, RequestExtractor.withBodyHandler());
          routes.bind(builder, localOperations(uploads, documents, new ReportRoutes(routes)));
          // the contract's paths are relative to its server URL's path, /api/v1
          root.route("/api/v1/*").subRouter(builder.createRouter());
          root.route("/api/*").handler(rc -> Problems.send(rc, ErrorCode.NOT_FOUND, "no such route: "
              + rc.request().method() + " " + rc.request().path()));
          // the dashboard: static files from the jar, its browser libraries from WebJars
          root.get("/webjars/*").handler(StaticHandler.create("META-INF/resources/webjars").setCachingEnabled(false));
          root.get("/*").handler(StaticHandler.create("webroot").setIndexPage("index.html").setCachingEnabled(false));
          root.route().failureHandler(GatewayVerticle::failure);

          var options = new HttpServerOptions().setHost(cfg.host()).setPort(cfg.port()).setCompressionSupported(true);
          if (cfg.tls()) {
            options.setSsl(true).setKeyCertOptions(new io.vertx.core.net.PemKeyCertOptions()
                .setCertPath(cfg.tlsCert()).setKeyPath(cfg.tlsKey()));
          }
          server = vertx.createHttpServer(options);
          return server.requestHandler(root).listen();
        })
        .compose(s -> ServiceInstance.announce(vertx, config(), SERVICE, VERSION, bus.addresses()))
        .onSuccess(i -> {
          instance = i;
          LOG.info("gateway listening [port: {}, timeoutMs: {}]", server.actualPort(), cfg.requestTimeoutMs());
        });
  }

  /**
   * The operations the gateway answers itself, with their least role: the services map for
   * anyone signed in, and the streamed routes (whose roles are their endpoints').
   */
  private Map<String, ApiRoutes.Local> localOperations(Uploads uploads, DocumentRoutes documents, ReportRoutes reports) {
    return Map.of("listServices", new ApiRoutes.Local(Role.VIEWER, rc -> rc.json(registry.describe())),
        // reached only when the streamed routes ahead of the router did not match (they always do)
        "uploadImportFile", new ApiRoutes.Local(Financial.BEGIN_UPLOAD.leastRole(), rc -> uploads.handle(rc)),
        "uploadDocument", new ApiRoutes.Local(Vision.STORE_DOCUMENT.leastRole(), rc -> documents.upload(rc)),
        "getDocumentContent", new ApiRoutes.Local(Vision.DOCUMENT_CONTENT.leastRole(), rc -> documents.content(rc)),
        "getReport", new ApiRoutes.Local(io.nexus.contracts.llm.Llm.GET_REPORT.leastRole(), rc -> reports.download(rc)));
  }

  /**
   * A route whose body is read by its handler, ahead of the body handler: paused until the caller
   * is authenticated. Whoever answers first (a refusal, an early final report), the rest of the
   * body is read and dropped: a client still sending must get to the end of its request to read
   * the answer.
   */
  private static void streamed(RoutingContext rc, ApiRoutes routes, Role role, Handler<RoutingContext> serve) {
    rc.request().pause();
    rc.addHeadersEndHandler(v -> {
      if (!rc.request().isEnded()) {
        rc.request().handler(b -> { }).resume();
      }
    });
    routes.guard(rc, true, role, serve);
  }

  /** The subscription a parked-event operation names: the live feed is this verticle's only one. */
  private DurableSubscription parked(ParkedRef ref, Call call) {
    call.requirePrincipal();
    if (!LiveFeed.SUBSCRIPTION.equals(ref.subscription())) {
      throw BusFailure.notFound("no subscription " + ref.subscription() + " in the gateway; known: " + LiveFeed.SUBSCRIPTION);
    }
    return feedSubscription;
  }

  private HealthChecks readiness(PgConfig pg) {
    HealthChecks checks = HealthChecks.create(vertx);
    checks.register("cluster", HEALTH_CHECK_TIMEOUT_MS, p -> {
      var cm = io.nexus.kernel.discovery.Membership.of(vertx);
      if (!cm.clustered()) {
        p.complete(Status.OK(new JsonObject().put("clustered", false)));
      } else {
        p.complete(cm.active() ? Status.OK(new JsonObject().put("node", cm.nodeId()).put("members", cm.members()))
            : Status.KO(new JsonObject().put("reason", "not a cluster member")));
      }
    });
    checks.register("postgres", HEALTH_CHECK_TIMEOUT_MS, p -> eventlog.pool().query("SELECT 1").execute()
        .onSuccess(r -> p.complete(Status.OK()))
        .onFailure(err -> p.complete(Status.KO(new JsonObject().put("reason", "unreachable")))));
    checks.register("redis", HEALTH_CHECK_TIMEOUT_MS, p -> redis.ping(List.of())
        .onSuccess(r -> p.complete(Status.OK()))
        .onFailure(err -> p.complete(Status.KO(new JsonObject().put("reason", "unreachable")))));
    for (String service : Contracts.services()) {
      checks.register("service-" + service, HEALTH_CHECK_TIMEOUT_MS, p -> {
        int n = registry.instances(service);
        p.complete(n > 0 ? Status.OK(new JsonObject().put("instances", n))
            : Status.KO(new JsonObject().put("reason", "no live instance")));
      });
    }
    return checks;
  }

  /**
   * The contract's validator URL-decodes query values a second time and reads one that is not a
   * plain word as JSON, so a value with a backslash, a double quote, a percent sign or a plus
   * ({@code ?text=a\}, {@code ?text=100%}) failed with 400 "can't be decoded" or changed. Such
   * values are handed to it as the JSON string they are, URL-encoded once more, so that any text
   * can be searched for; values of other types never contain these characters.
   */
  private static void literalQueryValues(RoutingContext rc) {
    var params = rc.request().params();
    for (String name : java.util.List.copyOf(params.names())) {
      var values = params.getAll(name);
      if (values.stream().anyMatch(GatewayVerticle::alteredByValidator)) {
        params.remove(name);
        values.forEach(v -> params.add(name, alteredByValidator(v) ? java.net.URLEncoder.encode(io.vertx.core.json.Json.encode(v),
            java.nio.charset.StandardCharsets.UTF_8) : v));
      }
    }
    rc.next();
  }

  private static boolean alteredByValidator(String v) {
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c == '\\' || c == '"' || c == '%' || c == '+') {
        return true;
      }
    }
    return false;
  }

  /** True when no operations token is configured, or the request carries it. */
  private static boolean opsAllowed(RoutingContext rc, String opsToken) {
    if (opsToken.isEmpty()) {
      return true;
    }
    String given = rc.request().getHeader("Authorization");
    return given != null && java.security.MessageDigest.isEqual(("Bearer " + opsToken).getBytes(
        java.nio.charset.StandardCharsets.UTF_8), given.trim().getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  private static void securityHeaders(RoutingContext rc, boolean tls) {
    if (tls) {
      rc.response().putHeader("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
    }
    rc.response()
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("X-Frame-Options", "DENY")
        .putHeader("Referrer-Policy", "no-referrer")
        // blob: images: the Documents view shows stored documents it fetched with the token
        .putHeader("Content-Security-Policy", "default-src 'self'; img-src 'self' blob:; frame-ancestors 'none'")
        .putHeader("Cache-Control", "no-store");
    rc.next();
  }

  /** Every failure that reached the router: a problem with the right status, never a stack trace. */
  private static void failure(RoutingContext rc) {
    Throwable err = rc.failure();
    int status = rc.statusCode();
    LOG.debug("request failure [path: {}, status: {}, failure: {}]", rc.request().path(), status, err == null ? null : err.getClass());
    for (Throwable t = err; t != null; t = t.getCause()) {
      if (t instanceof ValidatorException) {
        err = t;
        break;
      }
    }
    if (err instanceof ValidatorException ve) {
      ErrorCode code = ve.type() == ValidatorErrorType.UNSUPPORTED_VALUE_FORMAT ? ErrorCode.UNSUPPORTED_MEDIA_TYPE
          : ErrorCode.BAD_REQUEST;
      Problems.send(rc, code, ve.getMessage());
    } else if (err instanceof BusFailure bf) {
      Problems.send(rc, bf);
    } else if (status == 413) {
      Problems.send(rc, ErrorCode.PAYLOAD_TOO_LARGE, "request body is larger than the limit");
    } else if (status >= 400 && status < 500) {
      Problems.send(rc, ErrorCode.of(status), status == 404 ? "no such route" : "the request was not accepted");
    } else {
      LOG.error("request failed [path: {}, correlation: {}]", rc.request().path(), rc.get(ApiRoutes.CORRELATION_KEY), err);
      Problems.send(rc, ErrorCode.INTERNAL, "internal error; correlation id " + rc.get(ApiRoutes.CORRELATION_KEY));
    }
  }

  @Override
  public Future<?> stop() {
    if (registry != null) {
      registry.stop();
    }
    Future<Void> withdrawn = instance == null ? Future.succeededFuture() : instance.withdraw();
    // shutdown() stops accepting and lets in-flight requests finish before closing connections
    return withdrawn.compose(v -> server == null ? Future.succeededFuture() : server.shutdown())
        .compose(v -> bus.unbind()).eventually(() -> {
      discovery.close();
      breakers.close();
      redis.close();
      return feedSubscription.stop().eventually(() -> eventlog.close());
    });
  }
}
