package io.nexus.kernel.config;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * Loads a node's configuration: {@code config/default.yaml} from the classpath, then an optional
 * node file, then {@code NEXUS_*} environment variables (see {@link Setting#ALL}). The result is
 * one JSON tree handed to every verticle as its {@code config()}.
 */
public final class NodeConfig {
  private static final String DEFAULTS = "config/default.yaml";
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private NodeConfig() {}

  /** Loads defaults, the file named by {@code NEXUS_CONFIG} if any, then env overrides. */
  public static JsonObject load(Map<String, String> env) {
    JsonObject cfg = defaults();
    String file = env.get("NEXUS_CONFIG");
    if (file != null && !file.isBlank()) {
      merge(cfg, readFile(Path.of(file)));
    }
    applyEnv(cfg, env);
    return cfg;
  }

  /** The built-in defaults. */
  public static JsonObject defaults() {
    try (InputStream in = NodeConfig.class.getClassLoader().getResourceAsStream(DEFAULTS)) {
      if (in == null) {
        throw new IllegalStateException(DEFAULTS + " is not on the classpath");
      }
      return yamlToJson(in.readAllBytes(), DEFAULTS);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + DEFAULTS, e);
    }
  }

  /** Reads a YAML node file. */
  public static JsonObject readFile(Path file) {
    try {
      return yamlToJson(Files.readAllBytes(file), file.toString());
    } catch (IOException e) {
      throw new ConfigException("NEXUS_CONFIG", "cannot read " + file + ": " + e.getMessage());
    }
  }

  /** Applies {@code NEXUS_*} overrides in place. */
  public static void applyEnv(JsonObject cfg, Map<String, String> env) {
    for (Setting s : Setting.ALL) {
      String raw = env.get(s.env());
      if (raw == null || s.key().equals("-")) {
        continue;
      }
      Object value = switch (s.kind()) {
        case STRING -> raw.trim();
        case INT -> parseInt(s.env(), raw);
        case LIST -> new JsonArray(Arrays.stream(raw.split(",")).map(String::trim).filter(x -> !x.isEmpty()).toList());
      };
      put(cfg, s.key(), value);
    }
  }

  /** Deep-merges {@code over} into {@code base}: objects merge, everything else replaces. */
  public static void merge(JsonObject base, JsonObject over) {
    for (String k : over.fieldNames()) {
      Object v = over.getValue(k);
      if (v instanceof JsonObject o && base.getValue(k) instanceof JsonObject b) {
        merge(b, o);
      } else {
        base.put(k, v);
      }
    }
  }

  /** Sets a dotted key, creating objects on the way. */
  public static void put(JsonObject cfg, String dottedKey, Object value) {
    String[] parts = dottedKey.split("\\.");
    JsonObject at = cfg;
    for (int i = 0; i < parts.length - 1; i++) {
      JsonObject next = at.getJsonObject(parts[i]);
      if (next == null) {
        next = new JsonObject();
        at.put(parts[i], next);
      }
      at = next;
    }
    at.put(parts[parts.length - 1], value);
  }

  private static int parseInt(String key, String raw) {
    try {
      return Integer.parseInt(raw.trim());
    } catch (NumberFormatException e) {
      throw new ConfigException(key, "expected a whole number, got '" + raw + "'");
    }
  }

  @SuppressWarnings("unchecked")
  private static JsonObject yamlToJson(byte[] yaml, String source) {
    try {
      Object tree = YAML.readValue(yaml, Object.class);
      if (tree == null) {
        return new JsonObject();
      }
      if (!(tree instanceof Map)) {
        throw new ConfigException(source, "the top level must be a mapping");
      }
      return new JsonObject((Map<String, Object>) tree);
    } catch (IOException e) {
      throw new ConfigException(source, "not valid YAML: " + e.getMessage().lines().findFirst().orElse(""));
    }
  }
}
