package io.nexus.financial.exam;

import io.nexus.contracts.financial.Financial.Figure;
import io.nexus.financial.Benford;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Currency;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.UUID;

/**
 * The examination rules, each one or two queries over the examined entries (a temporary table
 * of the period's entries that are neither reversed nor reversals, with their amount: the sum
 * of their debits) and a little arithmetic here. Results are sorted, so the same data gives
 * the same findings in the same order.
 */
public final class Rules {
  /** The examined entries, made once per examination on its connection. */
  static final String TABLE = "exam_entries";
  private static final int MAX_EVIDENCE = 200;

  private final SqlConnection c;
  private final UUID ledger;
  private final LocalDate from;
  private final LocalDate to;
  private final Settings s;
  private final int scale;
  private UUID[] paymentAccounts = new UUID[0];

  public Rules(SqlConnection c, UUID ledger, LocalDate from, LocalDate to, Settings s, String currency) {
    this.c = c;
    this.ledger = ledger;
    this.from = from;
    this.to = to;
    this.s = s;
    this.scale = Currency.getInstance(currency).getDefaultFractionDigits();
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
  public Future<List<Draft>> run(String rule) {
    return switch (rule) {
      case "benford" -> benford();
      case "duplicate-payment" -> duplicatePayments();
      case "duplicate-document" -> duplicateDocuments();
      case "round-amount" -> roundAmounts();
      case "weekend-holiday" -> weekendsAndHolidays();
      case "after-hours" -> afterHours();
      case "below-threshold" -> belowThreshold();
      case "structuring" -> structuring();
      case "new-counterparty" -> newCounterparties();
      case "document-sequence" -> documentSequences();
      case "suspense-account" -> suspenseAccounts();
      default -> throw new IllegalArgumentException("unknown rule " + rule);
    };
  }

  // ---- duplicates ----

  /** Same counterparty and amount within the window: every such entry, grouped by counterparty and amount. */
  private Future<List<Draft>> duplicatePayments() {
    return c.preparedQuery("SELECT cp, amount, array_agg(id ORDER BY d, id) AS ids, min(d) AS first, max(d) AS last "
            + "FROM (SELECT id, cp, amount, d, d - lag(d) OVER w AS before, lead(d) OVER w - d AS after FROM " + TABLE
            + " WHERE cp IS NOT NULL AND paid WINDOW w AS (PARTITION BY cp, amount ORDER BY d, id)) z "
            + "WHERE before <= $1 OR after <= $1 GROUP BY cp, amount ORDER BY cp, amount")
        .execute(Tuple.of(s.duplicateWindowDays()))
        .map(rows -> {
          var out = new ArrayList<Draft>();
          for (Row r : rows) {
            List<UUID> ids = ids(r);
            BigDecimal amount = r.getBigDecimal("amount");
            String a = money(amount);
            out.add(new Draft("duplicate-payment", r.getString("cp") + "|" + a,
                ids.size() >= 3 || amount.compareTo(s.approvalThreshold()) >= 0 ? "high" : "medium", ids.size(),
                ids.size() + " payments of " + a + " to " + r.getString("cp") + " within " + s.duplicateWindowDays() + " days",
                r.getString("cp") + " was paid " + a + " " + ids.size() + " times between " + r.getLocalDate("first") + " and "
                    + r.getLocalDate("last") + ", each within " + s.duplicateWindowDays()
                    + " days of another. Paying the same amount to the same party twice in a short time is the typical "
                    + "pattern of a duplicate payment; check that each has its own invoice and delivery.",
                ids, List.of(new Figure("amount", a), new Figure("payments", String.valueOf(ids.size())),
                    new Figure("windowDays", String.valueOf(s.duplicateWindowDays())))));
          }
          return out;
        });
  }

  /** The same counterparty with the same document number once normalised (case, punctuation, leading zeros). */
  private Future<List<Draft>> duplicateDocuments() {
    return c.query("SELECT cp, nd, array_agg(id ORDER BY d, id) AS ids, array_agg(DISTINCT doc) AS docs, sum(amount) AS total "
            + "FROM (SELECT id, cp, d, doc, amount, regexp_replace(regexp_replace(upper(doc), '[^A-Z0-9]', '', 'g'), "
            + "'(^|[^0-9])0+([0-9])', '\\1\\2', 'g') AS nd FROM " + TABLE + " WHERE cp IS NOT NULL AND doc IS NOT NULL) z "
            + "WHERE nd <> '' GROUP BY cp, nd HAVING count(*) > 1 ORDER BY cp, nd")
        .execute()
        .map(rows -> {
          var out = new ArrayList<Draft>();
          for (Row r : rows) {
            List<UUID> ids = ids(r);
            String docs = String.join(", ", sorted(r.getArrayOfStrings("docs")));
            out.add(new Draft("duplicate-document", r.getString("cp") + "|" + r.getString("nd"), "high", ids.size(),
                "Document " + r.getString("nd") + " of " + r.getString("cp") + " booked " + ids.size() + " times",
                ids.size() + " entries for " + r.getString("cp") + " carry the same document number (" + docs
                    + ", the same once case, punctuation and leading zeros are ignored), together " + money(r.getBigDecimal("total"))
                    + ". One invoice booked twice is how duplicate payments are made; check which entry is the real one.",
                ids, List.of(new Figure("document", r.getString("nd")), new Figure("as written", docs),
                    new Figure("entries", String.valueOf(ids.size())), new Figure("total", money(r.getBigDecimal("total"))))));
          }
          return out;
        });
  }

  // ---- amounts ----

  /** A counterparty most of whose amounts are round. */
  private Future<List<Draft>> roundAmounts() {
    return c.preparedQuery("SELECT cp, count(*) AS n, count(*) FILTER (WHERE amount >= $1 AND mod(amount, $1) = 0) AS round, "
            + "(array_agg(id ORDER BY d, id) FILTER (WHERE amount >= $1 AND mod(amount, $1) = 0)) AS ids FROM " + TABLE
            + " WHERE cp IS NOT NULL GROUP BY cp HAVING count(*) FILTER (WHERE amount >= $1 AND mod(amount, $1) = 0) >= $2 "
            + "ORDER BY cp")
        .execute(Tuple.of(s.roundUnit(), s.roundMinCount()))
        .map(rows -> {
          var out = new ArrayList<Draft>();
          for (Row r : rows) {
            long n = r.getLong("n");
            long round = r.getLong("round");
            double share = (double) round / n;
            if (share < s.roundMinShare()) {
              continue;
            }
            String pct = String.format(Locale.ROOT, "%.0f %%", share * 100);
            out.add(new Draft("round-amount", r.getString("cp") + "|" + from + "|" + to, share >= 0.8 ? "high" : "medium", share,
                pct + " of the amounts of " + r.getString("cp") + " are round",
                round + " of the " + n + " entries with " + r.getString("cp") + " are multiples of " + money(s.roundUnit())
                    + ". Real invoices rarely come to round sums; estimates, made-up invoices and kickbacks often do.",
                ids(r), List.of(new Figure("roundEntries", String.valueOf(round)), new Figure("entries", String.valueOf(n)),
                    new Figure("share", String.format(Locale.ROOT, "%.3f", share)), new Figure("unit", money(s.roundUnit())))));
          }
          return out;
        });
  }

  /** Amounts in the band just below the approval threshold, by counterparty. */
  private Future<List<Draft>> belowThreshold() {
    BigDecimal floor = s.thresholdFloor();
    return c.preparedQuery("SELECT coalesce(cp, '(no counterparty)') AS who, array_agg(id ORDER BY d, id) AS ids, "
            + "array_agg(amount ORDER BY d, id) AS amounts FROM " + TABLE + " WHERE paid AND amount >= $1 AND amount < $2 "
            + "GROUP BY 1 ORDER BY 1")
        .execute(Tuple.of(floor, s.approvalThreshold()))
        .map(rows -> {
          var out = new ArrayList<Draft>();
          for (Row r : rows) {
            List<UUID> ids = ids(r);
            String amounts = String.join(", ", Arrays.stream(r.getArrayOfBigDecimals("amounts")).map(this::money).toList());
            out.add(new Draft("below-threshold", r.getString("who") + "|" + from + "|" + to, ids.size() >= 3 ? "high" : "medium",
                ids.size(), ids.size() + " amount" + (ids.size() == 1 ? "" : "s") + " to " + r.getString("who")
                    + " just below the approval threshold of " + money(s.approvalThreshold()),
                r.getString("who") + " has " + ids.size() + " entr" + (ids.size() == 1 ? "y" : "ies") + " between "
                    + money(floor) + " and " + money(s.approvalThreshold()) + " (" + amounts + "). Amounts kept just under an "
                    + "approval limit suggest the limit is being avoided.",
                ids, List.of(new Figure("threshold", money(s.approvalThreshold())), new Figure("from", money(floor)),
                    new Figure("amounts", amounts))));
          }
          return out;
        });
  }

  /** Payments below the threshold to one counterparty within the window that together reach it. */
  private Future<List<Draft>> structuring() {
    return c.preparedQuery("SELECT cp, d, id, amount, sum(amount) OVER w AS total, count(*) OVER w AS n FROM " + TABLE
            + " WHERE cp IS NOT NULL AND paid AND amount < $1 "
            + "WINDOW w AS (PARTITION BY cp ORDER BY d RANGE BETWEEN $2::int * interval '1 day' PRECEDING AND CURRENT ROW) "
            + "ORDER BY cp, d, id")
        .execute(Tuple.of(s.approvalThreshold(), s.structuringWindowDays()))
        .map(rows -> {
          // per counterparty: the entries of every window that reaches the threshold, overlapping windows merged
          var byCp = new LinkedHashMap<String, List<Payment>>();
          var hits = new LinkedHashMap<String, List<LocalDate>>();
          for (Row r : rows) {
            String cp = r.getString("cp");
            byCp.computeIfAbsent(cp, k -> new ArrayList<>()).add(new Payment(r.getUUID("id"), r.getLocalDate("d"),
                r.getBigDecimal("amount")));
            if (r.getLong("n") >= 2 && r.getBigDecimal("total").compareTo(s.approvalThreshold()) >= 0) {
              hits.computeIfAbsent(cp, k -> new ArrayList<>()).add(r.getLocalDate("d"));
            }
          }
          var out = new ArrayList<Draft>();
          for (var h : hits.entrySet()) {
            List<Payment> all = byCp.get(h.getKey());
            LocalDate start = null;
            LocalDate end = null;
            for (LocalDate windowEnd : h.getValue()) {
              LocalDate windowStart = windowEnd.minusDays(s.structuringWindowDays());
              if (start != null && !windowStart.isAfter(end)) {
                end = windowEnd;
                continue;
              }
              if (start != null) {
                out.add(cluster(h.getKey(), all, start, end));
              }
              start = windowStart;
              end = windowEnd;
            }
            out.add(cluster(h.getKey(), all, start, end));
          }
          return out;
        });
  }

  private record Payment(UUID id, LocalDate d, BigDecimal amount) {}

  /** The structuring finding for the payments of {@code cp} from {@code start} to {@code end}. */
  private Draft cluster(String cp, List<Payment> all, LocalDate start, LocalDate end) {
    var ids = new ArrayList<UUID>();
    var amounts = new ArrayList<String>();
    BigDecimal total = BigDecimal.ZERO;
    LocalDate first = null;
    for (Payment p : all) {
      if (!p.d().isBefore(start) && !p.d().isAfter(end)) {
        ids.add(p.id());
        amounts.add(money(p.amount()));
        total = total.add(p.amount());
        first = first == null ? p.d() : first;
      }
    }
    ids.sort(Comparator.naturalOrder());
    return new Draft("structuring", cp + "|" + first, "high", total.divide(s.approvalThreshold(), 4, RoundingMode.HALF_EVEN)
        .doubleValue(), ids.size() + " payments to " + cp + " below the threshold add up to " + money(total),
        cp + " received " + ids.size() + " payments (" + String.join(", ", amounts) + ") within " + s.structuringWindowDays()
            + " days from " + first + ", each under the approval threshold of " + money(s.approvalThreshold())
            + " and together " + money(total) + ". Splitting one payment into several small ones avoids approval.",
        ids, List.of(new Figure("total", money(total)), new Figure("threshold", money(s.approvalThreshold())),
            new Figure("payments", String.valueOf(ids.size())), new Figure("windowDays",
                String.valueOf(s.structuringWindowDays()))));
  }

  // ---- dates and times ----

  private Future<List<Draft>> weekendsAndHolidays() {
    return c.preparedQuery("SELECT d, array_agg(id ORDER BY id) AS ids, sum(amount) AS total FROM " + TABLE
            + " WHERE extract(isodow FROM d) IN (6, 7) OR d = ANY($1) GROUP BY d ORDER BY d")
        .execute(Tuple.of((Object) s.holidays().toArray(new LocalDate[0])))
        .map(rows -> {
          var out = new ArrayList<Draft>();
          for (Row r : rows) {
            LocalDate d = r.getLocalDate("d");
            List<UUID> ids = ids(r);
            boolean holiday = s.holidays().contains(d);
            String day = holiday ? "the holiday " + d : d.getDayOfWeek().getDisplayName(java.time.format.TextStyle.FULL,
                Locale.ENGLISH) + " " + d;
            BigDecimal total = r.getBigDecimal("total");
            out.add(new Draft("weekend-holiday", d.toString(), total.compareTo(s.approvalThreshold()) >= 0 ? "medium" : "low",
                ids.size(), ids.size() + " entr" + (ids.size() == 1 ? "y" : "ies") + " booked on " + day,
                ids.size() + " entr" + (ids.size() == 1 ? "y was" : "ies were") + " booked on " + day + ", together "
                    + money(total) + ". Postings on days the business is closed escape the usual review.",
                ids, List.of(new Figure("date", d.toString()), new Figure("kind", holiday ? "holiday"
                    : d.getDayOfWeek() == DayOfWeek.SATURDAY ? "saturday" : "sunday"), new Figure("total", money(total)))));
          }
          return out;
        });
  }

  private Future<List<Draft>> afterHours() {
    return c.preparedQuery("SELECT d, array_agg(id ORDER BY t, id) AS ids, array_agg(t::text ORDER BY t, id) AS times, "
            + "sum(amount) AS total FROM " + TABLE + " WHERE t IS NOT NULL AND (t < $1 OR t >= $2) GROUP BY d ORDER BY d")
        .execute(Tuple.of(s.businessHoursStart(), s.businessHoursEnd()))
        .map(rows -> {
          var out = new ArrayList<Draft>();
          for (Row r : rows) {
            List<UUID> ids = ids(r);
            String times = String.join(", ", Arrays.stream(r.getArrayOfStrings("times")).map(t -> t.substring(0, 5)).toList());
            out.add(new Draft("after-hours", r.getLocalDate("d").toString(), "low", ids.size(),
                ids.size() + " entr" + (ids.size() == 1 ? "y" : "ies") + " recorded outside business hours on " + r.getLocalDate("d"),
                "On " + r.getLocalDate("d") + ", " + ids.size() + " entr" + (ids.size() == 1 ? "y was" : "ies were")
                    + " recorded at " + times + ", outside business hours (" + s.businessHoursStart() + "–"
                    + s.businessHoursEnd() + "), together " + money(r.getBigDecimal("total")) + ".",
                ids, List.of(new Figure("times", times), new Figure("businessHours", s.businessHoursStart() + "-"
                    + s.businessHoursEnd()), new Figure("total", money(r.getBigDecimal("total"))))));
          }
          return out;
        });
  }

  // ---- counterparties, documents, accounts ----

  /** A counterparty whose first payment in the whole ledger falls in the period and is large. */
  private Future<List<Draft>> newCounterparties() {
    return c.preparedQuery("WITH pay AS (SELECT e.counterparty AS cp, e.id, e.booking_date AS d, x.credit AS amount "
            + "FROM entries e JOIN entry_lines x ON x.entry_id = e.id WHERE e.ledger_id = $1 AND e.counterparty IS NOT NULL "
            + "AND e.reverses IS NULL AND e.reversed_by IS NULL AND x.credit > 0 AND x.account_id = ANY($4)), "
            + "first AS (SELECT DISTINCT ON (cp) cp, id, d FROM pay ORDER BY cp, d, id) "
            + "SELECT f.cp, f.id, f.d, (SELECT sum(amount) FROM pay WHERE pay.id = f.id) AS amount FROM first f "
            + "WHERE f.d BETWEEN $2 AND $3 ORDER BY f.cp")
        .execute(Tuple.of(ledger, from, to, paymentAccounts))
        .map(rows -> {
          var out = new ArrayList<Draft>();
          for (Row r : rows) {
            BigDecimal amount = r.getBigDecimal("amount");
            if (amount.compareTo(s.newCounterpartyAmount()) < 0) {
              continue;
            }
            out.add(new Draft("new-counterparty", r.getString("cp") + "|", amount.compareTo(s.newCounterpartyAmount().multiply(
                BigDecimal.valueOf(3))) >= 0 ? "high" : "medium", amount.divide(s.newCounterpartyAmount(), 4,
                RoundingMode.HALF_EVEN).doubleValue(),
                "First payment to " + r.getString("cp") + " is " + money(amount),
                r.getString("cp") + " is paid for the first time on " + r.getLocalDate("d") + ", " + money(amount)
                    + ", at or above " + money(s.newCounterpartyAmount()) + ". A large first payment to an unknown party is how "
                    + "fictitious vendors are paid; check the vendor's master data and approval.",
                List.of(r.getUUID("id")), List.of(new Figure("amount", money(amount)), new Figure("firstDate",
                    r.getLocalDate("d").toString()), new Figure("limit", money(s.newCounterpartyAmount())))));
          }
          return out;
        });
  }

  /** Document numbers that form a sequence (prefix + number, dense): gaps in it and numbers used twice. */
  private Future<List<Draft>> documentSequences() {
    return c.query("SELECT prefix, num, array_agg(id ORDER BY d, id) AS ids FROM (SELECT id, d, "
            + "substring(doc FROM '^(.*?)[0-9]+$') AS prefix, substring(doc FROM '([0-9]{1,18})$')::bigint AS num FROM " + TABLE
            + " WHERE doc ~ '[0-9]$') z GROUP BY prefix, num ORDER BY prefix, num")
        .execute()
        .map(rows -> {
          record Num(long num, List<UUID> ids) {}
          var byPrefix = new LinkedHashMap<String, List<Num>>();
          for (Row r : rows) {
            byPrefix.computeIfAbsent(r.getString("prefix"), k -> new ArrayList<>()).add(new Num(r.getLong("num"), ids(r)));
          }
          var out = new ArrayList<Draft>();
          for (var p : byPrefix.entrySet()) {
            List<Num> nums = p.getValue();
            long min = nums.get(0).num();
            long max = nums.get(nums.size() - 1).num();
            double density = (double) nums.size() / (max - min + 1);
            if (nums.size() < s.sequenceMinCount() || density < s.sequenceMinDensity()) {
              continue;
            }
            String prefix = p.getKey();
            var missing = new ArrayList<Long>();
            long expected = min;
            for (Num n : nums) {
              for (long m = expected; m < n.num() && missing.size() < MAX_EVIDENCE; m++) {
                missing.add(m);
              }
              expected = n.num() + 1;
              if (n.ids().size() > 1) {
                out.add(new Draft("document-sequence", prefix + "|repeat|" + n.num(), "medium", n.ids().size(),
                    "Document " + prefix + n.num() + " is used " + n.ids().size() + " times",
                    "In the numbered sequence " + prefix + min + "…" + prefix + max + ", number " + n.num() + " appears on "
                        + n.ids().size() + " entries. A number used twice means a document was copied or re-entered.",
                    n.ids(), List.of(new Figure("prefix", prefix), new Figure("number", String.valueOf(n.num())),
                        new Figure("entries", String.valueOf(n.ids().size())))));
              }
            }
            long gaps = (max - min + 1) - nums.size();
            if (gaps > 0) {
              var neighbours = new ArrayList<UUID>();
              for (int i = 1; i < nums.size() && neighbours.size() < MAX_EVIDENCE; i++) {
                if (nums.get(i).num() != nums.get(i - 1).num() + 1) {
                  neighbours.addAll(nums.get(i - 1).ids());
                  neighbours.addAll(nums.get(i).ids());
                }
              }
              String list = String.join(", ", missing.stream().map(m -> prefix + m).toList()) + (gaps > missing.size() ? ", …" : "");
              out.add(new Draft("document-sequence", prefix + "|gaps|" + from + "|" + to, gaps >= 5 ? "medium" : "low", gaps,
                  gaps + " number" + (gaps == 1 ? "" : "s") + " missing from the sequence " + prefix + min + "…" + prefix + max,
                  "The documents " + prefix + min + " to " + prefix + max + " form a sequence, but " + list
                      + (gaps == 1 ? " is" : " are") + " not booked. Missing numbers can be voided documents, or documents kept "
                      + "out of the books; the evidence is the entries on either side of each gap.",
                  neighbours.stream().distinct().sorted().toList(), List.of(new Figure("prefix", prefix),
                      new Figure("first", String.valueOf(min)), new Figure("last", String.valueOf(max)),
                      new Figure("missing", list))));
            }
          }
          return out;
        });
  }

  /** Entries on suspense or clearing accounts, and what is left on them at the end of the period. */
  private Future<List<Draft>> suspenseAccounts() {
    return c.preparedQuery("SELECT a.code, a.name, (SELECT coalesce(sum(x.debit - x.credit), 0) FROM entry_lines x "
            + "JOIN entries e ON e.id = x.entry_id WHERE x.account_id = a.id AND e.booking_date <= $3) AS balance, "
            + "(SELECT array_agg(DISTINCT x.entry_id) FROM entry_lines x JOIN " + TABLE + " t ON t.id = x.entry_id "
            + "WHERE x.account_id = a.id) AS ids FROM accounts a WHERE a.ledger_id = $1 AND (a.code = ANY($2) "
            + "OR a.name ~* '(suspense|clearing|sundry|unallocated)') ORDER BY a.code")
        .execute(Tuple.of(ledger, s.suspenseAccounts().toArray(new String[0]), to))
        .map(rows -> {
          var out = new ArrayList<Draft>();
          for (Row r : rows) {
            List<UUID> ids = ids(r);
            if (ids.isEmpty()) {
              continue;
            }
            BigDecimal balance = r.getBigDecimal("balance");
            boolean open = balance.signum() != 0;
            out.add(new Draft("suspense-account", r.getString("code") + "|" + from + "|" + to, open ? "high" : "low",
                ids.size(), ids.size() + " entr" + (ids.size() == 1 ? "y" : "ies") + " on suspense account " + r.getString("code")
                    + (open ? ", " + money(balance.abs()) + " not cleared" : ""),
                "Account " + r.getString("code") + " (" + r.getString("name") + ") is a suspense or clearing account; "
                    + ids.size() + " entr" + (ids.size() == 1 ? "y" : "ies") + " in the period used it"
                    + (open ? " and its balance on " + to + " is " + money(balance) + ", not zero"
                        : " and it was cleared by " + to) + ". Amounts parked there have not been explained yet.",
                ids.size() > MAX_EVIDENCE ? ids.subList(0, MAX_EVIDENCE) : ids, List.of(new Figure("account", r.getString("code")),
                    new Figure("entries", String.valueOf(ids.size())), new Figure("balance", money(balance)))));
          }
          return out;
        });
  }

  // ---- Benford ----

  /**
   * Leading digits per ledger, account and counterparty (first and first two digits), each
   * distinct amount counted once per scope: nonconforming groups.
   */
  private Future<List<Draft>> benford() {
    // each distinct amount once per scope: an invoice and the payment that settles it are one amount, not two
    return c.query("SELECT a.code AS account, t.cp, lead, count(DISTINCT z.amount) AS n FROM (SELECT x.entry_id, x.account_id, "
            + "x.debit + x.credit AS amount, left(replace((x.debit + x.credit)::text, '.', ''), 2)::int AS lead FROM entry_lines x "
            + "JOIN " + TABLE + " t ON t.id = x.entry_id WHERE x.debit + x.credit >= 10) z JOIN " + TABLE + " t ON t.id = z.entry_id "
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
                  digits == 1 ? s.benfordMinSample() : 10 * s.benfordMinSample());
              if ("nonconforming".equals(res.conformity())) {
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
            chain = chain.compose(v -> benfordEvidence(kind, digits, w.getValue()).onSuccess(found -> found.forEach((val, ids) ->
                evidence.put(scope(kind, val) + "|" + digits, ids))));
          }
          return chain.map(v -> {
            var out = new ArrayList<Draft>();
            for (Hit h : hits) {
              Benford.Result res = h.res();
              Benford.Bucket worst = h.worst();
              String scope = h.scope();
              int d = h.digits();
              out.add(new Draft("benford", scope + "|" + d + "|" + from + "|" + to, scope.equals("ledger") ? "high" : "medium",
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
                      new Figure("overRepresented", String.valueOf(worst.digits())))));
            }
            out.sort(Comparator.comparing(Draft::key));
            return out;
          });
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

  /**
   * Up to 200 entries per scope whose amounts start with the scope's over-represented digits,
   * for every scope of one kind in one pass over the lines.
   */
  private Future<Map<String, List<UUID>>> benfordEvidence(String kind, int digits, Map<String, String> leads) {
    String value = switch (kind) {
      case "account" -> "a.code";
      case "counterparty" -> "t.cp";
      default -> "''";
    };
    String[] vals = leads.keySet().toArray(new String[0]);
    String[] lead = java.util.Arrays.stream(vals).map(leads::get).toArray(String[]::new);
    return c.preparedQuery("SELECT val, (array_agg(id ORDER BY id))[1:" + MAX_EVIDENCE + "] AS ids FROM (SELECT DISTINCT "
            + value + " AS val, left(replace((x.debit + x.credit)::text, '.', ''), " + digits + ") AS lead, t.id "
            + "FROM entry_lines x JOIN " + TABLE + " t ON t.id = x.entry_id JOIN accounts a ON a.id = x.account_id "
            + "WHERE x.debit + x.credit >= 10) z WHERE (val, lead) IN (SELECT * FROM unnest($1::text[], $2::text[])) GROUP BY val")
        .execute(Tuple.of((Object) vals, (Object) lead))
        .map(rows -> {
          var out = new java.util.HashMap<String, List<UUID>>();
          rows.forEach(r -> out.put(r.getString("val"), ids(r)));
          return out;
        });
  }

  // ---- helpers ----

  private UUID[] paymentAccounts(Row r) {
    UUID[] ids = r.getArrayOfUUIDs("ids");
    paymentAccounts = ids == null ? new UUID[0] : ids;
    return paymentAccounts;
  }

  private static List<UUID> ids(Row r) {
    UUID[] ids = r.getArrayOfUUIDs("ids");
    if (ids == null) {
      return List.of();
    }
    var out = new ArrayList<>(Arrays.asList(ids));
    out.sort(Comparator.naturalOrder());
    return out.size() > MAX_EVIDENCE ? List.copyOf(out.subList(0, MAX_EVIDENCE)) : List.copyOf(out);
  }

  private static List<String> sorted(String[] xs) {
    var out = new ArrayList<>(Arrays.asList(xs));
    out.sort(Comparator.naturalOrder());
    return out;
  }

  private String money(BigDecimal amount) {
    return amount.setScale(scale, RoundingMode.HALF_EVEN).toPlainString();
  }
}
