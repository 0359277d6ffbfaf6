package io.nexus.gateway;

import io.nexus.contracts.Codec;
import io.nexus.contracts.Contracts;
import io.nexus.contracts.Done;
import io.nexus.contracts.Endpoint;
import io.nexus.contracts.ErrorCode;
import io.nexus.contracts.Principal;
import io.nexus.contracts.Role;
import io.nexus.kernel.breaker.Breakers;
import io.nexus.kernel.bus.Bus;
import io.nexus.kernel.bus.BusFailure;
import io.nexus.kernel.bus.Call;
import io.vertx.circuitbreaker.OpenCircuitException;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.OpenAPIRoute;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.ValidatedRequest;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Binds every operation of the OpenAPI document to its bus endpoint: authenticate, check the
 * role, build the request from the validated body and path, send it through the service's
 * breaker (retrying once, on another instance, when an idempotent request timed out) and
 * write the reply or a problem.
 */
final class ApiRoutes {
  static final String CORRELATION_KEY = "nexus.correlationId";
  static final String PRINCIPAL_KEY = "nexus.principal";
  static final String CORRELATION_HEADER = "X-Correlation-Id";
  private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9._:-]{1,100}");
  private static final String X_ENDPOINT = "x-nexus-endpoint";
  private static final String X_ROLE = "x-nexus-role";
  private static final String X_STREAM = "x-nexus-stream";
  private static final String X_STATUS = "x-nexus-status";
  private static final String X_CLIENT_IP = "x-nexus-client-ip";
  private static final String X_IF_MATCH = "x-nexus-if-match";
  private static final Pattern ETAG = Pattern.compile("(?:W/)?\"?(\\d{1,18})\"?");

  private final Bus bus;
  private final java.util.function.ToLongFunction<String> timeoutMs;
  private final Breakers breakers;
  private final Authenticator auth;
  private final ServiceRegistry registry;
  private final RateLimiter limits;
  private final Idempotency idempotency;
  private final Map<String, java.util.function.BiConsumer<Object, Principal>> afterSuccess = new java.util.HashMap<>();
  private final java.util.concurrent.atomic.AtomicInteger turn = new java.util.concurrent.atomic.AtomicInteger();
  private final ClientAddress clients;
  private final int failedAuthPerMinute;
  /** Per client address: failed authentications it may still make (refilled failedAuthPerMinute a minute). */
  private final Map<String, TokenBucket> authFailures = new java.util.concurrent.ConcurrentHashMap<>();
  private static final int MAX_TRACKED_ADDRESSES = 100_000;

  ApiRoutes(Bus bus, java.util.function.ToLongFunction<String> timeoutMs, Breakers breakers, Authenticator auth,
      ServiceRegistry registry, RateLimiter limits, Idempotency idempotency, ClientAddress clients, int failedAuthPerMinute) {
    this.clients = clients;
    this.failedAuthPerMinute = failedAuthPerMinute;
    this.limits = limits;
    this.idempotency = idempotency;
    this.bus = bus;
    this.timeoutMs = timeoutMs;
    this.breakers = breakers;
    this.auth = auth;
    this.registry = registry;
  }

  /**
   * Runs {@code hook} on this gateway as soon as {@code ep} succeeds, before the reply is
   * written: what a command changed for this gateway (a session ended, a key revoked) holds
   * for the very next request, without waiting for the event that tells the other gateways.
   */
  @SuppressWarnings("unchecked")
  <Q> ApiRoutes afterSuccess(Endpoint<Q, ?> ep, java.util.function.BiConsumer<Q, Principal> hook) {
    afterSuccess.put(ep.address(), (java.util.function.BiConsumer<Object, Principal>) hook);
    return this;
  }

  /**
   * The contract as the router should see it: the same document without its {@code security}
   * requirements, which this class enforces itself (the router's own security handlers would
   * need a vertx-auth provider per scheme).
   */
  static JsonObject withoutSecurity(JsonObject document) {
    JsonObject doc = document.copy();
    doc.remove("security");
    JsonObject paths = doc.getJsonObject("paths", new JsonObject());
    for (String p : paths.fieldNames()) {
      JsonObject path = paths.getJsonObject(p);
      for (String method : path.fieldNames()) {
        if (path.getValue(method) instanceof JsonObject op) {
          op.remove("security");
        }
      }
    }
    return doc;
  }

  /** An operation the gateway answers itself, and the least role it needs (null: anyone). */
  record Local(Role role, Handler<RoutingContext> handler) {}

  /**
   * The endpoint an operation is served by: {@code x-nexus-endpoint}, or for a streamed one
   * {@code x-nexus-stream} (the endpoint that opens the stream); empty for a local operation.
   * Fails when the document names an endpoint the contracts do not know, so the two cannot drift.
   */
  static java.util.Optional<Endpoint<?, ?>> endpointOf(String operationId, Map<String, Object> ext) {
    Object address = ext.containsKey(X_ENDPOINT) ? ext.get(X_ENDPOINT) : ext.get(X_STREAM);
    if (address == null) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(Contracts.endpoint((String) address).orElseThrow(() -> new IllegalStateException(
        "operation " + operationId + " names unknown endpoint " + address)));
  }

  /**
   * The document as it is served: every operation carries the least role of the endpoint behind
   * it ({@code x-nexus-role}) and, when anyone may call it, {@code security: []}. Neither is
   * written in {@code openapi.yaml}: both come from the endpoint constants (and, for the local
   * operations, from {@code local}).
   */
  static JsonObject served(JsonObject document, Map<String, Local> local) {
    JsonObject doc = document.copy();
    JsonObject paths = doc.getJsonObject("paths", new JsonObject());
    for (String p : paths.fieldNames()) {
      JsonObject path = paths.getJsonObject(p);
      for (String method : path.fieldNames()) {
        if (path.getValue(method) instanceof JsonObject op && op.containsKey("operationId")) {
          String id = op.getString("operationId");
          var endpoint = endpointOf(id, op.getMap());
          Local l = local.get(id);
          if (endpoint.isEmpty() && l == null) {
            throw new IllegalStateException("operation " + id + " has no " + X_ENDPOINT + " and no local handler");
          }
          Role role = endpoint.isPresent() ? endpoint.get().leastRole() : l.role();
          if (op.containsKey(X_ROLE) || op.containsKey("security")) {
            throw new IllegalStateException("operation " + id + " writes its role or security by hand; both come from "
                + "the endpoint constant");
          }
          if (role == null) {
            op.put("security", new io.vertx.core.json.JsonArray());
          } else {
            op.put(X_ROLE, role.wire());
          }
        }
      }
    }
    return doc;
  }

  /**
   * Adds handlers to every route of the served document (see {@link #served}): an operation is
   * public exactly when its endpoint is open; {@code local} serves operations answered by the
   * gateway itself.
   */
  void bind(RouterBuilder builder, Map<String, Local> local) {
    for (OpenAPIRoute route : builder.getRoutes()) {
      Operation op = route.getOperation();
      Map<String, Object> ext = op.getExtensions();
      var endpoint = endpointOf(op.getOperationId(), ext);
      Handler<RoutingContext> serve;
      Role role;
      if (endpoint.isEmpty() || ext.containsKey(X_STREAM)) {
        Local l = local.get(op.getOperationId());
        if (l == null) {
          throw new IllegalStateException("operation " + op.getOperationId() + " has no " + X_ENDPOINT + " and no local handler");
        }
        serve = l.handler();
        role = endpoint.isPresent() ? endpoint.get().leastRole() : l.role();
      } else {
        Endpoint<?, ?> ep = endpoint.get();
        int status = ext.containsKey(X_STATUS) ? ((Number) ext.get(X_STATUS)).intValue() : 200;
        boolean clientIp = Boolean.TRUE.equals(ext.get(X_CLIENT_IP));
        String ifMatchField = (String) ext.get(X_IF_MATCH);
        serve = rc -> forward(rc, ep, status, clientIp, ifMatchField);
        role = ep.leastRole();
      }
      Handler<RoutingContext> handler = serve;
      Role least = role;
      route.addHandler(rc -> guard(rc, least != null, least, handler));
    }
  }

  /**
   * Sets the correlation id, authenticates and checks the role, then serves. Before any token is
   * verified, an address that has failed to authenticate too often is refused (429) unless its
   * credential is one this gateway already verified: forged tokens cost a map lookup, not a
   * signature check.
   */
  void guard(RoutingContext rc, boolean secured, Role role, Handler<RoutingContext> serve) {
    String address = clients.address(rc);
    if (!secured) {
      limits.address(address).onSuccess(v -> serve.handle(rc)).onFailure(err -> fail(rc, err));
      return;
    }
    String authorization = rc.request().getHeader("Authorization");
    String apiKey = rc.request().getHeader("X-API-Key");
    TokenBucket failures = failedAuth(address);
    if (!failures.available() && !auth.alreadyVerified(authorization, apiKey)) {
      Problems.send(rc, new BusFailure(ErrorCode.TOO_MANY_REQUESTS, "too many failed authentications from this address; "
          + "credentials are not checked until it cools down", Math.max(1, failures.secondsToNext())));
      return;
    }
    auth.authenticate(authorization, apiKey, p -> limits.principal(p.subject()))
        .onFailure(err -> {
          if (err instanceof BusFailure bf && bf.code() == ErrorCode.UNAUTHORIZED) {
            failures.take();
          }
        })
        .onSuccess(p -> {
          if (!p.may(role)) {
            Problems.send(rc, ErrorCode.FORBIDDEN, "requires role " + role.wire() + " or higher; you are " + p.role());
            return;
          }
          rc.put(PRINCIPAL_KEY, p);
          serve.handle(rc);
        })
        .onFailure(err -> fail(rc, err));
  }

  private TokenBucket failedAuth(String address) {
    if (authFailures.size() > MAX_TRACKED_ADDRESSES) {
      authFailures.clear();
    }
    return authFailures.computeIfAbsent(address, a -> new TokenBucket(failedAuthPerMinute / 60.0, failedAuthPerMinute));
  }

  /** Stamps a correlation id on the request and the response: the client's if sane, else a new one. */
  static void correlate(RoutingContext rc) {
    String given = rc.request().getHeader(CORRELATION_HEADER);
    String id = given != null && SAFE_ID.matcher(given).matches() ? given : UUID.randomUUID().toString();
    rc.put(CORRELATION_KEY, id);
    rc.response().putHeader(CORRELATION_HEADER, id);
    rc.next();
  }

  private <Q, R> void forward(RoutingContext rc, Endpoint<Q, R> ep, int status, boolean clientIp, String ifMatchField) {
    Principal p = rc.get(PRINCIPAL_KEY);
    Future<Outcome> outcome = idempotency.applies(rc)
        ? idempotency.around(rc, p, () -> outcome(rc, ep, status, clientIp, ifMatchField))
        : outcome(rc, ep, status, clientIp, ifMatchField);
    outcome.onSuccess(o -> o.write(rc)).onFailure(err -> fail(rc, err));
  }

  /** Runs the operation and turns its reply or failure into the response it deserves. */
  private <Q, R> Future<Outcome> outcome(RoutingContext rc, Endpoint<Q, R> ep, int status, boolean clientIp,
      String ifMatchField) {
    String service = ep.service();
    if (!registry.hasInstance(service)) {
      return Future.succeededFuture(Problems.of(rc, ErrorCode.UNAVAILABLE, "no instance of " + service + " is running", 1L,
          null));
    }
    JsonObject body = requestBody(rc);
    if (ifMatchField != null) {
      String ifMatch = rc.request().getHeader("If-Match");
      if (ifMatch == null) {
        return Future.succeededFuture(Problems.of(rc, ErrorCode.PRECONDITION_REQUIRED,
            "send If-Match with the ETag you last read", null, null));
      }
      if (!ifMatch.trim().equals("*")) {
        var m = ETAG.matcher(ifMatch.trim());
        if (!m.matches()) {
          return Future.succeededFuture(Problems.of(rc, ErrorCode.BAD_REQUEST,
              "If-Match must be an ETag such as \"3\", got " + ifMatch, null, null));
        }
        body.put(ifMatchField, Long.parseLong(m.group(1)));
      }
    }
    if (clientIp) {
      body.put("clientIp", clients.address(rc));
    }
    // the request enters the mesh here: checked whole against its schema (in this JVM the service takes the record as is)
    var violation = io.nexus.contracts.Schemas.violation(ep.request(), body);
    if (violation.isPresent()) {
      return Future.succeededFuture(Problems.of(rc, ErrorCode.BAD_REQUEST, violation.get(), null, null));
    }
    Q request;
    try {
      request = Codec.fromJson(body, ep.request());
    } catch (IllegalArgumentException e) {
      return Future.succeededFuture(Problems.of(rc, ErrorCode.BAD_REQUEST, "body does not fit the operation", null, null));
    }
    Principal p = rc.get(PRINCIPAL_KEY);
    Call call = Call.edge(rc.get(CORRELATION_KEY), rc.request().getHeader("traceparent"), p)
        .withIdempotencyKey(idempotency.scopedKey(rc, p));
    return send(ep, request, call, true, java.util.Set.of())
        .map(reply -> {
          var hook = afterSuccess.get(ep.address());
          if (hook != null) {
            hook.accept(request, p);
          }
          var headers = new java.util.LinkedHashMap<String, String>();
          if (reply instanceof Done) {
            return new Outcome(204, headers, null);
          }
          JsonObject json = Codec.toJson(reply);
          if (json.getValue("version") instanceof Number v) {
            headers.put("ETag", "\"" + v.longValue() + "\"");
          }
          headers.put("Content-Type", "application/json");
          return new Outcome(status, headers, json.encode(), reply instanceof io.nexus.contracts.CarriesSecret);
        })
        .recover(err -> Future.succeededFuture(outcomeOf(rc, err)));
  }

  /**
   * Sends to one instance of the service, chosen in turn among those whose breaker is not open
   * (one breaker per instance: a failing instance is left alone while its siblings serve).
   * A request that reached no handler goes to the next instance; so does an idempotent one
   * that timed out, once.
   */
  private <Q, R> Future<R> send(Endpoint<Q, R> ep, Q request, Call call, boolean mayRetry, java.util.Set<String> tried) {
    String service = ep.service();
    List<String> nodes = registry.nodes(service);
    var candidates = nodes.stream().filter(n -> !tried.contains(n)
        && breakers.state(ServiceRegistry.breakerName(service, n)) != io.vertx.circuitbreaker.CircuitBreakerState.OPEN).toList();
    if (candidates.isEmpty()) {
      return Future.failedFuture(nodes.isEmpty() || !tried.isEmpty() && tried.containsAll(nodes)
          ? new BusFailure(ErrorCode.UNAVAILABLE, "no instance of " + service + " could take the request", 1L)
          : BusFailure.unavailable("every instance of " + service + " is failing; their circuit breakers are open", 5));
    }
    String node = candidates.get(Math.floorMod(turn.getAndIncrement(), candidates.size()));
    var next = new java.util.HashSet<>(tried);
    next.add(node);
    return breakers.of(ServiceRegistry.breakerName(service, node)).<R>execute(p -> bus.request(ep, request, call,
            timeoutMs.applyAsLong(service), node).onComplete(p))
        .recover(err -> {
          if (err instanceof OpenCircuitException) {
            return send(ep, request, call, mayRetry, next); // it opened (or is half-open and busy): another instance
          }
          if (err instanceof BusFailure bf && (bf.isUndelivered() || mayRetry && ep.idempotent() && bf.isTimeout())) {
            return send(ep, request, bf.isUndelivered() ? call : call.next(), mayRetry && bf.isUndelivered(), next);
          }
          return Future.failedFuture(err);
        });
  }

  /**
   * Sends a request the gateway built itself (a multipart upload, a binary read) the way the
   * JSON routes send theirs: to a live instance, through its breaker, as the authenticated caller.
   */
  <Q, R> Future<R> call(RoutingContext rc, Endpoint<Q, R> ep, Q request) {
    if (!registry.hasInstance(ep.service())) {
      return Future.failedFuture(new BusFailure(ErrorCode.UNAVAILABLE, "no instance of " + ep.service() + " is running", 1L));
    }
    Principal p = rc.get(PRINCIPAL_KEY);
    Call call = Call.edge(rc.get(CORRELATION_KEY), rc.request().getHeader("traceparent"), p);
    return send(ep, request, call, true, java.util.Set.of());
  }

  /** The validated body merged with the path parameters. */
  private static JsonObject requestBody(RoutingContext rc) {
    ValidatedRequest vr = rc.get(RouterBuilder.KEY_META_DATA_VALIDATED_REQUEST);
    JsonObject body = new JsonObject();
    if (vr != null) {
      RequestParameter b = vr.getBody();
      if (b != null && !b.isNull() && !b.isEmpty() && b.get() instanceof JsonObject json) {
        body = json.copy();
      }
      for (var e : vr.getQuery().entrySet()) {
        if (e.getValue() != null && !e.getValue().isNull()) {
          body.put(e.getKey(), e.getValue().get());
        }
      }
      for (var e : vr.getPathParameters().entrySet()) {
        body.put(e.getKey(), e.getValue().get());
      }
    }
    return body;
  }

  /** Maps any failure to a problem; breaker states and internal errors never expose internals. */
  static void fail(RoutingContext rc, Throwable err) {
    outcomeOf(rc, err).write(rc);
  }

  static Outcome outcomeOf(RoutingContext rc, Throwable err) {
    if (err instanceof BusFailure bf) {
      return Problems.of(rc, bf);
    }
    if (err instanceof OpenCircuitException) {
      return Problems.of(rc, ErrorCode.UNAVAILABLE, "the service is failing; its circuit breaker is open", 5L, null);
    }
    return Problems.of(rc, ErrorCode.INTERNAL, "internal error; correlation id " + rc.get(CORRELATION_KEY), null, null);
  }
}
