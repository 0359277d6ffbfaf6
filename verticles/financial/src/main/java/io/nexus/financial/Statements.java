package io.nexus.financial;

import io.nexus.contracts.financial.Financial.AccountType;
import io.nexus.contracts.financial.Financial.StatementKind;
import io.nexus.contracts.Principal;
import io.nexus.contracts.financial.Financial.Section;
import io.nexus.contracts.financial.Financial.Statement;
import io.nexus.contracts.financial.Financial.StatementLine;
import io.nexus.contracts.financial.Financial.StatementQuery;
import io.nexus.kernel.bus.Call;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Financial statements from the entries: the balance sheet as of a date (assets = liabilities +
 * equity + the result so far, per currency) and the income statement of a period. Amounts are
 * exact decimals in the currency's scale.
 */
final class Statements {
  private static final String SUMS = "SELECT a.code, a.name, a.type, x.currency, sum(x.debit) - sum(x.credit) AS net "
      + "FROM entry_lines x JOIN entries e ON e.id = x.entry_id JOIN accounts a ON a.id = x.account_id "
      + "WHERE e.ledger_id = $1 AND e.booking_date BETWEEN $2 AND $3 GROUP BY a.code, a.name, a.type, x.currency "
      + "ORDER BY x.currency, a.code";

  private final Pool pool;
  private final Ledger ledger;

  Statements(Pool pool, Ledger ledger) {
    this.pool = pool;
    this.ledger = ledger;
  }

  Future<Statement> balanceSheet(StatementQuery q, Call call) {
    Principal p = call.requirePrincipal();
    LocalDate to = q.to() == null ? LocalDate.now() : Ledger.date("to", q.to());
    return sums(p, q.ledgerId(), LocalDate.of(1, 1, 1), to).map(rows -> {
      var sections = new ArrayList<Section>();
      boolean balanced = true;
      for (String currency : currencies(rows)) {
        // assets carry debit balances; the other side carries credit balances, shown positive
        Section assets = section("assets", currency, rows, AccountType.ASSET);
        Section liabilities = section("liabilities", currency, rows, AccountType.LIABILITY);
        Section equity = section("equity", currency, rows, AccountType.EQUITY);
        BigDecimal result = total(rows, currency, AccountType.REVENUE).subtract(total(rows, currency, AccountType.EXPENSE));
        Section current = new Section("current result", currency, List.of(), Money.format(result, currency));
        sections.addAll(List.of(assets, liabilities, equity, current));
        BigDecimal right = new BigDecimal(liabilities.total()).add(new BigDecimal(equity.total())).add(result);
        balanced &= new BigDecimal(assets.total()).compareTo(right) == 0;
      }
      return new Statement(q.ledgerId(), StatementKind.BALANCE_SHEET, null, to.toString(), sections, balanced);
    });
  }

  Future<Statement> incomeStatement(StatementQuery q, Call call) {
    Principal p = call.requirePrincipal();
    LocalDate from = q.from() == null ? LocalDate.of(1, 1, 1) : Ledger.date("from", q.from());
    LocalDate to = q.to() == null ? LocalDate.now() : Ledger.date("to", q.to());
    return sums(p, q.ledgerId(), from, to).map(rows -> {
      var sections = new ArrayList<Section>();
      for (String currency : currencies(rows)) {
        Section revenue = section("revenue", currency, rows, AccountType.REVENUE);
        Section expenses = section("expenses", currency, rows, AccountType.EXPENSE);
        BigDecimal result = new BigDecimal(revenue.total()).subtract(new BigDecimal(expenses.total()));
        sections.addAll(List.of(revenue, expenses, new Section("result", currency, List.of(), Money.format(result, currency))));
      }
      return new Statement(q.ledgerId(), StatementKind.INCOME_STATEMENT, q.from() == null ? null : from.toString(), to.toString(),
          sections, true);
    });
  }

  private Future<List<Row>> sums(Principal p, String ledgerId, LocalDate from, LocalDate to) {
    return pool.withConnection(c -> ledger.ownLedger(c, p, ledgerId)
        .compose(l -> c.preparedQuery(SUMS).execute(Tuple.of(l, from, to)))
        .map(rows -> {
          var out = new ArrayList<Row>();
          rows.forEach(out::add);
          return out;
        }));
  }

  private static TreeSet<String> currencies(List<Row> rows) {
    var out = new TreeSet<String>();
    rows.forEach(r -> out.add(r.getString("currency")));
    return out;
  }

  /** The accounts of a type in a currency; {@code credit} shows credit balances as positive. */
  private static Section section(String name, String currency, List<Row> rows, AccountType type) {
    boolean credit = type.creditNormal();
    Map<String, StatementLine> lines = new LinkedHashMap<>();
    BigDecimal total = BigDecimal.ZERO;
    for (Row r : rows) {
      if (r.getString("currency").equals(currency) && r.getString("type").equals(type.wire())) {
        BigDecimal amount = credit ? r.getBigDecimal("net").negate() : r.getBigDecimal("net");
        total = total.add(amount);
        lines.put(r.getString("code"), new StatementLine(r.getString("code"), r.getString("name"), Money.format(amount, currency)));
      }
    }
    return new Section(name, currency, List.copyOf(lines.values()), Money.format(total, currency));
  }

  private static BigDecimal total(List<Row> rows, String currency, AccountType type) {
    boolean credit = type.creditNormal();
    BigDecimal total = BigDecimal.ZERO;
    for (Row r : rows) {
      if (r.getString("currency").equals(currency) && r.getString("type").equals(type.wire())) {
        total = total.add(credit ? r.getBigDecimal("net").negate() : r.getBigDecimal("net"));
      }
    }
    return total;
  }
}
