package io.nexus.financial.demo;

import io.nexus.contracts.financial.Financial.RuleId;
import java.io.IOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;

/**
 * Two years of a trading company's books, generated from a seed: share capital paid in, customers
 * invoiced and paying, goods suppliers and other vendors invoicing and paid on their terms, rent
 * and payroll, in proportions like a wholesaler's (goods about two thirds of sales, a few per cent
 * left as profit), in an import file, with planted
 * anomalies of every rule type and the list of what was planted. Amounts are log-uniform over
 * whole decades (so they follow Benford's law), dates are business days, times business hours,
 * own documents numbered without gaps: ordinary books the rules should stay quiet about, except
 * where something was planted.
 */
public final class DemoBooks {
  /** An account of the chart. */
  public record Account(String code, String name, String type) {}

  /**
   * What was planted: the rule that should find it and the start of the finding's key (see
   * {@code Draft.key}) that names it.
   */
  public record Planted(RuleId rule, String key, String what) {}

  public static final List<Account> ACCOUNTS = List.of(
      new Account("1000", "Bank", "asset"), new Account("1100", "Accounts receivable", "asset"),
      new Account("2000", "Accounts payable", "liability"), new Account("3000", "Share capital", "equity"),
      new Account("4000", "Sales", "revenue"), new Account("5000", "Cost of goods sold", "expense"),
      new Account("6000", "Rent", "expense"), new Account("6100", "Salaries", "expense"),
      new Account("6200", "Utilities", "expense"), new Account("6300", "Travel", "expense"),
      new Account("6400", "Office supplies", "expense"), new Account("6500", "Consulting", "expense"),
      new Account("6550", "Advisory fees", "expense"), new Account("9990", "Suspense account", "asset"));

  public static final List<LocalDate> HOLIDAYS = List.of(LocalDate.of(2024, 1, 1), LocalDate.of(2024, 3, 29),
      LocalDate.of(2024, 4, 1), LocalDate.of(2024, 12, 25), LocalDate.of(2024, 12, 26), LocalDate.of(2025, 1, 1),
      LocalDate.of(2025, 4, 18), LocalDate.of(2025, 4, 21), LocalDate.of(2025, 12, 25), LocalDate.of(2025, 12, 26));

  public static final LocalDate START = LocalDate.of(2024, 1, 1);
  public static final LocalDate END = LocalDate.of(2025, 12, 31);
  public static final String HEADER = "entry,date,time,account,debit,credit,description,counterparty,document\n";

  private static final String[] FIRST = {"Adler", "Birch", "Cobalt", "Delta", "Elm", "Falcon", "Garnet", "Harbor", "Iris",
      "Juniper", "Kite", "Linden", "Maple", "Nova", "Opal", "Pine", "Quartz", "Raven", "Sable", "Tide", "Umber", "Vale",
      "Willow", "Yarrow", "Aspen", "Beacon", "Cedar", "Dune", "Ember", "Fjord"};
  private static final String[] SECOND = {"Trading", "Foods", "Tools", "Textiles", "Logistics", "Labs", "Systems", "Retail",
      "Works", "Partners", "Supply", "Digital", "Motors", "Print", "Energy"};
  private static final String[] SUFFIX = {"Ltd", "GmbH", "AG", "SARL", "BV", "Inc"};
  /** Accounts the ordinary vendors book to (goods come from the suppliers). */
  private static final String[] EXPENSES = {"6200", "6300", "6400", "6500"};
  private static final Set<String> SMALL_EXPENSES = Set.of("6300", "6400");

  private final Random rnd;
  private final int customers;
  private final int vendors;
  private final int suppliers;
  private final List<Entry> entries = new ArrayList<>();
  private final List<Planted> planted = new ArrayList<>();
  private final Set<String> names = new HashSet<>();

  private static final class Entry {
    LocalDate date;
    LocalTime time;
    final String cp;
    String doc;
    final String description;
    final List<String[]> lines = new ArrayList<>();
    /** own sequences are numbered after sorting: SI, RC, PV */
    final String sequence;

    Entry(LocalDate date, LocalTime time, String cp, String doc, String description, String sequence) {
      this.date = date;
      this.time = time;
      this.cp = cp;
      this.doc = doc;
      this.description = description;
      this.sequence = sequence;
    }

    Entry line(String account, BigDecimal debit, BigDecimal credit) {
      lines.add(new String[] {account, debit == null ? "" : debit.toPlainString(), credit == null ? "" : credit.toPlainString()});
      return this;
    }
  }

  /** The smallest and largest scales: below, the books still have every planted anomaly, just fewer ordinary entries. */
  public static final double MIN_SCALE = 0.01;
  public static final double MAX_SCALE = 100;
  /** The planted duplicates pick vendors up to this index. */
  private static final int MIN_VENDORS = 16;

  /** True for a scale between {@link #MIN_SCALE} and {@link #MAX_SCALE} (not NaN). */
  public static boolean validScale(double scale) {
    return scale >= MIN_SCALE && scale <= MAX_SCALE;
  }

  /** @param scale 1.0 gives about 50,000 entries; between {@link #MIN_SCALE} and {@link #MAX_SCALE} */
  public DemoBooks(long seed, double scale) {
    if (!validScale(scale)) {
      throw new IllegalArgumentException("scale must be between " + MIN_SCALE + " and " + MAX_SCALE + ": " + scale);
    }
    this.rnd = new Random(seed);
    this.customers = Math.max(5, (int) Math.round(450 * scale));
    this.vendors = Math.max(MIN_VENDORS, (int) Math.round(100 * scale));
    this.suppliers = Math.max(2, (int) Math.round(12 * scale));
  }

  /** Writes the import file (CSV, with header) and returns what was planted in it. */
  public List<Planted> write(Writer out) throws IOException {
    generate();
    out.write(HEADER);
    int n = 0;
    for (Entry e : entries) {
      n++;
      for (String[] l : e.lines) {
        out.write("E" + n + "," + e.date + "," + e.time + "," + l[0] + "," + l[1] + "," + l[2] + "," + csv(e.description) + ","
            + csv(e.cp) + "," + csv(e.doc) + "\n");
      }
    }
    return List.copyOf(planted);
  }

  /** How many entries the file has (after {@link #write}). */
  public int entryCount() {
    return entries.size();
  }

  private void generate() {
    // ordinary books
    BigDecimal capital = new BigDecimal("1500000.00");
    entries.add(new Entry(business(START.plusDays(1)), time(), null, "OPEN-" + START.getYear(), "Share capital paid in", null)
        .line("1000", capital, null).line("3000", null, capital));
    for (int i = 0; i < customers; i++) {
      customer(name());
    }
    var vendorNames = new ArrayList<String>();
    for (int i = 0; i < vendors; i++) {
      String v = name();
      vendorNames.add(v);
      vendor(v, EXPENSES[i % EXPENSES.length], 8 + rnd.nextInt(14), 1.0);
    }
    for (int i = 0; i < suppliers; i++) {
      supplier(name());
    }
    for (LocalDate m = START; !m.isAfter(END); m = m.plusMonths(1)) {
      LocalDate first = business(m);
      entries.add(new Entry(first, time(), "Harbour Estates", "RENT-" + m.getYear() + "-" + String.format("%02d",
          m.getMonthValue()), "Office rent " + m.getMonth().toString().toLowerCase(Locale.ROOT), null)
          .line("6000", new BigDecimal("3250.00"), null).line("1000", null, new BigDecimal("3250.00")));
      LocalDate last = m.withDayOfMonth(m.lengthOfMonth());
      while (!businessDay(last)) {
        last = last.minusDays(1);
      }
      BigDecimal pay = new BigDecimal(118_000 + rnd.nextInt(9000) + "." + String.format("%02d", rnd.nextInt(100)));
      entries.add(new Entry(last, time(), null, "PAY-" + m.getYear() + "-" + String.format("%02d", m.getMonthValue()),
          "Payroll", null).line("6100", pay, null).line("1000", null, pay));
    }
    plant(vendorNames);
    entries.sort(Comparator.comparing((Entry e) -> e.date).thenComparing(e -> e.time));
    number();
  }

  private void plant(List<String> vendorNames) {
    // duplicate payments: a vendor's payment made a second time four business days later
    for (int k = 0; k < 2; k++) {
      String v = vendorNames.get(k * 7 + 1);
      Entry pay = entries.stream().filter(e -> v.equals(e.cp) && "PV".equals(e.sequence) && e.date.getYear() == 2025)
          .skip(3 + k).findFirst().orElseThrow();
      BigDecimal amount = new BigDecimal(pay.lines.get(0)[1]);
      entries.add(new Entry(plus(pay.date, 4), time(), v, null, "Payment " + v, "PV")
          .line("2000", amount, null).line("1000", null, amount));
      planted.add(new Planted(RuleId.DUPLICATE_PAYMENT, v + "|" + amount.toPlainString(), "paid " + amount + " twice"));
    }
    // duplicate documents: a vendor invoice booked again, its number written differently
    for (int k = 0; k < 2; k++) {
      String v = vendorNames.get(k * 11 + 4);
      Entry inv = entries.stream().filter(e -> v.equals(e.cp) && e.doc != null && e.sequence == null).skip(5).findFirst()
          .orElseThrow();
      BigDecimal amount = new BigDecimal(inv.lines.get(0)[1]);
      String rewritten = inv.doc.toLowerCase(Locale.ROOT).replace("-", " ").replaceFirst(" 0*", " ");
      entries.add(new Entry(plus(inv.date, 20), time(), v, rewritten, "Invoice " + rewritten, null)
          .line(inv.lines.get(0)[0], amount, null).line("2000", null, amount));
      planted.add(new Planted(RuleId.DUPLICATE_DOCUMENT, v + "|" + normalise(inv.doc), inv.doc + " again as " + rewritten));
    }
    // round amounts: a customer billed in round thousands
    String round = "Northwind Catering";
    LocalDate d = LocalDate.of(2025, 2, 3);
    for (int amount : new int[] {3000, 5000, 2000, 7000, 4000, 6000}) {
      BigDecimal a = new BigDecimal(amount + ".00");
      d = plus(d, 12);
      entries.add(new Entry(d, time(), round, null, "Catering services", "SI").line("1100", a, null).line("4000", null, a));
      entries.add(new Entry(plus(d, 10), time(), round, null, "Receipt " + round, "RC").line("1000", a, null).line("1100", null, a));
    }
    planted.add(new Planted(RuleId.ROUND_AMOUNT, round + "|", "six invoices in round thousands"));
    // weekends and a holiday
    for (LocalDate day : List.of(LocalDate.of(2024, 6, 15), LocalDate.of(2025, 3, 9), LocalDate.of(2025, 12, 25))) {
      BigDecimal a = amount(10, 10_000);
      String c = "Weekend " + day;
      entries.add(new Entry(day, time(), customersName(0), null, "Invoice", "SI").line("1100", a, null).line("4000", null, a));
      planted.add(new Planted(RuleId.WEEKEND_HOLIDAY, day.toString(), "booked on " + day.getDayOfWeek() + " " + c));
    }
    // after hours
    for (var at : List.of(new Object[] {LocalDate.of(2024, 9, 10), LocalTime.of(23, 14)},
        new Object[] {LocalDate.of(2025, 5, 6), LocalTime.of(5, 40)})) {
      BigDecimal a = amount(10, 10_000);
      entries.add(new Entry((LocalDate) at[0], (LocalTime) at[1], customersName(1), null, "Invoice", "SI")
          .line("1100", a, null).line("4000", null, a));
      planted.add(new Planted(RuleId.AFTER_HOURS, at[0].toString(), "recorded at " + at[1]));
    }
    // just below the approval threshold
    String granite = "Granite Works";
    vendor(granite, "5000", 15, 0.25);
    LocalDate g = LocalDate.of(2025, 6, 2);
    int gw = 7001;
    for (String a : new String[] {"9850.00", "9920.50", "9780.00"}) {
      g = plus(g, 21);
      purchaseAndPay(granite, "5000", g, new BigDecimal(a), "GW-" + gw++, 7);
    }
    planted.add(new Planted(RuleId.BELOW_THRESHOLD, granite + "|", "three payments just under 10,000"));
    // structuring: one invoice paid in two parts on consecutive days
    String orion = "Orion Freight";
    vendor(orion, "6300", 14, 0.25);
    LocalDate o = LocalDate.of(2025, 9, 15);
    BigDecimal whole = new BigDecimal("14800.00");
    entries.add(new Entry(o, time(), orion, "OF-88231", "Freight invoice", null).line("6300", whole, null).line("2000", null, whole));
    entries.add(new Entry(plus(o, 5), time(), orion, null, "Payment " + orion, "PV")
        .line("2000", new BigDecimal("8200.00"), null).line("1000", null, new BigDecimal("8200.00")));
    entries.add(new Entry(plus(o, 6), time(), orion, null, "Payment " + orion, "PV")
        .line("2000", new BigDecimal("6600.00"), null).line("1000", null, new BigDecimal("6600.00")));
    planted.add(new Planted(RuleId.STRUCTURING, orion + "|", "14,800 paid as 8,200 + 6,600 on consecutive days"));
    // a new counterparty whose first payment is large
    String zenith = "Zenith Holdings";
    purchaseAndPay(zenith, "6500", LocalDate.of(2025, 10, 6), new BigDecimal("48500.00"), "ZH-1001", 4);
    planted.add(new Planted(RuleId.NEW_COUNTERPARTY, zenith + "|", "first payment 48,500"));
    // suspense account: three unexplained payments, one later cleared
    LocalDate s = LocalDate.of(2025, 7, 1);
    for (String a : new String[] {"1875.40", "2210.00", "964.15"}) {
      s = plus(s, 9);
      BigDecimal amt = new BigDecimal(a);
      entries.add(new Entry(s, time(), null, null, "Unidentified payment", null).line("9990", amt, null).line("1000", null, amt));
    }
    entries.add(new Entry(plus(s, 10), time(), null, null, "Cleared to consulting", null)
        .line("6500", new BigDecimal("964.15"), null).line("9990", null, new BigDecimal("964.15")));
    planted.add(new Planted(RuleId.SUSPENSE_ACCOUNT, "9990|", "payments parked on suspense, not all cleared"));
    // Benford: a vendor whose invoices are made up (uniform amounts), paid twice a month
    String apex = "Apex Advisory";
    LocalDate a = LocalDate.of(2024, 1, 15);
    BigDecimal open = BigDecimal.ZERO;
    int invoices = 0;
    while (a.isBefore(END.minusDays(20)) && invoices < 330) {
      BigDecimal amt = new BigDecimal(100 + rnd.nextInt(900) + "." + String.format("%02d", rnd.nextInt(100)));
      entries.add(new Entry(a, time(), apex, "AA-" + (50000 + invoices * 20 + rnd.nextInt(10)), "Advisory services", null)
          .line("6550", amt, null).line("2000", null, amt));
      open = open.add(amt);
      invoices++;
      LocalDate next = plus(a, 1 + rnd.nextInt(2));
      if (next.getMonthValue() != a.getMonthValue() || (a.getDayOfMonth() < 15 && next.getDayOfMonth() >= 15)) {
        entries.add(new Entry(next, time(), apex, null, "Payment " + apex, "PV").line("2000", open, null).line("1000", null, open));
        open = BigDecimal.ZERO;
      }
      a = next;
    }
    planted.add(new Planted(RuleId.BENFORD, "counterparty " + apex + "|1|", "made-up amounts, uniform leading digits"));
    planted.add(new Planted(RuleId.BENFORD, "account 6550|1|", "the account only Apex Advisory books to"));
    // document sequences: two sales invoice numbers skipped, one payment voucher number used twice
    planted.add(new Planted(RuleId.DOCUMENT_SEQUENCE, "SI-|gaps|", "SI numbers skipped"));
    planted.add(new Planted(RuleId.DOCUMENT_SEQUENCE, "PV-|repeat|", "a payment voucher number used twice"));
  }

  /** Numbers the own sequences in date order, with two SI numbers skipped and one PV number repeated. */
  private void number() {
    int si = 0;
    int rc = 0;
    int pv = 0;
    int skipAt = entries.size() / 2;
    int repeatAt = entries.size() * 2 / 3;
    boolean skipped = false;
    boolean repeated = false;
    for (int i = 0; i < entries.size(); i++) {
      Entry e = entries.get(i);
      if ("SI".equals(e.sequence)) {
        if (!skipped && i >= skipAt) {
          si += 2;
          skipped = true;
        }
        e.doc = String.format("SI-%06d", ++si);
      } else if ("RC".equals(e.sequence)) {
        e.doc = String.format("RC-%06d", ++rc);
      } else if ("PV".equals(e.sequence)) {
        if (!repeated && i >= repeatAt) {
          repeated = true;
          e.doc = String.format("PV-%06d", pv);
          planted.set(planted.size() - 1, new Planted(RuleId.DOCUMENT_SEQUENCE, "PV-|repeat|" + pv, "PV-" + pv + " used twice"));
        } else {
          e.doc = String.format("PV-%06d", ++pv);
        }
      }
    }
  }

  private void customer(String name) {
    LocalDate d = plus(START, rnd.nextInt(40));
    int interval = 5 + rnd.nextInt(11);
    while (d.isBefore(END.minusDays(45))) {
      BigDecimal a = amount(10, 10_000);
      entries.add(new Entry(d, time(), name, null, "Invoice " + name, "SI").line("1100", a, null).line("4000", null, a));
      entries.add(new Entry(plus(d, 5 + rnd.nextInt(25)), time(), name, null, "Receipt " + name, "RC")
          .line("1000", a, null).line("1100", null, a));
      d = plus(d, interval + rnd.nextInt(3));
    }
  }

  /** A vendor invoicing every {@code interval} business days (or so), paid on fixed terms. */
  private void vendor(String name, String expense, int interval, double share) {
    String prefix = name.replaceAll("[^A-Za-z]", "").substring(0, 3).toUpperCase(Locale.ROOT) + "-";
    int number = 1000 + rnd.nextInt(90_000);
    int terms = 3 + rnd.nextInt(8);
    LocalDate d = plus(START, rnd.nextInt(60));
    LocalDate end = share < 1 ? START.plusDays((long) (730 * share)) : END.minusDays(30);
    // travel and office supplies come in small amounts (two whole decades), the rest up to 10,000
    boolean small = SMALL_EXPENSES.contains(expense);
    double hi = small ? 1000 : 10_000;
    boolean first = true;
    while (d.isBefore(end)) {
      BigDecimal a;
      if (first) {
        a = amount(10, hi / 2);
      } else if (!small && rnd.nextInt(50) == 0) {
        a = amount(10_000, 80_000);
      } else {
        do {
          a = amount(10, hi);
        } while (a.compareTo(new BigDecimal("9500")) >= 0);
      }
      number += 3 + rnd.nextInt(400);
      purchaseAndPay(name, expense, d, a, prefix + String.format("%06d", number), terms);
      first = false;
      d = plus(d, interval + rnd.nextInt(4));
    }
  }

  /**
   * A goods supplier: stock bought in lots of 1,000 to 100,000 (two whole decades, so the cost of
   * goods follows Benford's law too; none in the band just below the approval threshold) about
   * every week, after a first trial order below the threshold, paid on the supplier's terms.
   */
  private void supplier(String name) {
    String prefix = name.replaceAll("[^A-Za-z]", "").substring(0, 3).toUpperCase(Locale.ROOT) + "-";
    int number = 1000 + rnd.nextInt(90_000);
    int terms = 5 + rnd.nextInt(20);
    LocalDate d = plus(START, 1 + rnd.nextInt(30));
    BigDecimal a = amount(1000, 9000);
    while (d.isBefore(END.minusDays(40))) {
      number += 1 + rnd.nextInt(200);
      purchaseAndPay(name, "5000", d, a, prefix + String.format("%06d", number), terms);
      do {
        a = amount(1000, 100_000);
      } while (a.compareTo(new BigDecimal("9500")) >= 0 && a.compareTo(new BigDecimal("10000")) < 0);
      d = plus(d, 4 + rnd.nextInt(4));
    }
  }

  private void purchaseAndPay(String vendor, String expense, LocalDate d, BigDecimal a, String doc, int terms) {
    entries.add(new Entry(d, time(), vendor, doc, "Invoice " + doc, null).line(expense, a, null).line("2000", null, a));
    entries.add(new Entry(plus(d, terms), time(), vendor, null, "Payment " + vendor, "PV").line("2000", a, null)
        .line("1000", null, a));
  }

  private String customersName(int i) {
    return entries.stream().filter(e -> "SI".equals(e.sequence)).map(e -> e.cp).distinct().skip(i).findFirst().orElseThrow();
  }

  /** Log-uniform between {@code lo} and {@code hi} (whole decades: Benford), in cents. */
  private BigDecimal amount(double lo, double hi) {
    double x = Math.exp(Math.log(lo) + rnd.nextDouble() * (Math.log(hi) - Math.log(lo)));
    return BigDecimal.valueOf(x).setScale(2, RoundingMode.HALF_EVEN);
  }

  private LocalTime time() {
    return LocalTime.of(8 + rnd.nextInt(10), rnd.nextInt(60));
  }

  /** A new company name; past the word lists' combinations, names carry a branch number. */
  private String name() {
    int combinations = FIRST.length * SECOND.length * SUFFIX.length;
    String n;
    do {
      n = FIRST[rnd.nextInt(FIRST.length)] + " " + SECOND[rnd.nextInt(SECOND.length)] + " " + SUFFIX[rnd.nextInt(SUFFIX.length)];
      if (names.size() >= combinations / 2) {
        n += " " + (2 + rnd.nextInt(names.size()));
      }
    } while (!names.add(n));
    return n;
  }

  /** The business day {@code n} business days after {@code d} (or the first on or after it for 0). */
  private static LocalDate plus(LocalDate d, int n) {
    LocalDate x = d;
    while (!businessDay(x)) {
      x = x.plusDays(1);
    }
    for (int i = 0; i < n; i++) {
      do {
        x = x.plusDays(1);
      } while (!businessDay(x));
    }
    return x;
  }

  private static LocalDate business(LocalDate d) {
    return plus(d, 0);
  }

  static boolean businessDay(LocalDate d) {
    return d.getDayOfWeek() != DayOfWeek.SATURDAY && d.getDayOfWeek() != DayOfWeek.SUNDAY && !HOLIDAYS.contains(d);
  }

  /** As the duplicate-document rule normalises: upper case, letters and digits, no leading zeros in numbers. */
  static String normalise(String doc) {
    return doc.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "").replaceAll("(^|[^0-9])0+([0-9])", "$1$2");
  }

  private static String csv(String s) {
    if (s == null) {
      return "";
    }
    return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
  }

  /** The planted anomalies as a set of rule ids, for reports. */
  public static Set<RuleId> rules(List<Planted> planted) {
    var out = new LinkedHashSet<RuleId>();
    planted.forEach(p -> out.add(p.rule()));
    return out;
  }
}
