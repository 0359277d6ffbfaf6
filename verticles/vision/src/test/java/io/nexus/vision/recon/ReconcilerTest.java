package io.nexus.vision.recon;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexus.contracts.financial.Financial.ExternalFinding;
import io.nexus.contracts.financial.Financial.RuleId;
import io.nexus.vision.demo.Receipts;
import io.nexus.vision.recon.Reconciler.Doc;
import io.nexus.vision.recon.Reconciler.DuplicatePair;
import io.nexus.vision.recon.Reconciler.Entry;
import io.nexus.vision.recon.Reconciler.Settings;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Reconciliation on a generated ledger: a year of invoices of twelve vendors and the entries that
 * pay them — dates a few days apart, the vendor named as the bookkeeper wrote it (legal forms,
 * case, umlauts spelt out), a document number on most entries, small payments without one —
 * with planted mismatches: payments without a document, documents without a payment, amounts off
 * by 0.01 and by 100, another IBAN, the same receipt claimed twice. Every planted case must be
 * found; precision and recall are printed per rule.
 */
class ReconcilerTest {
  private static final Settings SETTINGS = new Settings(new BigDecimal("250"), 14);
  private static final String[][] VENDORS = {{"Bäckerei Müller", "Baeckerei Mueller GmbH"}, {"Acme Office Supplies", "ACME OFFICE SUPPLIES LTD"},
      {"Hotel Seeblick", "Hotel Seeblick"}, {"Nordwind Logistik GmbH", "Nordwind Logistik"}, {"Green Leaf Catering", "Green Leaf Catering Ltd."},
      {"Stadtwerke Kaltenbach", "Stadtwerke Kaltenbach AG"}, {"Brightline Consulting Ltd", "Brightline Consulting"},
      {"Café Sonnenschein", "Cafe Sonnenschein"}, {"Metro Hardware", "Metro Hardware Inc"}, {"Kanzlei Weber & Partner", "Weber & Partner"},
      {"Blue Harbour Taxis", "Blue Harbour Taxis"}, {"Druckerei Fischer", "Druckerei Fischer KG"}};

  private record Truth(RuleId rule, String key) {}

  @Test
  @DisplayName("every planted mismatch is found on a generated year of invoices and payments; precision and recall printed per rule")
  void plantedMismatchesAreFound() {
    var rnd = new Random(2026);
    var docs = new ArrayList<Doc>();
    var entries = new ArrayList<Entry>();
    var pairs = new ArrayList<DuplicatePair>();
    var truth = new HashSet<Truth>();
    String[] ibans = new String[VENDORS.length];
    for (int v = 0; v < VENDORS.length; v++) {
      ibans[v] = Receipts.iban(rnd);
    }
    LocalDate start = LocalDate.of(2025, 1, 1);
    int n = 0;
    for (int i = 0; i < 240; i++) {
      int v = rnd.nextInt(VENDORS.length);
      LocalDate date = start.plusDays(rnd.nextInt(360));
      BigDecimal total = BigDecimal.valueOf(300_00 + rnd.nextInt(900_000), 2);
      String number = "INV-" + (10_000 + i);
      String doc = "d" + (n++);
      docs.add(new Doc(doc, date, total, "EUR", VENDORS[v][0], ibans[v], number, null, true));
      // most entries carry the invoice's number; some only the amount and the vendor's name
      boolean numbered = rnd.nextInt(10) < 7;
      entries.add(new Entry("e" + i, date.plusDays(rnd.nextInt(12)), total, "EUR", VENDORS[v][1], numbered ? number : null, true));
    }
    // small payments and transfers that need no document
    for (int i = 0; i < 60; i++) {
      entries.add(new Entry("s" + i, start.plusDays(rnd.nextInt(360)), BigDecimal.valueOf(500 + rnd.nextInt(20_000), 2), "EUR",
          rnd.nextBoolean() ? null : VENDORS[rnd.nextInt(VENDORS.length)][1], null, true));
    }
    // planted: payments above the threshold without a document
    for (int i = 0; i < 6; i++) {
      String id = "missing-doc-" + i;
      entries.add(new Entry(id, start.plusDays(20 + 50 * i), new BigDecimal("1250.00").add(BigDecimal.valueOf(i)), "EUR",
          VENDORS[i][1], "INV-9" + i, true));
      truth.add(new Truth(RuleId.ENTRY_WITHOUT_DOCUMENT, id));
    }
    // planted: documents no entry pays
    for (int i = 0; i < 6; i++) {
      String id = "missing-entry-" + i;
      docs.add(new Doc(id, start.plusDays(30 + 50 * i), new BigDecimal("777.70").add(BigDecimal.valueOf(i)), "EUR", VENDORS[i + 3][0],
          ibans[i + 3], "RE-55" + i, null, true));
      truth.add(new Truth(RuleId.DOCUMENT_WITHOUT_ENTRY, id));
    }
    // planted: amounts off by 0.01 and by 100, on entries that name the invoice
    for (int i = 0; i < 8; i++) {
      String id = "amount-" + i;
      BigDecimal total = new BigDecimal("2000.00").add(BigDecimal.valueOf(37 * i));
      BigDecimal paid = i % 2 == 0 ? total.add(new BigDecimal("0.01")) : total.subtract(new BigDecimal("100"));
      LocalDate date = start.plusDays(40 + 40 * i);
      docs.add(new Doc(id, date, total, "EUR", VENDORS[i][0], ibans[i], "AM-" + i, null, true));
      entries.add(new Entry("pays-" + id, date.plusDays(3), paid, "EUR", VENDORS[i][1], "AM-" + i, true));
      truth.add(new Truth(RuleId.AMOUNT_MISMATCH, id));
    }
    // planted: an invoice of a known vendor asking for payment to another account
    for (int i = 0; i < 4; i++) {
      String id = "iban-" + i;
      BigDecimal total = new BigDecimal("4321.00").add(BigDecimal.valueOf(i));
      LocalDate date = start.plusDays(60 + 70 * i);
      docs.add(new Doc(id, date, total, "EUR", VENDORS[i][0], Receipts.iban(rnd), "IB-" + i, null, true));
      entries.add(new Entry("pays-" + id, date.plusDays(2), total, "EUR", VENDORS[i][1], "IB-" + i, true));
      truth.add(new Truth(RuleId.IBAN_MISMATCH, id));
    }
    // planted: a payment code that names another account than the print
    String coded = "code-iban";
    docs.add(new Doc(coded, start.plusDays(200), new BigDecimal("999.00"), "EUR", VENDORS[5][0], ibans[5], "QR-1", Receipts.iban(rnd),
        true));
    entries.add(new Entry("pays-" + coded, start.plusDays(201), new BigDecimal("999.00"), "EUR", VENDORS[5][1], "QR-1", true));
    truth.add(new Truth(RuleId.IBAN_MISMATCH, coded));
    // planted: the same receipt claimed twice — once paid once, once paid twice
    for (int i = 0; i < 4; i++) {
      Doc original = docs.get(10 + i * 20);
      String copy = "copy-" + i;
      docs.add(new Doc(copy, original.date(), original.total(), "EUR", original.vendor(), original.iban(), original.invoiceNumber(), null,
          true));
      pairs.add(new DuplicatePair(original.id(), copy, 4 + i, null, null));
      truth.add(new Truth(RuleId.DUPLICATE_CLAIM, original.id() + ":" + copy));
      if (i % 2 == 1) {
        // paid again, a week later, without the number
        entries.add(new Entry("again-" + i, original.date().plusDays(7), original.total(), "EUR",
            original.vendor().toUpperCase(Locale.ROOT), null, true));
      }
    }

    var outcome = Reconciler.reconcile(docs, entries, pairs, Map.of(), SETTINGS);
    var found = new HashSet<Truth>();
    for (ExternalFinding f : ReconFindings.of(outcome, false)) {
      found.add(new Truth(f.rule(), f.key()));
    }
    var perRule = new EnumMap<RuleId, int[]>(RuleId.class);
    for (RuleId rule : List.of(RuleId.DOCUMENT_WITHOUT_ENTRY, RuleId.ENTRY_WITHOUT_DOCUMENT, RuleId.AMOUNT_MISMATCH,
        RuleId.IBAN_MISMATCH, RuleId.DUPLICATE_CLAIM)) {
      Set<Truth> t = truth.stream().filter(x -> x.rule() == rule).collect(java.util.stream.Collectors.toSet());
      Set<Truth> f = found.stream().filter(x -> x.rule() == rule).collect(java.util.stream.Collectors.toSet());
      int tp = (int) f.stream().filter(t::contains).count();
      perRule.put(rule, new int[] {tp, f.size(), t.size()});
      System.out.printf(Locale.ROOT, "reconciliation %-22s planted %2d found %2d  precision %.2f recall %.2f%n", rule.wire(), t.size(),
          f.size(), f.isEmpty() ? 1.0 : (double) tp / f.size(), t.isEmpty() ? 1.0 : (double) tp / t.size());
    }
    int tp = perRule.values().stream().mapToInt(a -> a[0]).sum();
    int reported = perRule.values().stream().mapToInt(a -> a[1]).sum();
    System.out.printf(Locale.ROOT, "reconciliation overall: %d documents, %d entries, %d matched; precision %.3f recall %.3f%n",
        docs.size(), entries.size(), outcome.matches().size(), (double) tp / reported, (double) tp / truth.size());
    var missed = new HashSet<>(truth);
    missed.removeAll(found);
    assertThat(missed).as("planted cases not found").isEmpty();
    var extra = new HashSet<>(found);
    extra.removeAll(truth);
    assertThat(extra).as("findings that were not planted").isEmpty();
    // the ordinary invoices are all matched to the entries that pay them
    for (var m : outcome.matches()) {
      if (m.doc().id().startsWith("d") && m.entry().id().startsWith("e")) {
        assertThat(m.entry().id().substring(1)).as("document " + m.doc().id()).isEqualTo(m.doc().id().substring(1));
      }
    }
  }

  @Test
  @DisplayName("names are alike across legal forms, case, accents and word order; different vendors are not")
  void namesAreCompared() {
    assertThat(Reconciler.similarity("Bäckerei Müller", "BAECKEREI MUELLER GMBH")).isGreaterThanOrEqualTo(Reconciler.SAME_NAME);
    assertThat(Reconciler.similarity("Kanzlei Weber & Partner", "Weber & Partner")).isGreaterThanOrEqualTo(Reconciler.SAME_NAME);
    assertThat(Reconciler.similarity("Brightline Consulting Ltd", "Brightline Consulting")).isEqualTo(1.0);
    assertThat(Reconciler.similarity("Hotel Seeblick", "Metro Hardware")).isLessThan(Reconciler.SAME_NAME);
    assertThat(Reconciler.similarity("Druckerei Fischer", "Druckerei Schmidt")).isLessThan(Reconciler.SAME_NAME);
    assertThat(Reconciler.similarity(null, "Anything")).isZero();
  }

  @Test
  @DisplayName("a pair outside the window, or in another currency, is no match; a number ties a document to its entry over an equal amount")
  void candidates() {
    var d = new Doc("d", LocalDate.of(2025, 3, 1), new BigDecimal("100.00"), "EUR", "Metro Hardware", null, "INV-1", null, true);
    var far = new Entry("far", LocalDate.of(2025, 4, 1), new BigDecimal("100.00"), "EUR", "Metro Hardware", "INV-1", true);
    var usd = new Entry("usd", LocalDate.of(2025, 3, 2), new BigDecimal("100.00"), "USD", "Metro Hardware", "INV-1", true);
    var numbered = new Entry("numbered", LocalDate.of(2025, 3, 3), new BigDecimal("190.00"), "EUR", "M. Hardware", "inv 1", true);
    var named = new Entry("named", LocalDate.of(2025, 3, 3), new BigDecimal("100.00"), "EUR", "Metro Hardware", null, true);
    assertThat(Reconciler.score(d, far, 14)).isZero();
    assertThat(Reconciler.score(d, usd, 14)).isZero();
    // the invoice's number ties the document to its entry over an equal amount elsewhere; the difference is the discrepancy
    assertThat(Reconciler.match(List.of(d), List.of(far, usd, numbered, named), SETTINGS)).singleElement()
        .satisfies(m -> {
          assertThat(m.entry().id()).isEqualTo("numbered");
          assertThat(m.difference()).isEqualByComparingTo("-90.00");
        });
    // without a number, the same amount and a like name match
    assertThat(Reconciler.match(List.of(d), List.of(far, usd, named), SETTINGS)).singleElement()
        .satisfies(m -> {
          assertThat(m.entry().id()).isEqualTo("named");
          assertThat(m.difference()).isNull();
        });
  }

  @Test
  @DisplayName("a receipt and its copy decided again: the original (uploaded first) is paid, the copy is the claim, "
      + "never also a document without an entry — whatever was matched before")
  void anOriginalAndItsCopy() {
    var original = new Doc("zz-original", LocalDate.of(2025, 5, 2), new BigDecimal("385.00"), "EUR", "Cafe Sonnenschein", null,
        "INV-7", null, true);
    var copy = new Doc("aa-copy", original.date(), original.total(), "EUR", original.vendor(), null, "INV-7", null, true);
    var entry = new Entry("e", LocalDate.of(2025, 5, 4), new BigDecimal("385.00"), "EUR", "Cafe Sonnenschein", "INV-7", true);
    // as the job sees it after the copy was matched incrementally: the stored match names the copy's entry
    var pair = new DuplicatePair(copy.id(), original.id(), 0, "e", null);
    var o = Reconciler.reconcile(List.of(original, copy), List.of(entry), List.of(pair), Map.of(), SETTINGS);
    assertThat(o.matches()).singleElement().satisfies(m -> assertThat(m.doc().id()).isEqualTo(original.id()));
    assertThat(o.withoutEntry()).isEmpty();
    assertThat(o.duplicateClaims()).hasSize(1);
    var claim = ReconFindings.of(o, false).stream().filter(f -> f.rule() == RuleId.DUPLICATE_CLAIM).findFirst().orElseThrow();
    assertThat(claim.entryIds()).containsExactly("e");
  }
}
