package io.nexus.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/** Reads the OpenAPI document, which is YAML, into JSON. */
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
}
