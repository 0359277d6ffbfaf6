package io.nexus.kernel.config;

/** A setting is missing or malformed. The message names the key and what was expected. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String key, String problem) {
    super("configuration '" + key + "': " + problem);
  }
}
