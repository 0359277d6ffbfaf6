package io.nexus.financial.exam;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexus.contracts.financial.Financial;
import io.nexus.financial.demo.DemoBooks;
import io.nexus.financial.imports.ImportJob;
import io.vertx.core.json.JsonArray;
import java.io.ByteArrayInputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Two years of generated books (about 50,000 entries) with anomalies of every rule type
 * planted: every rule finds what was planted. Precision and recall are printed per rule.
 */
class PlantedAnomaliesTest {

  @Test
  @DisplayName("every rule finds every planted anomaly (recall 1.0); precision and recall are printed")
  void plantedAnomalies() throws Exception {
    try (var b = new Books()) {
      for (DemoBooks.Account a : DemoBooks.ACCOUNTS) {
        if (!b.accounts.containsKey(a.code())) {
          b.account(a.code(), a.name(), a.type());
        }
      }
      var books = new DemoBooks(42, 1.0);
      var csv = new StringWriter();
      List<DemoBooks.Planted> planted = books.write(csv);
      UUID importId = UUID.randomUUID();
      b.sql("INSERT INTO imports (id, ledger_id, org, created_by, format, mode, options, status) "
          + "VALUES ($1, $2, $3, 'test', 'csv', 'all-or-nothing', '{}', 'receiving')", importId, b.ledger, UUID.randomUUID());
      var accounts = new HashMap<String, ImportJob.Account>();
      b.accounts.forEach((code, id) -> accounts.put(code, new ImportJob.Account(id, true)));
      try (var c = DriverManager.getConnection(b.pg.jdbcUrl() + "?currentSchema=financial", b.pg.user(), b.pg.password())) {
        c.setAutoCommit(false);
        var job = new ImportJob(c, b.ledger, "EUR", accounts, importId, "test",
            new ImportJob.Options(io.nexus.contracts.financial.Financial.ImportFormat.CSV, true, ',', '.', Map.of()), p -> {});
        var result = job.run(new ByteArrayInputStream(csv.toString().getBytes(StandardCharsets.UTF_8)));
        assertThat(result.errors()).isEmpty();
        c.commit();
        c.setAutoCommit(true);
        ImportJob.analyze(c);
        System.out.printf("generated %d entries, %d rows%n", result.entries(), result.rows());
        assertThat(result.entries()).isBetween(40_000L, 60_000L);
      }
      var settings = Settings.of(Books.with("holidays", new JsonArray(DemoBooks.HOLIDAYS.stream().map(Object::toString).toList())));
      var report = new StringBuilder(String.format(Locale.ROOT, "%-20s %8s %8s %9s %9s %8s%n", "rule", "planted", "findings",
          "precision", "recall", "ms"));
      var missed = new ArrayList<String>();
      int allFindings = 0;
      int allTrue = 0;
      for (Financial.RuleId rule : Financial.RULES) {
        long t0 = System.nanoTime();
        List<Draft> found = b.run(rule, settings, DemoBooks.START, DemoBooks.END);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        List<DemoBooks.Planted> truth = planted.stream().filter(p -> p.rule().equals(rule)).toList();
        long truePositives = found.stream().filter(f -> truth.stream().anyMatch(t -> f.key().startsWith(t.key()))).count();
        long recalled = truth.stream().filter(t -> found.stream().anyMatch(f -> f.key().startsWith(t.key()))).count();
        truth.stream().filter(t -> found.stream().noneMatch(f -> f.key().startsWith(t.key())))
            .forEach(t -> missed.add(rule.wire() + ": " + t.key() + " (" + t.what() + ")"));
        double precision = found.isEmpty() ? 1.0 : (double) truePositives / found.size();
        double recall = truth.isEmpty() ? 1.0 : (double) recalled / truth.size();
        allFindings += found.size();
        allTrue += (int) truePositives;
        report.append(String.format(Locale.ROOT, "%-20s %8d %8d %9.2f %9.2f %8d%n", rule.wire(), truth.size(), found.size(), precision,
            recall, ms));
        found.stream().filter(f -> truth.stream().noneMatch(t -> f.key().startsWith(t.key())))
            .forEach(f -> report.append("    not planted: ").append(f.key()).append(" - ").append(f.title()).append('\n'));
      }
      report.append(String.format(Locale.ROOT, "%-20s %8d %8d %9.2f%n", "all", planted.size(), allFindings,
          (double) allTrue / allFindings));
      System.out.print(report);
      assertThat(missed).as("planted anomalies not found").isEmpty();
      assertThat(planted.stream().map(DemoBooks.Planted::rule).distinct()).containsExactlyInAnyOrderElementsOf(Financial.RULES);
    }
  }
}
