package io.nexus.kernel.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * Typed reads from a config tree that fail with a {@link ConfigException} naming the dotted key.
 * Typed config records ({@code XConfig.from(json)}) are built from these.
 */
public final class Conf {
  private final JsonObject json;
  private final String prefix;

  private Conf(JsonObject json, String prefix) {
    this.json = json;
    this.prefix = prefix;
  }

  /** A view of the whole tree. */
  public static Conf of(JsonObject json) {
    return new Conf(json == null ? new JsonObject() : json, "");
  }

  /** A view of a section; a missing section reads as empty, so required keys in it still fail by name. */
  public Conf section(String name) {
    Object v = json.getValue(name);
    if (v != null && !(v instanceof JsonObject)) {
      throw new ConfigException(key(name), "expected a mapping");
    }
    return new Conf(v == null ? new JsonObject() : (JsonObject) v, key(name) + ".");
  }

  public String string(String name) {
    Object v = json.getValue(name);
    if (v == null) {
      throw new ConfigException(key(name), "is required");
    }
    if (!(v instanceof String s)) {
      throw new ConfigException(key(name), "expected a string, got " + v);
    }
    return s;
  }

  public String string(String name, String fallback) {
    return json.getValue(name) == null ? fallback : string(name);
  }

  public int integer(String name, int min, int max) {
    Object v = json.getValue(name);
    if (v == null) {
      throw new ConfigException(key(name), "is required");
    }
    long n;
    if (v instanceof Number num && num.doubleValue() == num.longValue()) {
      n = num.longValue();
    } else if (v instanceof String s && s.trim().matches("-?\\d+")) {
      n = Long.parseLong(s.trim());
    } else {
      throw new ConfigException(key(name), "expected a whole number, got '" + v + "'");
    }
    if (n < min || n > max) {
      throw new ConfigException(key(name), "must be between " + min + " and " + max + ", got " + n);
    }
    return (int) n;
  }

  public int integer(String name, int min, int max, int fallback) {
    return json.getValue(name) == null ? fallback : integer(name, min, max);
  }

  public List<String> strings(String name) {
    Object v = json.getValue(name);
    if (v == null) {
      return List.of();
    }
    if (v instanceof String s) {
      return s.isBlank() ? List.of() : List.of(s.split("\\s*,\\s*"));
    }
    if (!(v instanceof JsonArray a)) {
      throw new ConfigException(key(name), "expected a list, got '" + v + "'");
    }
    var out = new ArrayList<String>();
    for (Object o : a) {
      if (!(o instanceof String s)) {
        throw new ConfigException(key(name), "expected a list of strings, got '" + o + "'");
      }
      out.add(s);
    }
    return List.copyOf(out);
  }

  /** The keys of this section. */
  public java.util.Set<String> names() {
    return json.fieldNames();
  }

  /** The full dotted key of a name in this section, for messages. */
  public String key(String name) {
    return prefix + name;
  }
}
