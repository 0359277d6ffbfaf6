package io.nexus.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/** Reads the OpenAPI document, which is YAML, into JSON, and writes it back. */
final class Yaml {
  private static final ObjectMapper MAPPER = new ObjectMapper(new YAMLFactory());

  private Yaml() {}

  @SuppressWarnings("unchecked")
  static JsonObject toJson(String yaml) {
    try {
      return new JsonObject(MAPPER.readValue(yaml, Map.class));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("the OpenAPI document is not valid YAML: " + e.getOriginalMessage(), e);
    }
  }

  /** The document as YAML again. */
  static String fromJson(JsonObject json) {
    try {
      // through JSON text: the tree holds Vert.x JsonObjects, which this mapper would write as beans
      return MAPPER.writeValueAsString(new ObjectMapper().readValue(json.encode(), Map.class));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the OpenAPI document as YAML", e);
    }
  }
}
