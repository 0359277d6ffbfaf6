package io.nexus.kernel.config;

import java.util.List;

/**
 * The settings that environment variables may override. Every other key comes from
 * {@code config/default.yaml} and an optional node file. The settings table in docs/operations.md lists
 * exactly these (a test keeps the two in step).
 *
 * @param env the environment variable
 * @param key the dotted key in the YAML tree
 * @param kind how the value is parsed
 * @param meaning one line for the settings table
 */
public record Setting(String env, String key, Kind kind, String meaning) {

  /** How an environment value is turned into a config value. */
  public enum Kind { STRING, INT, LIST }

  /** Every environment override, in the table's order. */
  public static final List<Setting> ALL = List.of(
      new Setting("NEXUS_CONFIG", "-", Kind.STRING, "an extra YAML node file merged over config/default.yaml"),
      new Setting("NEXUS_SERVICES", "node.services", Kind.LIST, "services this node deploys (comma list; default all)"),
      new Setting("NEXUS_HTTP_PORT", "http.port", Kind.INT, "gateway HTTP port"),
      new Setting("NEXUS_DATA_DIR", "node.dataDir", Kind.STRING, "where embedded servers and logs keep data"),
      new Setting("NEXUS_PG_URL", "postgres.url", Kind.STRING,
          "postgresql://user:pass@host:port/db; empty starts an embedded PostgreSQL"),
      new Setting("NEXUS_PG_EMBEDDED_PORT", "postgres.embeddedPort", Kind.INT,
          "port of the embedded PostgreSQL (0 = any free port)"),
      new Setting("NEXUS_PG_POOL_SIZE", "postgres.poolSize", Kind.INT, "connections per service pool"),
      new Setting("NEXUS_REDIS_URL", "redis.url", Kind.STRING, "redis://host:port; empty starts an embedded Redis"),
      new Setting("NEXUS_REDIS_EMBEDDED_PORT", "redis.embeddedPort", Kind.INT,
          "port of the embedded Redis (0 = any free port)"),
      new Setting("NEXUS_CLUSTER_NAME", "cluster.name", Kind.STRING, "Hazelcast cluster name; nodes join only their own"),
      new Setting("NEXUS_CLUSTER_HOST", "cluster.host", Kind.STRING, "address this node binds and advertises"),
      new Setting("NEXUS_CLUSTER_PORT", "cluster.port", Kind.INT, "Hazelcast member port"),
      new Setting("NEXUS_CLUSTER_MEMBERS", "cluster.members", Kind.LIST, "host:port of every member (comma list)"),
      new Setting("NEXUS_CLUSTER_SECRETS", "cluster.secretsDir", Kind.STRING,
          "the cluster's shared secrets (principal, audit and key-encryption keys, event-bus TLS); every node needs a copy; "
              + "default <dataDir>/secrets, made on first start"),
      new Setting("NEXUS_BUS_PORT", "cluster.busPort", Kind.INT, "event bus TCP port (0 = any free port)"),
      new Setting("NEXUS_REQUEST_TIMEOUT_MS", "gateway.requestTimeoutMs", Kind.INT,
          "how long the gateway waits for a service"),
      new Setting("NEXUS_BODY_LIMIT_BYTES", "gateway.bodyLimitBytes", Kind.INT, "largest request body accepted"),
      new Setting("NEXUS_UPLOAD_LIMIT_MB", "gateway.uploadLimitMb", Kind.INT, "largest streamed upload (import file), MiB"),
      new Setting("NEXUS_CORS_ORIGINS", "gateway.corsOrigins", Kind.LIST, "origins allowed by CORS (none by default)"),
      new Setting("NEXUS_TRUSTED_PROXIES", "gateway.trustedProxies", Kind.LIST,
          "proxy addresses whose X-Forwarded-For is believed (comma list; none by default)"),
      new Setting("NEXUS_OPS_TOKEN", "gateway.opsToken", Kind.STRING,
          "when set, /metrics and /health/ready details need Authorization: Bearer <token>"),
      new Setting("NEXUS_TLS_CERT", "http.tlsCert", Kind.STRING, "PEM certificate chain: the gateway speaks HTTPS (with HSTS)"),
      new Setting("NEXUS_TLS_KEY", "http.tlsKey", Kind.STRING, "PEM private key of NEXUS_TLS_CERT"),
      new Setting("NEXUS_ADMIN_EMAIL", "security.admin.email", Kind.STRING, "bootstrap admin created on first start"),
      new Setting("NEXUS_ADMIN_PASSWORD", "security.admin.password", Kind.STRING,
          "its password; empty prints a one-time generated one"),
      new Setting("NEXUS_ADMIN_ORG", "security.admin.org", Kind.STRING, "the bootstrap admin's organisation"),
      new Setting("NEXUS_TOKEN_TTL_SECONDS", "security.accessTokenTtlSeconds", Kind.INT, "access token lifetime"),
      new Setting("NEXUS_REFRESH_TTL_SECONDS", "security.refreshTokenTtlSeconds", Kind.INT, "refresh token lifetime"),
      new Setting("NEXUS_SESSION_LIFETIME_SECONDS", "security.sessionLifetimeSeconds", Kind.INT,
          "absolute lifetime of a login session (default 12 h); refreshes never extend it"),
      new Setting("NEXUS_KEY_ENCRYPTION_KEY", "security.keyEncryptionKey", Kind.STRING,
          "32 bytes, base64, that encrypt private signing keys at rest; empty: derived from the cluster secret"),
      new Setting("NEXUS_LLM_BASE_URL", "llm.model.baseUrl", Kind.STRING,
          "an OpenAI-compatible chat server for the assistant (Ollama: http://127.0.0.1:11434/v1); empty: extractive answers"),
      new Setting("NEXUS_LLM_MODEL", "llm.model.name", Kind.STRING, "the model the assistant asks that server for"),
      new Setting("NEXUS_LLM_API_KEY", "llm.model.apiKey", Kind.STRING, "the server's API key, if it wants one (never logged)"),
      new Setting("NEXUS_LLM_TIMEOUT_MS", "llm.model.timeoutMs", Kind.INT,
          "how long one answer may take before the assistant answers extractively"),
      new Setting("NEXUS_TEST_FAULTS", "node.testFaults", Kind.STRING,
          "tests and fault drills only: a JSON file of faults this node's services obey; empty = no fault switch"));
}
