package io.nexus.financial.exam;

import io.nexus.contracts.financial.Financial.Conformity;
import io.nexus.contracts.financial.Financial.Figure;
import io.nexus.contracts.financial.Financial.RuleId;
import io.nexus.contracts.financial.Financial.Severity;
import io.nexus.financial.Benford;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/** The {@code benford} rule. */
final class BenfordRule extends Rule {
  BenfordRule() {
    super(RuleId.BENFORD);
  }

  /**
   * Leading digits per ledger, account and counterparty (first and first two digits), each
   * distinct amount counted once per scope: nonconforming groups.
   */
  @Override
  Future<List<Draft>> find(Rules x) {
    // each distinct amount once per scope: an invoice and the payment that settles it are one amount, not two
    return x.c.query("SELECT a.code AS account, t.cp, lead, count(DISTINCT z.amount) AS n FROM (SELECT x.entry_id, x.account_id, "
            + "x.debit + x.credit AS amount, left(replace((x.debit + x.credit)::text, '.', ''), 2)::int AS lead FROM entry_lines x "
            + "JOIN " + Rules.TABLE + " t ON t.id = x.entry_id WHERE x.debit + x.credit >= 10) z JOIN " + Rules.TABLE + " t ON t.id = z.entry_id "
            + "JOIN accounts a ON a.id = z.account_id GROUP BY GROUPING SETS ((lead), (a.code, lead), (t.cp, lead))")
        .execute()
        .compose(rows -> {
          // scope -> counts of the first two digits (10..99)
          var scopes = new java.util.TreeMap<String, long[]>();
          for (Row r : rows) {
            String scope = r.getString("account") != null ? "account " + r.getString("account")
                : r.getString("cp") != null ? "counterparty " + r.getString("cp") : "ledger";
            scopes.computeIfAbsent(scope, k -> new long[90])[r.getInteger("lead") - 10] += r.getLong("n");
          }
          // the nonconforming scopes first, then their evidence in one pass per kind of scope and digit count
          record Hit(String scope, int digits, Benford.Result res, Benford.Bucket worst) {}
          var hits = new ArrayList<Hit>();
          for (var e : scopes.entrySet()) {
            long[] two = e.getValue();
            long[] one = new long[9];
            for (int i = 0; i < 90; i++) {
              one[(i + 10) / 10 - 1] += two[i];
            }
            for (int digits = 1; digits <= 2; digits++) {
              Benford.Result res = Benford.fromCounts(digits == 1 ? one : two, digits,
                  x.s.benfordMinSample(digits));
              if (res.conformity() == Conformity.NONCONFORMING) {
                hits.add(new Hit(e.getKey(), digits, res, res.buckets().stream()
                    .max(Comparator.comparingDouble(b -> b.observedShare() - b.expectedShare())).orElseThrow()));
              }
            }
          }
          var wanted = new java.util.HashMap<String, java.util.Map<String, String>>(); // kind|digits -> scope value -> lead
          for (Hit h : hits) {
            wanted.computeIfAbsent(kind(h.scope()) + "|" + h.digits(), k -> new java.util.HashMap<>())
                .put(value(h.scope()), String.valueOf(h.worst().digits()));
          }
          var evidence = new java.util.HashMap<String, List<UUID>>(); // scope|digits -> entries
          Future<?> chain = Future.succeededFuture();
          for (var w : wanted.entrySet()) {
            String kind = w.getKey().substring(0, w.getKey().indexOf('|'));
            int digits = Integer.parseInt(w.getKey().substring(w.getKey().indexOf('|') + 1));
            chain = chain.compose(v -> evidence(x, kind, digits, w.getValue()).onSuccess(found -> found.forEach((val, ids) ->
                evidence.put(scope(kind, val) + "|" + digits, ids))));
          }
          return chain.map(v -> {
            var out = new ArrayList<Draft>();
            for (Hit h : hits) {
              Benford.Result res = h.res();
              Benford.Bucket worst = h.worst();
              String scope = h.scope();
              int d = h.digits();
              out.add(new Draft(RuleId.BENFORD, scope + "|" + d + "|" + x.from + "|" + x.to, scope.equals("ledger") ? Severity.HIGH : Severity.MEDIUM,
                  res.mad(),
                  "Leading digits of " + scope + " do not follow Benford's law (" + (d == 1 ? "first digit" : "first two digits")
                      + ")",
                  "Of " + res.sampleSize() + " distinct amounts of " + scope + ", the " + (d == 1 ? "first digits" : "first two digits")
                      + " deviate from Benford's law with a mean absolute deviation of " + String.format(Locale.ROOT, "%.4f",
                      res.mad()) + " (nonconforming by Nigrini's ranges; chi-square " + String.format(Locale.ROOT, "%.1f",
                      res.chiSquare()) + ", p = " + String.format(Locale.ROOT, "%.2g", res.pValue()) + "). Most over-represented: "
                      + worst.digits() + " with " + String.format(Locale.ROOT, "%.1f %%", worst.observedShare() * 100)
                      + " instead of " + String.format(Locale.ROOT, "%.1f %%", worst.expectedShare() * 100)
                      + ". Invented amounts rarely follow the law; the evidence lists entries starting with " + worst.digits() + ".",
                  evidence.getOrDefault(scope + "|" + d, List.of()), List.of(new Figure("scope", scope),
                      new Figure("digits", String.valueOf(d)),
                      new Figure("sampleSize", String.valueOf(res.sampleSize())),
                      new Figure("mad", String.format(Locale.ROOT, "%.5f", res.mad())),
                      new Figure("chiSquare", String.format(Locale.ROOT, "%.2f", res.chiSquare())),
                      new Figure("pValue", String.format(Locale.ROOT, "%.3g", res.pValue())),
                      new Figure("overRepresented", String.valueOf(worst.digits()))),
                  res.buckets().stream().map(Benford.Bucket::view).toList()));
            }
            out.sort(Comparator.comparing(Draft::key));
            return out;
          });
        });
  }

  /**
   * Up to 200 entries per scope whose amounts start with the scope's over-represented digits,
   * for every scope of one kind in one pass over the lines.
   */
  private static Future<Map<String, List<UUID>>> evidence(Rules x, String kind, int digits, Map<String, String> leads) {
    String value = switch (kind) {
      case "account" -> "a.code";
      case "counterparty" -> "t.cp";
      default -> "''";
    };
    String[] vals = leads.keySet().toArray(new String[0]);
    String[] lead = java.util.Arrays.stream(vals).map(leads::get).toArray(String[]::new);
    return x.c.preparedQuery("SELECT val, (array_agg(id ORDER BY id))[1:" + Rules.MAX_EVIDENCE + "] AS ids FROM (SELECT DISTINCT "
            + value + " AS val, left(replace((x.debit + x.credit)::text, '.', ''), " + digits + ") AS lead, t.id "
            + "FROM entry_lines x JOIN " + Rules.TABLE + " t ON t.id = x.entry_id JOIN accounts a ON a.id = x.account_id "
            + "WHERE x.debit + x.credit >= 10) z WHERE (val, lead) IN (SELECT * FROM unnest($1::text[], $2::text[])) GROUP BY val")
        .execute(Tuple.of((Object) vals, (Object) lead))
        .map(rows -> {
          var out = new java.util.HashMap<String, List<UUID>>();
          rows.forEach(r -> out.put(r.getString("val"), Rules.ids(r)));
          return out;
        });
  }

  private static String kind(String scope) {
    return scope.startsWith("account ") ? "account" : scope.startsWith("counterparty ") ? "counterparty" : "ledger";
  }

  private static String value(String scope) {
    return scope.startsWith("account ") ? scope.substring(8) : scope.startsWith("counterparty ") ? scope.substring(13) : "";
  }

  private static String scope(String kind, String value) {
    return kind.equals("ledger") ? "ledger" : kind + " " + value;
  }
}
