package io.nexus.kernel.bus;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.nexus.contracts.Principal;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.micrometer.backends.BackendRegistries;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The principal as it travels on the bus: {@code v1.<payload>.<mac>}, the payload the JSON of
 * the {@link Principal} with an expiry, the MAC an HMAC-SHA256 under the cluster's principal key
 * (derived from the cluster secret every legitimate node holds). A service believes a principal
 * only when its seal opens here; a message whose principal is unsigned, tampered with, expired
 * or sealed under another key is refused (401) and counted
 * ({@code nexus_bus_refused_principals_total}), whoever sent it on the bus.
 *
 * <p>Sealing and opening are cached: a principal is sealed once per half lifetime, and a seal
 * seen before is opened by a map lookup.
 */
public final class PrincipalSeal {
  private static final String VERSION = "v1";
  /** How long a sealed principal is believed: longer than any request or upload chunk takes to arrive. */
  static final long LIFETIME_S = 600;
  private static final int MAX_CACHED = 20_000;
  private static final int KEY_BYTES = 32;
  private static final Map<Vertx, PrincipalSeal> INSTALLED = new WeakHashMap<>();
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private final SecretKeySpec key;
  private final Map<String, Opened> opened = new ConcurrentHashMap<>();
  private final Map<Principal, Opened> sealed = new ConcurrentHashMap<>();
  private final Counter refused;

  private record Opened(String seal, Principal principal, long expiresAt) {}

  private PrincipalSeal(byte[] key) {
    if (key.length < KEY_BYTES) {
      throw new IllegalArgumentException("the principal key must have at least " + KEY_BYTES + " bytes");
    }
    this.key = new SecretKeySpec(key.clone(), "HmacSHA256");
    MeterRegistry meters = BackendRegistries.getDefaultNow();
    this.refused = meters == null ? null : Counter.builder("nexus_bus_refused_principals")
        .description("bus messages refused because their principal was unsigned, forged or expired").register(meters);
  }

  /** Seals principals on this Vert.x instance with {@code key} (the cluster's principal key). */
  public static void install(Vertx vertx, byte[] key) {
    synchronized (INSTALLED) {
      INSTALLED.put(vertx, new PrincipalSeal(key));
    }
  }

  /**
   * The seal of this Vert.x instance. One that was never given the cluster's key gets a random
   * key of its own: it works within the JVM and no other node believes it (fail closed).
   */
  public static PrincipalSeal of(Vertx vertx) {
    synchronized (INSTALLED) {
      return INSTALLED.computeIfAbsent(vertx, v -> {
        byte[] k = new byte[KEY_BYTES];
        new SecureRandom().nextBytes(k);
        return new PrincipalSeal(k);
      });
    }
  }

  /** The header value that carries {@code p}. */
  public String seal(Principal p) {
    long now = Instant.now().getEpochSecond();
    Opened known = sealed.get(p);
    if (known != null && known.expiresAt() - now > LIFETIME_S / 2) {
      return known.seal();
    }
    long exp = now + LIFETIME_S;
    JsonObject payload = JsonObject.mapFrom(p).put("exp", exp);
    String body = VERSION + "." + B64.encodeToString(payload.encode().getBytes(StandardCharsets.UTF_8));
    String value = body + "." + B64.encodeToString(mac(body));
    bounded(sealed).put(p, new Opened(value, p, exp));
    return value;
  }

  /**
   * The principal a header value carries; null when there is none.
   *
   * @throws BusFailure 401 when the value is not a seal of this cluster, or has expired
   */
  public Principal open(String value) {
    if (value == null) {
      return null;
    }
    long now = Instant.now().getEpochSecond();
    Opened known = opened.get(value);
    if (known != null && known.expiresAt() >= now) {
      return known.principal();
    }
    int dot = value.lastIndexOf('.');
    if (!value.startsWith(VERSION + ".") || dot <= VERSION.length()) {
      throw refuse("the principal is not sealed");
    }
    String body = value.substring(0, dot);
    byte[] given;
    try {
      given = Base64.getUrlDecoder().decode(value.substring(dot + 1));
    } catch (IllegalArgumentException e) {
      throw refuse("the principal's seal is malformed");
    }
    if (!MessageDigest.isEqual(mac(body), given)) {
      throw refuse("the principal's seal is not this cluster's");
    }
    JsonObject payload;
    Principal p;
    try {
      payload = new JsonObject(new String(Base64.getUrlDecoder().decode(body.substring(VERSION.length() + 1)),
          StandardCharsets.UTF_8));
      long exp = payload.getLong("exp");
      if (exp < now) {
        throw refuse("the principal's seal has expired");
      }
      payload.remove("exp");
      p = payload.mapTo(Principal.class);
      bounded(opened).put(value, new Opened(value, p, exp));
    } catch (BusFailure bf) {
      throw bf;
    } catch (RuntimeException e) {
      throw refuse("the principal does not parse");
    }
    return p;
  }

  private BusFailure refuse(String why) {
    if (refused != null) {
      refused.increment();
    }
    return BusFailure.unauthorized(why);
  }

  private byte[] mac(String body) {
    try {
      Mac m = Mac.getInstance("HmacSHA256");
      m.init(key);
      return m.doFinal(body.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }

  private static <K, V> Map<K, V> bounded(Map<K, V> cache) {
    if (cache.size() >= MAX_CACHED) {
      cache.clear();
    }
    return cache;
  }
}
