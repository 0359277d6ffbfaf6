package io.nexus.vision.recon;

import java.math.BigDecimal;
import java.text.Normalizer;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.commons.text.similarity.JaroWinklerSimilarity;

/**
 * Ties documents to the ledger entries that pay them, and says what does not tie. Pure: the
 * documents, entries and settings in, the matches and the discrepancies out, the same every time.
 *
 * <p>A pair is a candidate when its dates lie within the window (a document without a date is
 * matched on its number alone) and its currencies do not differ, and when either the document's
 * invoice number is the entry's document number, or the amount is the same and the names are
 * alike. Candidates are scored (number 0.4, amount 0.3, name 0.2, date 0.1) and taken best first,
 * each document and each entry at most once — so a document whose number ties it to an entry is
 * matched to it even when the amount differs, which is then the discrepancy.
 */
public final class Reconciler {
  /** Names at least this alike (0-1) count as the same counterparty. */
  public static final double SAME_NAME = 0.85;
  /** Words of a company's name that say nothing about which company it is. */
  private static final Set<String> LEGAL_FORMS = Set.of("gmbh", "ag", "kg", "co", "ltd", "limited", "inc", "llc", "sa", "sarl",
      "bv", "nv", "plc", "ohg", "ug", "se", "srl", "spa", "the", "und", "and", "mbh", "corp", "company", "kgaa", "eg", "ev");
  private static final Pattern NOT_ALNUM = Pattern.compile("[^\\p{Alnum}]+");
  private static final Pattern MARKS = Pattern.compile("\\p{M}+");
  private static final JaroWinklerSimilarity JARO_WINKLER = new JaroWinklerSimilarity();

  /**
   * A document as reconciliation sees it.
   *
   * @param date the document's date, or null when none was read
   * @param total its total, or null
   * @param currency its currency code, or null
   * @param codeIban the IBAN of its payment code when that differs from the printed one, else null
   * @param inPeriod whether it belongs to the period examined (documents around it are read to match entries at its edges)
   */
  public record Doc(String id, LocalDate date, BigDecimal total, String currency, String vendor, String iban,
      String invoiceNumber, String codeIban, boolean inPeriod) {}

  /**
   * An entry as reconciliation sees it: what it paid, to whom, when.
   *
   * @param amount the sum of its debit lines
   * @param inPeriod whether it belongs to the period examined
   */
  public record Entry(String id, LocalDate date, BigDecimal amount, String currency, String counterparty, String documentNumber,
      boolean inPeriod) {}

  /**
   * @param documentRequiredAbove a payment to a counterparty at or above this needs a document
   * @param windowDays a document and its entry lie at most this many days apart
   */
  public record Settings(BigDecimal documentRequiredAbove, int windowDays) {}

  /** A document and the entry that pays it. */
  public record Match(Doc doc, Entry entry, double score) {
    /** The document's total minus the entry's amount, or null when they agree (or the total is unknown). */
    public BigDecimal difference() {
      if (doc.total() == null || doc.total().compareTo(entry.amount()) == 0) {
        return null;
      }
      return doc.total().subtract(entry.amount());
    }
  }

  /** A document whose IBAN is not its vendor's: another than its vendor's other documents name, or than its own payment code. */
  public record IbanConflict(Doc doc, String expected, String why) {}

  /**
   * Two documents of the ledger that are the same receipt ({@code first} before {@code second}),
   * with the entries paying each (null: none). Given to {@link #reconcile} with the stored
   * matches; in its outcome, with the matches it decided.
   */
  public record DuplicatePair(String first, String second, int distance, String firstEntry, String secondEntry) {}

  /** What reconciliation found; every list in a stable order. */
  public record Outcome(List<Match> matches, List<Doc> withoutEntry, List<Entry> withoutDocument, List<Match> amountMismatches,
      List<IbanConflict> ibanConflicts, List<DuplicatePair> duplicateClaims) {}

  private Reconciler() {}

  /**
   * Reconciles documents with entries. {@code duplicates}: pairs of the documents that are the same
   * receipt; {@code vendorIbans}: IBANs the ledger's other documents name per vendor (their
   * normalised name) besides {@code docs} (not counting these again).
   */
  public static Outcome reconcile(List<Doc> docs, List<Entry> entries, List<DuplicatePair> duplicates,
      Map<String, List<String>> vendorIbans, Settings settings) {
    List<Match> matches = match(docs, entries, settings);
    var paidBy = new HashMap<String, String>();
    var matchedEntries = new HashSet<String>();
    for (Match m : matches) {
      paidBy.put(m.doc().id(), m.entry().id());
      matchedEntries.add(m.entry().id());
    }
    var matchedDocs = paidBy.keySet();
    var byId = new HashMap<String, Doc>();
    docs.forEach(d -> byId.put(d.id(), d));
    var claims = new ArrayList<DuplicatePair>();
    var copies = new HashSet<String>();
    for (DuplicatePair p : duplicates) {
      Doc a = byId.get(p.first());
      Doc b = byId.get(p.second());
      if (!(a != null && a.inPeriod() || b != null && b.inPeriod())) {
        continue;
      }
      // the entries paying each: this run's for a document it decided, the stored ones for a document outside it
      claims.add(new DuplicatePair(p.first(), p.second(), p.distance(), a == null ? p.firstEntry() : paidBy.get(a.id()),
          b == null ? p.secondEntry() : paidBy.get(b.id())));
      // the copy no entry pays is explained by the claim, not a document without an entry (one of two unpaid stays one)
      // a document decided here is paid when it was matched here; the entries known for the pair are of those outside
      boolean aUnpaid = a != null && !matchedDocs.contains(a.id());
      boolean bUnpaid = b != null && !matchedDocs.contains(b.id());
      if (bUnpaid) {
        copies.add(b.id());
      } else if (aUnpaid) {
        copies.add(a.id());
      }
    }
    claims.sort(Comparator.comparing(DuplicatePair::first).thenComparing(DuplicatePair::second));
    var withoutEntry = docs.stream().filter(d -> d.inPeriod() && !matchedDocs.contains(d.id()) && !copies.contains(d.id())).toList();
    var withoutDocument = entries.stream().filter(e -> e.inPeriod() && !matchedEntries.contains(e.id()) && needsDocument(e, settings))
        .toList();
    var mismatches = matches.stream().filter(m -> m.difference() != null && (m.doc().inPeriod() || m.entry().inPeriod())).toList();
    return new Outcome(matches, withoutEntry, withoutDocument, mismatches, ibanConflicts(docs, vendorIbans), claims);
  }

  /** A payment to a counterparty at or above the threshold needs a document. */
  static boolean needsDocument(Entry e, Settings s) {
    return e.counterparty() != null && !e.counterparty().isBlank() && e.amount().compareTo(s.documentRequiredAbove()) >= 0;
  }

  /** The one-to-one matching, best candidates first; {@code docs} in the order they arrived (uploaded). */
  public static List<Match> match(List<Doc> docs, List<Entry> entries, Settings settings) {
    var candidates = new ArrayList<Match>();
    var order = new java.util.IdentityHashMap<Object, Integer>();
    for (int i = 0; i < docs.size(); i++) {
      order.put(docs.get(i), i);
    }
    for (int i = 0; i < entries.size(); i++) {
      order.put(entries.get(i), i);
    }
    for (Doc d : docs) {
      for (Entry e : entries) {
        double s = score(d, e, settings.windowDays());
        if (s > 0) {
          candidates.add(new Match(d, e, s));
        }
      }
    }
    // ties: the closer dates, then the earlier document (as given: the original before its copy), then the earlier entry
    candidates.sort(Comparator.comparingDouble(Match::score).reversed()
        .thenComparingLong(m -> days(m.doc(), m.entry()))
        .thenComparingInt(m -> order.get(m.doc())).thenComparingInt(m -> order.get(m.entry())));
    var usedDocs = new HashSet<String>();
    var usedEntries = new HashSet<String>();
    var out = new ArrayList<Match>();
    for (Match m : candidates) {
      if (!usedDocs.contains(m.doc().id()) && !usedEntries.contains(m.entry().id())) {
        usedDocs.add(m.doc().id());
        usedEntries.add(m.entry().id());
        out.add(m);
      }
    }
    out.sort(Comparator.comparing(m -> m.doc().id()));
    return out;
  }

  private static long days(Doc d, Entry e) {
    return d.date() == null ? Long.MAX_VALUE : Math.abs(ChronoUnit.DAYS.between(d.date(), e.date()));
  }

  /** How well a document and an entry agree, 0 when they are no candidate pair. */
  static double score(Doc d, Entry e, int windowDays) {
    if (d.currency() != null && e.currency() != null && !d.currency().equals(e.currency())) {
      return 0;
    }
    boolean number = sameNumber(d.invoiceNumber(), e.documentNumber());
    if (d.date() == null && !number) {
      return 0;
    }
    long days = days(d, e);
    if (d.date() != null && days > windowDays) {
      return 0;
    }
    boolean amount = d.total() != null && d.total().compareTo(e.amount()) == 0;
    double name = similarity(d.vendor(), e.counterparty());
    if (!number && !(amount && name >= SAME_NAME)) {
      return 0;
    }
    double date = d.date() == null ? 0 : 1 - (double) days / (windowDays + 1);
    return 0.4 * (number ? 1 : 0) + 0.3 * (amount ? 1 : 0) + 0.2 * name + 0.1 * date;
  }

  /** An invoice number and a document number are the same when their letters and digits are. */
  static boolean sameNumber(String a, String b) {
    if (a == null || b == null) {
      return false;
    }
    String x = NOT_ALNUM.matcher(a).replaceAll("").toUpperCase(Locale.ROOT);
    return !x.isEmpty() && x.equals(NOT_ALNUM.matcher(b).replaceAll("").toUpperCase(Locale.ROOT));
  }

  /**
   * How alike two counterparty names are, 0-1: accents, case, punctuation and legal forms
   * (GmbH, Ltd, & Co.) aside, each word of the shorter name against its most alike word of the
   * other (Jaro-Winkler), averaged — so "Weber &amp; Partner" is "Kanzlei Weber &amp; Partner", and
   * a shared first word ("Druckerei Fischer", "Druckerei Schmidt") is not enough.
   */
  public static double similarity(String a, String b) {
    String x = normalise(a);
    String y = normalise(b);
    if (x.isEmpty() || y.isEmpty()) {
      return 0;
    }
    String[] wx = x.split(" ");
    String[] wy = y.split(" ");
    String[] shorter = wx.length <= wy.length ? wx : wy;
    String[] longer = shorter == wx ? wy : wx;
    double sum = 0;
    for (String w : shorter) {
      double best = 0;
      for (String o : longer) {
        best = Math.max(best, JARO_WINKLER.apply(w, o));
      }
      sum += best;
    }
    return sum / shorter.length;
  }

  /** A name's words, lower case, without accents, punctuation or legal forms. */
  public static String normalise(String name) {
    if (name == null) {
      return "";
    }
    String plain = MARKS.matcher(Normalizer.normalize(name.replace("ß", "ss"), Normalizer.Form.NFKD)).replaceAll("")
        .toLowerCase(Locale.ROOT);
    var words = new ArrayList<String>();
    for (String w : NOT_ALNUM.split(plain)) {
      if (!w.isEmpty() && !LEGAL_FORMS.contains(w)) {
        words.add(w);
      }
    }
    return String.join(" ", words);
  }

  /**
   * Documents whose IBAN is not their vendor's: the vendor's IBAN is the one most of its documents
   * name (at least two of them, and more than any other); a document naming another is a conflict,
   * and so is one whose payment code names another account than its print. A vendor is its
   * documents' names taken together when they are alike ({@link #SAME_NAME}), so one misread
   * letter does not make another vendor.
   */
  static List<IbanConflict> ibanConflicts(List<Doc> docs, Map<String, List<String>> vendorIbans) {
    var vendors = new ArrayList<String>();
    var counts = new HashMap<String, Map<String, Integer>>();
    vendorIbans.forEach((vendor, ibans) -> ibans.forEach(i -> counts.computeIfAbsent(vendor(vendors, vendor), k -> new HashMap<>())
        .merge(compact(i), 1, Integer::sum)));
    for (Doc d : docs) {
      if (d.iban() != null && !normalise(d.vendor()).isEmpty()) {
        counts.computeIfAbsent(vendor(vendors, d.vendor()), k -> new HashMap<>()).merge(compact(d.iban()), 1, Integer::sum);
      }
    }
    var usual = new HashMap<String, String>();
    counts.forEach((vendor, ibans) -> {
      var ranked = ibans.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()
          .thenComparing(Map.Entry.comparingByKey())).toList();
      if (ranked.get(0).getValue() >= 2 && (ranked.size() == 1 || ranked.get(1).getValue() < ranked.get(0).getValue())) {
        usual.put(vendor, ranked.get(0).getKey());
      }
    });
    var out = new ArrayList<IbanConflict>();
    for (Doc d : docs) {
      if (!d.inPeriod()) {
        continue;
      }
      String own = d.iban() == null ? null : compact(d.iban());
      String vendor = normalise(d.vendor()).isEmpty() ? null : vendor(vendors, d.vendor());
      String vendorsIban = vendor == null ? null : usual.get(vendor);
      if (d.codeIban() != null && own != null && !compact(d.codeIban()).equals(own)) {
        out.add(new IbanConflict(d, compact(d.codeIban()), "its payment code names " + compact(d.codeIban())
            + " but its print " + own));
      } else if (own != null && vendorsIban != null && !vendorsIban.equals(own)) {
        int seen = counts.get(vendor).get(vendorsIban);
        out.add(new IbanConflict(d, vendorsIban, "it names " + own + " while " + seen + " other documents of "
            + d.vendor() + " name " + vendorsIban));
      }
    }
    out.sort(Comparator.comparing(c -> c.doc().id()));
    return out;
  }

  /** The vendor a name belongs to: the first of those seen that it is alike, else itself (normalised), added. */
  private static String vendor(List<String> vendors, String name) {
    String n = normalise(name);
    for (String v : vendors) {
      if (v.equals(n) || similarity(v, n) >= SAME_NAME) {
        return v;
      }
    }
    vendors.add(n);
    return n;
  }

  /** An IBAN without spaces, upper case. */
  public static String compact(String iban) {
    return Objects.requireNonNull(iban).replace(" ", "").toUpperCase(Locale.ROOT);
  }
}
