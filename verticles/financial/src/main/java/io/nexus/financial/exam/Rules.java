package io.nexus.financial.exam;

import io.nexus.contracts.financial.Financial.RuleId;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Currency;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * An examination over one ledger and period: the examined entries (a temporary table of the
 * period's entries that are neither reversed nor reversals, with their amount: the sum of their
 * debits) and the rules that run over them, one {@link Rule} class each, registered by their
 * {@link RuleId}. Results are sorted, so the same data gives the same findings in the same order.
 */
public final class Rules {
  /** The examined entries, made once per examination on its connection. */
  static final String TABLE = "exam_entries";
  static final int MAX_EVIDENCE = 200;

  /** Every rule, by its id: each id has exactly one (checked when the class loads). */
  private static final Map<RuleId, Rule> REGISTRY = register(new BenfordRule(), new DuplicatePayments(),
      new DuplicateDocuments(), new RoundAmounts(), new WeekendsAndHolidays(), new AfterHours(), new BelowThreshold(),
      new Structuring(), new NewCounterparties(), new DocumentSequences(), new SuspenseAccounts());

  final SqlConnection c;
  final UUID ledger;
  final LocalDate from;
  final LocalDate to;
  final Settings s;
  final int scale;
  UUID[] paymentAccounts = new UUID[0];

  public Rules(SqlConnection c, UUID ledger, LocalDate from, LocalDate to, Settings s, String currency) {
    this.c = c;
    this.ledger = ledger;
    this.from = from;
    this.to = to;
    this.s = s;
    this.scale = Currency.getInstance(currency).getDefaultFractionDigits();
  }

  private static Map<RuleId, Rule> register(Rule... rules) {
    var out = new EnumMap<RuleId, Rule>(RuleId.class);
    for (Rule r : rules) {
      if (out.put(r.id(), r) != null) {
        throw new IllegalStateException("two rules for " + r.id());
      }
    }
    for (RuleId id : RuleId.values()) {
      if (id.examination() != out.containsKey(id)) {
        throw new IllegalStateException(id.examination() ? "no rule for " + id : "an examination rule for " + id
            + ", which other services raise");
      }
    }
    return java.util.Collections.unmodifiableMap(out);
  }

  /**
   * Makes the table of examined entries (in the caller's transaction); the number of entries.
   * An entry is a payment when it credits a payment account: one of the configured ones, else an
   * asset account named bank or cash.
   */
  public Future<Long> prepare() {
    // the table goes with the transaction (ON COMMIT DROP), so there is none from an earlier run
    return c.preparedQuery("SELECT array_agg(id) AS ids FROM accounts WHERE ledger_id = $1 AND (code = ANY($2) "
            + "OR (cardinality($2) = 0 AND type = 'asset' AND name ~* '(bank|cash)'))")
        .execute(Tuple.of(ledger, (Object) s.paymentAccounts().toArray(new String[0])))
        .compose(acc -> c.preparedQuery("CREATE TEMP TABLE " + TABLE + " ON COMMIT DROP AS "
                + "SELECT e.id, e.booking_date AS d, coalesce(e.entry_time, CASE WHEN e.import_id IS NULL "
                + "THEN (e.posted_at AT TIME ZONE $4)::time END) AS t, e.counterparty AS cp, e.document_number AS doc, "
                + "sum(x.debit) AS amount, bool_or(x.credit > 0 AND x.account_id = ANY($5)) AS paid "
                + "FROM entries e JOIN entry_lines x ON x.entry_id = e.id "
                + "WHERE e.ledger_id = $1 AND e.booking_date BETWEEN $2 AND $3 AND e.reverses IS NULL AND e.reversed_by IS NULL "
                + "GROUP BY e.id")
            .execute(Tuple.of(ledger, from, to, s.timezone().getId(), paymentAccounts(acc.iterator().next()))))
        .compose(rows -> c.query("ANALYZE " + TABLE).execute().map((long) rows.rowCount()));
  }

  /** Runs one rule. */
  public Future<List<Draft>> run(RuleId rule) {
    return REGISTRY.get(rule).find(this);
  }

  // ---- helpers ----

  private UUID[] paymentAccounts(Row r) {
    UUID[] ids = r.getArrayOfUUIDs("ids");
    paymentAccounts = ids == null ? new UUID[0] : ids;
    return paymentAccounts;
  }

  static List<UUID> ids(Row r) {
    UUID[] ids = r.getArrayOfUUIDs("ids");
    if (ids == null) {
      return List.of();
    }
    var out = new ArrayList<>(Arrays.asList(ids));
    out.sort(Comparator.naturalOrder());
    return out.size() > MAX_EVIDENCE ? List.copyOf(out.subList(0, MAX_EVIDENCE)) : List.copyOf(out);
  }

  static List<String> sorted(String[] xs) {
    var out = new ArrayList<>(Arrays.asList(xs));
    out.sort(Comparator.naturalOrder());
    return out;
  }

  /** An amount in the ledger currency's scale. */
  String money(BigDecimal amount) {
    return amount.setScale(scale, RoundingMode.HALF_EVEN).toPlainString();
  }
}
