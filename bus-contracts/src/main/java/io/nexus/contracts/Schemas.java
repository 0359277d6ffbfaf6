package io.nexus.contracts;

import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputFormat;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.Validator;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Checks a message against the JSON Schema of its type. Validators are built once per type and
 * are safe to share between threads.
 */
public final class Schemas {
  private static final JsonSchemaOptions OPTIONS = new JsonSchemaOptions()
      .setDraft(Draft.DRAFT202012)
      .setBaseUri("https://nexus.io/schemas/")
      .setOutputFormat(OutputFormat.Basic);
  private static final ConcurrentHashMap<Class<?>, Validator> VALIDATORS = new ConcurrentHashMap<>();

  private Schemas() {}

  /** The schema document of a message type, read from the classpath. */
  public static JsonObject schemaOf(Class<?> type) {
    String path = Contracts.schemaPath(type);
    try (InputStream in = Schemas.class.getClassLoader().getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("no JSON Schema for " + type.getName() + " at " + path);
      }
      return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Validates {@code json} as a {@code type}.
   *
   * @return empty when valid, else a message naming the first offending location and why
   */
  public static Optional<String> violation(Class<?> type, JsonObject json) {
    Validator v = VALIDATORS.computeIfAbsent(type, t -> Validator.create(JsonSchema.of(schemaOf(t)), OPTIONS));
    OutputUnit out = v.validate(json);
    if (Boolean.TRUE.equals(out.getValid())) {
      return Optional.empty();
    }
    OutputUnit first = out.getErrors() == null || out.getErrors().isEmpty() ? out : deepest(out);
    String where = first.getInstanceLocation() == null || first.getInstanceLocation().isEmpty()
        ? "body" : first.getInstanceLocation();
    return Optional.of(where + ": " + first.getError());
  }

  private static OutputUnit deepest(OutputUnit out) {
    OutputUnit best = out.getErrors().get(0);
    for (OutputUnit u : out.getErrors()) {
      String loc = u.getInstanceLocation() == null ? "" : u.getInstanceLocation();
      String bestLoc = best.getInstanceLocation() == null ? "" : best.getInstanceLocation();
      if (loc.length() > bestLoc.length()) {
        best = u;
      }
    }
    return best;
  }
}
