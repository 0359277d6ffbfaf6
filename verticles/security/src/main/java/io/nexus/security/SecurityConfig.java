package io.nexus.security;

import io.nexus.kernel.config.Conf;
import io.nexus.kernel.config.ConfigException;
import io.vertx.core.json.JsonObject;

/**
 * The Security service's settings (the {@code security} section).
 *
 * @param issuer the {@code iss} of every access token
 * @param audience the {@code aud} of every access token
 * @param accessTokenTtlSeconds access token lifetime
 * @param refreshTokenTtlSeconds refresh token (and session) lifetime
 * @param keyRetentionSeconds how long a retired signing key still verifies
 * @param maxFailuresPerAccount failed logins per account per window before 429
 * @param maxFailuresPerIp failed logins per client address per window before 429
 * @param loginWindowSeconds the throttling window
 * @param argon2 password hashing cost
 * @param adminEmail bootstrap admin's email
 * @param adminPassword bootstrap admin's password; empty means generate one
 * @param adminOrg bootstrap admin's organisation
 * @param sessionLifetimeSeconds a login session's absolute lifetime: no refresh extends it
 * @param keyEncryptionKey 32 bytes (base64) that encrypt private signing keys at rest; null: derived from the
 *     cluster secret
 */
public record SecurityConfig(String issuer, String audience, int accessTokenTtlSeconds, int refreshTokenTtlSeconds,
    int keyRetentionSeconds, int maxFailuresPerAccount, int maxFailuresPerIp, int loginWindowSeconds,
    PasswordHasher.Cost argon2, String adminEmail, String adminPassword, String adminOrg, int sessionLifetimeSeconds,
    byte[] keyEncryptionKey) {

  private static final int MIN_ARGON2_MEMORY_KIB = 19_456;
  private static final int MIN_ARGON2_ITERATIONS = 2;
  private static final int DAY_SECONDS = 86_400;
  private static final int MIN_ADMIN_PASSWORD = 12;

  private static byte[] kek(Conf s) {
    String given = s.string("keyEncryptionKey", "");
    if (given.isBlank()) {
      return null;
    }
    try {
      byte[] k = java.util.Base64.getDecoder().decode(given.trim());
      if (k.length == 32) {
        return k;
      }
    } catch (IllegalArgumentException e) {
      // reported below
    }
    throw new ConfigException(s.key("keyEncryptionKey"), "must be 32 bytes in base64 (e.g. openssl rand -base64 32)");
  }

  /** Reads and checks the {@code security} section. */
  public static SecurityConfig from(JsonObject config) {
    Conf s = Conf.of(config).section("security");
    Conf login = s.section("login");
    Conf argon = s.section("argon2");
    Conf admin = s.section("admin");
    int ttl = s.integer("accessTokenTtlSeconds", 30, DAY_SECONDS);
    int retention = s.integer("keyRetentionSeconds", 60, 30 * DAY_SECONDS);
    if (retention < ttl) {
      throw new ConfigException(s.key("keyRetentionSeconds"), "must be at least accessTokenTtlSeconds (" + ttl
          + "), or rotation would log people out");
    }
    String password = admin.string("password", "");
    if (!password.isEmpty() && password.length() < MIN_ADMIN_PASSWORD) {
      throw new ConfigException(admin.key("password"), "must be at least " + MIN_ADMIN_PASSWORD + " characters");
    }
    String email = admin.string("email");
    if (!email.contains("@")) {
      throw new ConfigException(admin.key("email"), "is not an email address: '" + email + "'");
    }
    return new SecurityConfig(
        s.string("issuer"), s.string("audience"), ttl,
        s.integer("refreshTokenTtlSeconds", 60, 365 * DAY_SECONDS), retention,
        login.integer("maxFailuresPerAccount", 1, 1000), login.integer("maxFailuresPerIp", 1, 100_000),
        login.integer("windowSeconds", 1, DAY_SECONDS),
        new PasswordHasher.Cost(argon.integer("memoryKiB", MIN_ARGON2_MEMORY_KIB, 4 * 1024 * 1024),
            argon.integer("iterations", MIN_ARGON2_ITERATIONS, 100), argon.integer("parallelism", 1, 64)),
        email, password, admin.string("org"), s.integer("sessionLifetimeSeconds", 60, 30 * DAY_SECONDS, DAY_SECONDS / 2),
        kek(s));
  }
}
