package io.nexus.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexus.contracts.Contracts;
import io.nexus.kernel.config.NodeConfig;
import io.nexus.kernel.config.Setting;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The docs say what the code does: the settings table (docs/operations.md) and the address
 * catalogue (docs/api.md); the README links only pages that exist.
 */
class ReadmeTest {
  private static String page(String name) throws Exception {
    return Files.readString(Path.of("../../docs", name));
  }


  @Test
  @DisplayName("every page the README and the docs link to exists, and so does every section they point into")
  void linksResolve() throws Exception {
    var pages = new java.util.LinkedHashMap<Path, String>();
    pages.put(Path.of("../../README.md"), Files.readString(Path.of("../../README.md")));
    try (var docs = Files.list(Path.of("../../docs"))) {
      for (Path p : docs.filter(p -> p.toString().endsWith(".md")).toList()) {
        pages.put(p, Files.readString(p));
      }
    }
    var link = java.util.regex.Pattern.compile("\\]\\(([^)#\\s]*)(?:#([^)\\s]+))?\\)");
    for (var e : pages.entrySet()) {
      var m = link.matcher(e.getValue());
      while (m.find()) {
        if (m.group(1).startsWith("http")) {
          continue;
        }
        Path target = m.group(1).isEmpty() ? e.getKey() : e.getKey().resolveSibling(m.group(1)).normalize();
        assertThat(target).as(m.group() + " in " + e.getKey()).exists();
        if (m.group(2) != null) {
          var anchors = Files.readString(target).lines().filter(l -> l.startsWith("#"))
              .map(l -> l.replaceFirst("^#+ ", "").toLowerCase().replaceAll("[^a-z0-9 -]", "").replace(' ', '-')).toList();
          assertThat(anchors).as(m.group() + " in " + e.getKey()).contains(m.group(2));
        }
      }
    }
  }

  @Test
  @DisplayName("every environment setting is in the settings table with its key, and every key exists in default.yaml")
  void settingsTable() throws Exception {
    String operations = page("operations.md");
    var defaults = NodeConfig.defaults();
    for (Setting s : Setting.ALL) {
      assertThat(operations).contains("| `" + s.env() + "` | `" + s.key() + "` |");
      if (!s.key().equals("-")) {
        Object at = defaults;
        for (String part : s.key().split("\\.")) {
          at = ((io.vertx.core.json.JsonObject) at).getValue(part);
        }
        assertThat(at).as(s.key() + " in config/default.yaml").isNotNull();
      }
    }
  }

  /** The catalogue's rows by address: kind and messages columns. */
  private static java.util.Map<String, String[]> catalogue() throws Exception {
    var rows = new java.util.LinkedHashMap<String, String[]>();
    String api = page("api.md");
    String table = api.substring(api.indexOf("## Address catalogue"));
    int end = table.indexOf("\n## ", 3);
    table = end < 0 ? table : table.substring(0, end);
    for (String line : table.split("\n")) {
      var m = java.util.regex.Pattern.compile("^\\| `([^`]+)` \\| ([^|]+) \\| ([^|]+) \\|").matcher(line);
      if (m.find()) {
        rows.put(m.group(1), new String[] {m.group(2).trim(), m.group(3).trim()});
      }
    }
    return rows;
  }

  private static String name(Class<?> type) {
    return "`" + type.getSimpleName() + "`";
  }

  @Test
  @DisplayName("the address catalogue says what the constants say: each endpoint's kind and messages, each topic's and "
      + "each log event's record, stream and feed role, and no address the contracts do not have")
  void addressCatalogue() throws Exception {
    var rows = catalogue();
    var known = new java.util.HashSet<String>();
    for (var e : Contracts.endpoints()) {
      String[] row = rows.get(e.address());
      assertThat(row).as(e.address() + " in the catalogue").isNotNull();
      assertThat(row[0]).as(e.address()).startsWith("request/reply");
      if (e.address().startsWith("nexus.")) {
        assertThat(row[0]).as(e.address()).isEqualTo("request/reply (" + (e.idempotent() ? "query" : "command") + ")");
      }
      assertThat(row[1]).as(e.address()).isEqualTo(name(e.request()) + " → " + name(e.reply()));
      known.add(e.address());
    }
    for (var t : Contracts.topics()) {
      String[] row = rows.get(t.address());
      assertThat(row).as(t.address() + " in the catalogue").isNotNull();
      assertThat(row[0]).as(t.address()).startsWith("pub/sub");
      assertThat(row[1]).as(t.address()).isEqualTo(name(t.event()));
      known.add(t.address());
    }
    for (var ev : Contracts.eventTypes()) {
      String[] row = rows.get(ev.topic());
      assertThat(row).as(ev.topic() + " in the catalogue").isNotNull();
      assertThat(row[0]).as(ev.topic()).isEqualTo("log event `" + ev.name() + "`, relayed; live feed: "
          + ev.leastRole().wire() + " and up");
      assertThat(row[1]).as(ev.topic()).isEqualTo(name(ev.payload()));
      assertThat(page("api.md")).contains("| `" + ev.topic() + "` |").contains("Stream `" + ev.streamKind());
      known.add(ev.topic());
    }
    // the kernel's own wake-up topic is not a contract
    known.add("nexus.eventlog.events.appended");
    for (String address : rows.keySet()) {
      if (!address.contains("<")) {
        assertThat(known).as("the catalogue's " + address + " is a constant of the contracts").contains(address);
      }
    }
  }
}
