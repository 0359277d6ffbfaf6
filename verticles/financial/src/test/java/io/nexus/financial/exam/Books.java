package io.nexus.financial.exam;

import io.nexus.contracts.financial.Financial.RuleSettings;
import io.nexus.kernel.db.Database;
import io.nexus.kernel.db.PgConfig;
import io.nexus.kernel.testing.TestServers;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/** A ledger in a database of its own, written with plain SQL, and the rules run over it. */
final class Books implements AutoCloseable {
  static final LocalDate FROM = LocalDate.of(2025, 1, 1);
  static final LocalDate TO = LocalDate.of(2025, 12, 31);

  final Vertx vertx = Vertx.vertx();
  final PgConfig pg;
  final Pool pool;
  final UUID ledger = UUID.randomUUID();
  final Map<String, UUID> accounts = new HashMap<>();

  Books() {
    pg = new PgConfig(TestServers.freshDatabase(), 4);
    await(Database.migrate(vertx, pg, "financial"), 120);
    pool = Database.connect(vertx, pg, "financial").pool();
    sql("INSERT INTO ledgers (id, org, name, currency) VALUES ($1, $2, 'Test', 'EUR')", ledger, UUID.randomUUID());
    account("1000", "Bank", "asset");
    account("2000", "Accounts payable", "liability");
    account("4000", "Sales", "revenue");
    account("6000", "Expenses", "expense");
  }

  void account(String code, String name, String type) {
    UUID id = UUID.randomUUID();
    accounts.put(code, id);
    sql("INSERT INTO accounts (id, ledger_id, code, name, type) VALUES ($1, $2, $3, $4, $5)", id, ledger, code, name, type);
  }

  /** A two-line entry: debit one account, credit another. */
  UUID entry(LocalDate date, LocalTime time, String cp, String doc, String debit, String credit, String amount) {
    UUID id = UUID.randomUUID();
    sql("INSERT INTO entries (id, ledger_id, booking_date, entry_time, description, counterparty, document_number, posted_by) "
        + "VALUES ($1, $2, $3, $4, 'test', $5, $6, 'test')", id, ledger, date, time, cp, doc);
    BigDecimal a = new BigDecimal(amount);
    sql("INSERT INTO entry_lines (entry_id, line_no, account_id, debit, credit, currency) VALUES ($1, 1, $2, $3, 0, 'EUR'), "
        + "($1, 2, $4, 0, $3, 'EUR')", id, accounts.get(debit), a, accounts.get(credit));
    return id;
  }

  /** A payment to {@code cp}: debit payables, credit the bank. */
  UUID payment(LocalDate date, String cp, String amount) {
    return entry(date, LocalTime.NOON, cp, null, "2000", "1000", amount);
  }

  /** A sale to {@code cp} (not a payment). */
  UUID sale(LocalDate date, String cp, String amount) {
    return entry(date, LocalTime.NOON, cp, null, "1000", "4000", amount);
  }

  List<Draft> run(String rule, RuleSettings settings) {
    return run(rule, Settings.of(settings), FROM, TO);
  }

  List<Draft> run(String rule, Settings settings, LocalDate from, LocalDate to) {
    return run(io.nexus.contracts.Wire.parse(io.nexus.contracts.financial.Financial.RuleId.class, rule), settings, from, to);
  }

  List<Draft> run(io.nexus.contracts.financial.Financial.RuleId rule, Settings settings, LocalDate from, LocalDate to) {
    return await(pool.withTransaction(c -> {
      var rules = new Rules(c, ledger, from, to, settings, "EUR");
      return rules.prepare().compose(n -> rules.run(rule));
    }), 120);
  }

  void sql(String sql, Object... args) {
    await(pool.preparedQuery(sql).execute(Tuple.from(Arrays.asList(args))), 30);
  }

  /** Settings with one change: {@code field} = {@code value}. */
  static RuleSettings with(String field, Object value) {
    var json = new io.vertx.core.json.JsonObject().put(field, value);
    return io.nexus.contracts.Codec.fromJson(json, RuleSettings.class);
  }

  static <T> T await(io.vertx.core.Future<T> f, int seconds) {
    try {
      return f.await(seconds, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("timed out after " + seconds + " s", e);
    }
  }

  @Override
  public void close() {
    await(pool.close(), 30);
    await(vertx.close(), 30);
  }
}
