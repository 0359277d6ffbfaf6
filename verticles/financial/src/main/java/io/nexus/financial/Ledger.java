package io.nexus.financial;

import io.nexus.contracts.Wire;
import io.nexus.contracts.financial.Financial.AccountType;

import io.nexus.contracts.financial.Financial;

import io.nexus.contracts.financial.Financial.EntryReversed;

import io.nexus.contracts.Codec;
import io.nexus.contracts.Empty;
import io.nexus.contracts.ErrorCode;
import io.nexus.contracts.Principal;
import io.nexus.contracts.financial.Financial.AccountList;
import io.nexus.contracts.financial.Financial.AccountView;
import io.nexus.contracts.financial.Financial.BalanceLine;
import io.nexus.contracts.financial.Financial.CreateAccount;
import io.nexus.contracts.financial.Financial.CreateLedger;
import io.nexus.contracts.financial.Financial.EntryRef;
import io.nexus.contracts.financial.Financial.EntryView;
import io.nexus.contracts.financial.Financial.LedgerList;
import io.nexus.contracts.financial.Financial.LedgerRef;
import io.nexus.contracts.financial.Financial.LedgerView;
import io.nexus.contracts.financial.Financial.Line;
import io.nexus.contracts.financial.Financial.PostEntry;
import io.nexus.contracts.financial.Financial.ReverseEntry;
import io.nexus.contracts.financial.Financial.TrialBalance;
import io.nexus.contracts.financial.Financial.TrialBalanceQuery;
import io.nexus.kernel.bus.BusFailure;
import io.nexus.kernel.bus.Call;
import io.nexus.kernel.db.SqlStates;
import io.nexus.kernel.events.EventStore;
import io.nexus.kernel.events.NewEvent;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The double-entry ledger of an organisation: ledgers, chart of accounts, journal entries that
 * balance per currency, reversals, and the trial balance. Every read and write is scoped to the
 * caller's organisation; another organisation's ledger does not exist.
 */
final class Ledger {

  private final Pool pool;
  private final EventStore events;

  Ledger(Pool pool, EventStore events) {
    this.pool = pool;
    this.events = events;
  }

  Future<LedgerView> createLedger(CreateLedger req, Call call) {
    Principal p = call.requirePrincipal();
    Money.currency("currency", req.currency());
    UUID id = UUID.randomUUID();
    return pool.withTransaction(tx -> tx.preparedQuery("INSERT INTO ledgers (id, org, name, currency) VALUES ($1, $2, $3, $4) "
                + "RETURNING id, org, name, currency, created_at")
            .execute(Tuple.of(id, UUID.fromString(p.org()), req.name().trim(), req.currency()))
            .map(rows -> ledger(rows.iterator().next()))
            .compose(l -> events.append(tx, Financial.LEDGER_CREATED.stream(id), EventStore.NO_STREAM,
                List.of(NewEvent.of(Financial.LEDGER_CREATED, l)), call).map(l)))
        .recover(err -> Future.failedFuture(unique(err, "a ledger named " + req.name() + " already exists")));
  }

  Future<LedgerList> listLedgers(Empty req, Call call) {
    Principal p = call.requirePrincipal();
    return pool.preparedQuery("SELECT id, org, name, currency, created_at FROM ledgers WHERE org = $1 ORDER BY created_at, name")
        .execute(Tuple.of(UUID.fromString(p.org())))
        .map(rows -> {
          var out = new ArrayList<LedgerView>();
          rows.forEach(r -> out.add(ledger(r)));
          return new LedgerList(out);
        });
  }

  Future<AccountView> createAccount(CreateAccount req, Call call) {
    Principal p = call.requirePrincipal();
    UUID id = UUID.randomUUID();
    return pool.withTransaction(tx -> ownLedger(tx, p, req.ledgerId())
            .compose(l -> tx.preparedQuery("INSERT INTO accounts (id, ledger_id, code, name, type) VALUES ($1, $2, $3, $4, $5) "
                    + "RETURNING id, ledger_id, code, name, type, active")
                .execute(Tuple.of(id, l, req.code(), req.name(), req.type().wire())))
            .map(rows -> account(rows.iterator().next()))
            .compose(a -> events.append(tx, Financial.ACCOUNT_CREATED.stream(req.ledgerId()), EventStore.ANY,
                List.of(NewEvent.of(Financial.ACCOUNT_CREATED, a)), call).map(a)))
        .recover(err -> Future.failedFuture(unique(err, "account " + req.code() + " already exists in this ledger")));
  }

  Future<AccountList> listAccounts(LedgerRef req, Call call) {
    Principal p = call.requirePrincipal();
    return pool.withConnection(c -> ownLedger(c, p, req.ledgerId())
        .compose(l -> c.preparedQuery("SELECT id, ledger_id, code, name, type, active FROM accounts WHERE ledger_id = $1 "
            + "ORDER BY code").execute(Tuple.of(l)))
        .map(rows -> {
          var out = new ArrayList<AccountView>();
          rows.forEach(r -> out.add(account(r)));
          return new AccountList(out);
        }));
  }

  /**
   * Posts an entry. With the client's idempotency key the entry's id is derived from it, so a
   * late copy of the request (its first try timed out at the gateway, the client retried
   * elsewhere, then the first copy ran) finds the entry already there and answers with it
   * instead of posting it twice. The request itself is part of the id too: the same key reused
   * with another entry (after the gateway forgot the key) posts that entry, never answers with
   * the old one.
   */
  Future<EntryView> post(PostEntry req, Call call) {
    Principal p = call.requirePrincipal();
    LocalDate date = date("bookingDate", req.bookingDate());
    var amounts = checkLines(req.lines());
    UUID id = call.idempotencyKey() == null ? UUID.randomUUID()
        : UUID.nameUUIDFromBytes(("entry\u0000" + req.ledgerId() + "\u0000" + call.idempotencyKey() + "\u0000"
            + Codec.toJson(req).encode()).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    return pool.<EntryView>withTransaction(tx -> ownLedger(tx, p, req.ledgerId())
        .compose(l -> accountIds(tx, l, req.lines())
            .compose(ids -> insertEntry(tx, id, l, date, req.description(), req.counterparty(), req.documentNumber(),
                p.subject(), null, req.lines(), amounts, ids)))
        .compose(e -> events.append(tx, Financial.ENTRY_POSTED.stream(id), EventStore.NO_STREAM,
            List.of(NewEvent.of(Financial.ENTRY_POSTED, e)), call).map(e)))
        .recover(err -> call.idempotencyKey() != null && SqlStates.uniqueViolation(err, "entries_pkey")
            ? pool.withConnection(c -> ownLedger(c, p, req.ledgerId()).compose(l -> entry(c, l, id.toString(), false)))
            : Future.failedFuture(err));
  }

  Future<EntryView> reverse(ReverseEntry req, Call call) {
    Principal p = call.requirePrincipal();
    UUID id = UUID.randomUUID();
    return pool.withTransaction(tx -> ownLedger(tx, p, req.ledgerId())
        .compose(l -> entry(tx, l, req.entryId(), true))
        .compose(original -> {
          if (original.reversedBy() != null) {
            return Future.failedFuture(BusFailure.conflict("entry " + original.id() + " was already reversed by "
                + original.reversedBy()));
          }
          if (original.reverses() != null) {
            return Future.failedFuture(new BusFailure(ErrorCode.UNPROCESSABLE, "entry " + original.id()
                + " is itself a reversal; post a new entry instead"));
          }
          LocalDate date = req.bookingDate() == null ? LocalDate.parse(original.bookingDate()) : date("bookingDate", req.bookingDate());
          var lines = original.lines().stream().map(x -> new Line(x.account(), x.credit(), x.debit(), x.currency())).toList();
          var amounts = checkLines(lines);
          UUID ledger = UUID.fromString(original.ledgerId());
          String description = "Reversal of " + original.id() + (req.reason() == null ? "" : ": " + req.reason());
          return accountIds(tx, ledger, lines)
              .compose(ids -> insertEntry(tx, id, ledger, date, description, original.counterparty(), original.documentNumber(),
                  p.subject(), UUID.fromString(original.id()), lines, amounts, ids))
              .compose(reversal -> tx.preparedQuery("UPDATE entries SET reversed_by = $2 WHERE id = $1")
                  .execute(Tuple.of(UUID.fromString(original.id()), id))
                  .compose(v -> events.append(tx, Financial.ENTRY_POSTED.stream(id), EventStore.NO_STREAM,
                      List.of(NewEvent.of(Financial.ENTRY_POSTED, reversal)), call))
                  .compose(v -> events.append(tx, Financial.ENTRY_REVERSED.stream(original.id()), EventStore.ANY,
                      List.of(NewEvent.of(Financial.ENTRY_REVERSED, new EntryReversed(original.id(), id.toString(),
                          req.reason()))), call))
                  .map(reversal));
        }));
  }

  Future<EntryView> get(EntryRef req, Call call) {
    Principal p = call.requirePrincipal();
    return pool.withConnection(c -> ownLedger(c, p, req.ledgerId()).compose(l -> entry(c, l, req.entryId(), false)));
  }

  Future<TrialBalance> trialBalance(TrialBalanceQuery req, Call call) {
    Principal p = call.requirePrincipal();
    LocalDate asOf = req.asOf() == null ? LocalDate.now() : date("asOf", req.asOf());
    return pool.withConnection(c -> ownLedger(c, p, req.ledgerId())
        .compose(l -> c.preparedQuery("SELECT a.code, a.name, a.type, x.currency, sum(x.debit) AS debit, sum(x.credit) AS credit "
                + "FROM entry_lines x JOIN entries e ON e.id = x.entry_id JOIN accounts a ON a.id = x.account_id "
                + "WHERE e.ledger_id = $1 AND e.booking_date <= $2 GROUP BY a.code, a.name, a.type, x.currency "
                + "ORDER BY a.code, x.currency")
            .execute(Tuple.of(l, asOf)))
        .map(rows -> {
          var lines = new ArrayList<BalanceLine>();
          var net = new HashMap<String, BigDecimal>();
          for (Row r : rows) {
            String cur = r.getString("currency");
            BigDecimal d = r.getBigDecimal("debit");
            BigDecimal cr = r.getBigDecimal("credit");
            net.merge(cur, d.subtract(cr), BigDecimal::add);
            lines.add(new BalanceLine(r.getString("code"), r.getString("name"), Wire.parse(AccountType.class, r.getString("type")), cur,
                Money.format(d, cur), Money.format(cr, cur), Money.format(d.subtract(cr), cur)));
          }
          boolean balanced = net.values().stream().allMatch(v -> v.signum() == 0);
          return new TrialBalance(req.ledgerId(), asOf.toString(), lines, balanced);
        }));
  }

  // ---- helpers ----

  /** Checks every line (one side, positive, in the currency's scale) and that each currency balances. */
  private static List<Money> checkLines(List<Line> lines) {
    var out = new ArrayList<Money>();
    var net = new LinkedHashMap<String, BigDecimal>();
    for (int i = 0; i < lines.size(); i++) {
      Line l = lines.get(i);
      String field = "lines[" + i + "]";
      if ((l.debit() == null) == (l.credit() == null)) {
        throw new BusFailure(ErrorCode.UNPROCESSABLE, field + ": give exactly one of debit and credit");
      }
      Money m = Money.positive(field + (l.debit() != null ? ".debit" : ".credit"), l.debit() != null ? l.debit() : l.credit(),
          l.currency());
      out.add(m);
      net.merge(l.currency(), l.debit() != null ? m.amount() : m.amount().negate(), BigDecimal::add);
    }
    String imbalance = EntryRules.imbalance(net);
    if (imbalance != null) {
      throw new BusFailure(ErrorCode.UNPROCESSABLE, "the entry " + imbalance);
    }
    return out;
  }

  /** The ledger's id when it belongs to the caller's organisation; 404 otherwise. */
  Future<UUID> ownLedger(SqlConnection c, Principal p, String ledgerId) {
    UUID id = uuid(ledgerId);
    if (id == null) {
      return Future.failedFuture(BusFailure.notFound("no ledger " + ledgerId));
    }
    return c.preparedQuery("SELECT id FROM ledgers WHERE id = $1 AND org = $2").execute(Tuple.of(id, UUID.fromString(p.org())))
        .compose(rows -> rows.size() == 0 ? Future.failedFuture(BusFailure.notFound("no ledger " + ledgerId))
            : Future.succeededFuture(id));
  }

  /**
   * One row of a ledger's table by id, read by the caller (viewer): 404 naming {@code what}
   * when the ledger is not the caller's, the id is malformed or there is no such row.
   */
  <T> Future<T> one(Principal p, String ledgerId, String what, String id, String select,
      java.util.function.Function<Row, T> view) {
    UUID uid = uuid(id);
    return pool.withConnection(c -> ownLedger(c, p, ledgerId)
        .compose(l -> uid == null ? Future.failedFuture(BusFailure.notFound("no " + what + " " + id))
            : c.preparedQuery(select + " WHERE id = $1 AND ledger_id = $2").execute(Tuple.of(uid, l)))
        .map(rows -> {
          if (rows.size() == 0) {
            throw BusFailure.notFound("no " + what + " " + id);
          }
          return view.apply(rows.iterator().next());
        }));
  }

  /** The ids of the lines' accounts, by code; 422 naming the first unknown or inactive one. */
  private Future<Map<String, UUID>> accountIds(SqlConnection c, UUID ledger, List<Line> lines) {
    String[] codes = lines.stream().map(Line::account).distinct().toArray(String[]::new);
    return c.preparedQuery("SELECT code, id, active FROM accounts WHERE ledger_id = $1 AND code = ANY($2)")
        .execute(Tuple.of(ledger, (Object) codes))
        .map(rows -> {
          var ids = new HashMap<String, UUID>();
          var inactive = new ArrayList<String>();
          for (Row r : rows) {
            ids.put(r.getString("code"), r.getUUID("id"));
            if (!r.getBoolean("active")) {
              inactive.add(r.getString("code"));
            }
          }
          for (int i = 0; i < lines.size(); i++) {
            if (!ids.containsKey(lines.get(i).account())) {
              throw new BusFailure(ErrorCode.UNPROCESSABLE, "lines[" + i + "].account: no account " + lines.get(i).account()
                  + " in this ledger");
            }
            if (inactive.contains(lines.get(i).account())) {
              throw new BusFailure(ErrorCode.UNPROCESSABLE, "lines[" + i + "].account: account " + lines.get(i).account()
                  + " is inactive");
            }
          }
          return ids;
        });
  }

  private Future<EntryView> insertEntry(SqlConnection tx, UUID id, UUID ledger, LocalDate date, String description,
      String counterparty, String documentNumber, String postedBy, UUID reverses, List<Line> lines, List<Money> amounts,
      Map<String, UUID> accounts) {
    int n = lines.size();
    var lineNos = new Integer[n];
    var accountIds = new UUID[n];
    var debits = new BigDecimal[n];
    var credits = new BigDecimal[n];
    var currencies = new String[n];
    var shown = new ArrayList<Line>(n);
    for (int i = 0; i < n; i++) {
      Line l = lines.get(i);
      Money m = amounts.get(i);
      lineNos[i] = i + 1;
      accountIds[i] = accounts.get(l.account());
      debits[i] = l.debit() != null ? m.amount() : BigDecimal.ZERO;
      credits[i] = l.credit() != null ? m.amount() : BigDecimal.ZERO;
      currencies[i] = l.currency();
      String amount = m.amount().toPlainString();
      shown.add(new Line(l.account(), l.debit() != null ? amount : null, l.credit() != null ? amount : null, l.currency()));
    }
    return tx.preparedQuery("INSERT INTO entries (id, ledger_id, booking_date, description, counterparty, document_number, "
            + "posted_by, reverses) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING posted_at")
        .execute(Tuple.from(java.util.Arrays.asList(id, ledger, date, description, counterparty, documentNumber, postedBy,
            reverses)))
        .compose(rows -> tx.preparedQuery("INSERT INTO entry_lines (entry_id, line_no, account_id, debit, credit, currency) "
                + "SELECT $1, n, a, d, c, cur FROM unnest($2::int[], $3::uuid[], $4::numeric[], $5::numeric[], $6::text[]) "
                + "AS x(n, a, d, c, cur)")
            .execute(Tuple.of(id, lineNos, accountIds, debits, credits, currencies))
            .map(v -> new EntryView(id.toString(), ledger.toString(), date.toString(), description, counterparty,
                documentNumber, postedBy, rows.iterator().next().getOffsetDateTime("posted_at").toString(),
                reverses == null ? null : reverses.toString(), null, shown, null)));
  }

  /** One entry of a ledger with its lines; 404 when not there. */
  Future<EntryView> entry(SqlConnection c, UUID ledger, String entryId, boolean lock) {
    UUID id = uuid(entryId);
    if (id == null) {
      return Future.failedFuture(BusFailure.notFound("no entry " + entryId));
    }
    return entries(c, ledger, List.of(id), lock).compose(found -> found.isEmpty()
        ? Future.failedFuture(BusFailure.notFound("no entry " + entryId)) : Future.succeededFuture(found.get(0)));
  }

  /** Entries of a ledger with their lines, in the order of {@code ids}, in two queries; missing ids are left out. */
  Future<List<EntryView>> entries(SqlConnection c, UUID ledger, List<UUID> ids, boolean lock) {
    if (ids.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    UUID[] array = ids.toArray(new UUID[0]);
    return c.preparedQuery("SELECT id, ledger_id, booking_date, description, counterparty, document_number, posted_by, posted_at, "
            + "reverses, reversed_by, entry_time FROM entries WHERE id = ANY($1) AND ledger_id = $2" + (lock ? " FOR UPDATE" : ""))
        .execute(Tuple.of(array, ledger))
        .compose(heads -> c.preparedQuery("SELECT x.entry_id, a.code, x.debit, x.credit, x.currency FROM entry_lines x "
                + "JOIN accounts a ON a.id = x.account_id WHERE x.entry_id = ANY($1) ORDER BY x.entry_id, x.line_no")
            .execute(Tuple.of((Object) array))
            .map(lines -> {
              var linesOf = new HashMap<UUID, List<Line>>();
              for (Row l : lines) {
                String cur = l.getString("currency");
                BigDecimal d = l.getBigDecimal("debit");
                BigDecimal cr = l.getBigDecimal("credit");
                linesOf.computeIfAbsent(l.getUUID("entry_id"), k -> new ArrayList<>()).add(new Line(l.getString("code"),
                    d.signum() > 0 ? Money.format(d, cur) : null, cr.signum() > 0 ? Money.format(cr, cur) : null, cur));
              }
              var byId = new HashMap<UUID, EntryView>();
              for (Row e : heads) {
                UUID id = e.getUUID("id");
                byId.put(id, new EntryView(id.toString(), e.getUUID("ledger_id").toString(),
                    e.getLocalDate("booking_date").toString(), e.getString("description"), e.getString("counterparty"),
                    e.getString("document_number"), e.getString("posted_by"), e.getOffsetDateTime("posted_at").toString(),
                    e.getUUID("reverses") == null ? null : e.getUUID("reverses").toString(),
                    e.getUUID("reversed_by") == null ? null : e.getUUID("reversed_by").toString(),
                    linesOf.getOrDefault(id, List.of()),
                    e.getLocalTime("entry_time") == null ? null : e.getLocalTime("entry_time").toString()));
              }
              return ids.stream().filter(byId::containsKey).map(byId::get).toList();
            }));
  }

  private static LedgerView ledger(Row r) {
    return new LedgerView(r.getUUID("id").toString(), r.getUUID("org").toString(), r.getString("name"), r.getString("currency"),
        r.getOffsetDateTime("created_at").toString());
  }

  private static AccountView account(Row r) {
    return new AccountView(r.getUUID("id").toString(), r.getUUID("ledger_id").toString(), r.getString("code"),
        r.getString("name"), Wire.parse(AccountType.class, r.getString("type")), r.getBoolean("active"));
  }

  static LocalDate date(String field, String value) {
    return IsoDate.require(field, value);
  }

  static UUID uuid(String s) {
    try {
      return UUID.fromString(s);
    } catch (IllegalArgumentException | NullPointerException e) {
      return null;
    }
  }

  private static Throwable unique(Throwable err, String message) {
    return SqlStates.uniqueViolation(err) ? BusFailure.conflict(message) : err;
  }
}
