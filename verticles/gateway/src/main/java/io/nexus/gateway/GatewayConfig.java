package io.nexus.gateway;

import io.nexus.kernel.config.Conf;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;

/**
 * The gateway's settings.
 *
 * @param host address to listen on
 * @param port HTTP port
 * @param requestTimeoutMs how long a request waits for a service, unless it has its own
 * @param serviceTimeoutsMs per-service overrides of {@code requestTimeoutMs}
 * @param bodyLimitBytes largest request body (413 beyond)
 * @param corsOrigins origins allowed to call from browsers elsewhere; empty: no CORS
 * @param breakerMaxFailures failures in a row that open a service's breaker
 * @param breakerResetMs how long a breaker stays open before trying again
 * @param keysWaitMs how long to wait at start for the Security service's keys
 * @param issuer expected {@code iss} of access tokens
 * @param audience expected {@code aud} of access tokens
 * @param perPrincipalPerSecond requests a signed-in caller may make per second, cluster-wide
 * @param perAddressPerSecond requests an anonymous client address may make per second
 * @param idempotencyTtlSeconds how long an {@code Idempotency-Key} and its response are kept
 * @param uploadLimitMb largest streamed upload (import files), in MiB
 * @param accessTokenTtlSeconds the longest an access token lives: how long an ended session is remembered
 * @param trustedProxies addresses of proxies whose {@code X-Forwarded-For} is believed; none by default
 * @param failedAuthPerMinute failed authentications a client address may make per minute (burst: as many) before
 *     its unverified credentials are refused unchecked (429)
 * @param opsToken when set, {@code /metrics} and the details of {@code /health/ready} need {@code Authorization:
 *     Bearer <opsToken>}; {@code /health/live} stays open
 * @param tlsCert PEM certificate chain for HTTPS; empty: plain HTTP
 * @param tlsKey PEM private key for HTTPS
 */
public record GatewayConfig(String host, int port, int requestTimeoutMs, Map<String, Integer> serviceTimeoutsMs,
    int bodyLimitBytes, List<String> corsOrigins,
    int breakerMaxFailures, int breakerResetMs, int keysWaitMs, int perPrincipalPerSecond, int perAddressPerSecond, int idempotencyTtlSeconds, String issuer, String audience,
    int accessTokenTtlSeconds, int uploadLimitMb, java.util.Set<String> trustedProxies, int failedAuthPerMinute,
    String opsToken, String tlsCert, String tlsKey) {

  /** True when the listener speaks HTTPS. */
  public boolean tls() {
    return !tlsCert.isBlank();
  }

  private static final int MAX_TIMEOUT_MS = 120_000;
  private static final int MAX_BODY_BYTES = 512 * 1024 * 1024;

  /** The longest of the request timeouts, default and per service. */
  public int slowestTimeoutMs() {
    return Math.max(requestTimeoutMs, serviceTimeoutsMs.values().stream().mapToInt(Integer::intValue).max().orElse(0));
  }

  /** The timeout for requests to {@code service}. */
  public int timeoutMs(String service) {
    return serviceTimeoutsMs.getOrDefault(service, requestTimeoutMs);
  }

  private static Map<String, Integer> serviceTimeouts(Conf section) {
    var out = new java.util.HashMap<String, Integer>();
    for (String service : section.names()) {
      out.put(service, section.integer(service, 50, MAX_TIMEOUT_MS));
    }
    return Map.copyOf(out);
  }

  public static GatewayConfig from(JsonObject config) {
    Conf root = Conf.of(config);
    Conf http = root.section("http");
    Conf g = root.section("gateway");
    Conf breaker = g.section("breaker");
    Conf security = root.section("security");
    return new GatewayConfig(http.string("host", "0.0.0.0"), http.integer("port", 0, 65535),
        g.integer("requestTimeoutMs", 50, MAX_TIMEOUT_MS), serviceTimeouts(g.section("serviceTimeoutsMs")),
        g.integer("bodyLimitBytes", 1024, MAX_BODY_BYTES),
        g.strings("corsOrigins"), breaker.integer("maxFailures", 1, 1000, 5),
        breaker.integer("resetTimeoutMs", 100, MAX_TIMEOUT_MS, 5000), g.integer("keysWaitMs", 0, 600_000, 30_000),
        g.section("rateLimit").integer("perPrincipalPerSecond", 1, 10_000_000),
        g.section("rateLimit").integer("perAddressPerSecond", 1, 10_000_000),
        g.integer("idempotencyTtlSeconds", 60, 30 * 86_400, 86_400),
        security.string("issuer"), security.string("audience"),
        security.integer("accessTokenTtlSeconds", 1, 86_400), g.integer("uploadLimitMb", 1, 1_048_576, 4096),
        java.util.Set.copyOf(g.strings("trustedProxies")), g.integer("failedAuthPerMinute", 1, 1_000_000, 30),
        g.string("opsToken", ""), tls(http, "tlsCert", "tlsKey"), tls(http, "tlsKey", "tlsCert"));
  }

  /** A TLS file setting: empty, or a readable file whose partner setting is set too. */
  private static String tls(Conf http, String name, String partner) {
    String path = http.string(name, "");
    if (path.isBlank()) {
      if (!http.string(partner, "").isBlank()) {
        throw new io.nexus.kernel.config.ConfigException(http.key(name), "is needed with " + http.key(partner));
      }
      return "";
    }
    if (!java.nio.file.Files.isReadable(java.nio.file.Path.of(path))) {
      throw new io.nexus.kernel.config.ConfigException(http.key(name), "cannot read " + path);
    }
    return path;
  }
}
