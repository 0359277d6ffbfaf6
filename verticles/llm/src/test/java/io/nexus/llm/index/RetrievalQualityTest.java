package io.nexus.llm.index;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexus.contracts.financial.Financial.EntryView;
import io.nexus.contracts.financial.Financial.Line;
import io.nexus.llm.facts.Chunk;
import io.nexus.llm.facts.Chunker;
import io.nexus.llm.index.SearchIndex.Hit;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retrieval quality on a generated ledger whose relevant entries per query are known: 40 topics
 * of five entries each among 800 everyday entries, asked about in other words than the entries
 * use (the embedding must carry them), and 15 queries for an identifier or an unusual name that
 * only the words find. recall@5 and nDCG@10 are printed for BM25 alone, the vectors alone and
 * their fusion; the fusion must be at least as good as either on both.
 */
class RetrievalQualityTest {
  /** topic: how its entries describe it, and how an examiner asks about it without those words. */
  private static final String[][] TOPICS = {
      {"Office chairs and desks for the %s office", "seating and workstations bought for staff"},
      {"Cloud hosting invoice for production servers, %s region", "rented compute infrastructure bill"},
      {"Legal counsel fees, contract dispute %s", "lawyer charges for litigation"},
      {"Flight tickets to %s for the sales conference", "airfare for a business trip"},
      {"Catering for the quarterly staff party in %s", "food served at an employee celebration"},
      {"Electricity bill, warehouse %s", "power utility costs of the storage building"},
      {"Annual licence renewal, accounting software (%s)", "yearly subscription fee for the bookkeeping program"},
      {"Diesel fuel for delivery vans, depot %s", "petrol for the company trucks"},
      {"Monthly rent, headquarters premises %s", "lease payment for the main office building"},
      {"Online advertising campaign on social media, %s launch", "promotion ads on Facebook and Instagram"},
      {"Liability insurance premium, policy year %s", "cover against damage claims"},
      {"IT consulting for the ERP migration, phase %s", "external experts moving our business system"},
      {"Cleaning services for office premises, %s", "janitorial work in the workplace"},
      {"Mobile phone contracts for field staff, %s", "cellular plans for employees on the road"},
      {"Data protection training course for employees, %s", "GDPR privacy education for the team"},
      {"Roof repair at the %s warehouse after the storm", "fixing building damage caused by bad weather"},
      {"Courier shipping of parcels to customers, %s", "express delivery of packages"},
      {"Audit fees for the annual financial statements %s", "external accountants checking the yearly accounts"},
      {"Coffee machine and kitchen supplies, %s office", "beverages and pantry equipment for the break room"},
      {"Laptop purchase for new developers, batch %s", "notebook computers for engineering hires"},
      {"Security guard services at the %s site", "watchmen protecting the premises at night"},
      {"Recruitment agency commission, %s hire", "headhunter fee for finding a new employee"},
      {"Printer toner cartridges and paper, %s", "ink and stationery for printing"},
      {"Hotel accommodation during the %s trade fair", "overnight stay at an exhibition"},
      {"Charitable donation to the %s children's hospital", "gift to a medical charity for kids"},
      {"Forklift lease for the %s distribution centre", "renting lifting vehicles for the depot"},
      {"Website redesign by design studio, %s milestone", "new look for the company's internet pages"},
      {"Translation of product manuals into %s", "converting user guides to another language"},
      {"Water and sewage charges, %s plant", "municipal utility for tap water and drains"},
      {"Customs duties on imported goods from %s", "border tariffs paid on foreign shipments"},
      {"Employee gym membership subsidy, %s", "fitness club benefit for the workforce"},
      {"Patent filing fees, invention %s", "registering intellectual property rights"},
      {"Waste disposal and recycling, %s facility", "garbage collection and rubbish removal"},
      {"Conference sponsorship, %s fintech summit", "paying to have our brand at an industry event"},
      {"Bank overdraft interest, account %s", "charges for borrowing on the current account"},
      {"Team building weekend in %s", "off-site retreat to bond colleagues"},
      {"Air conditioning maintenance, %s server room", "servicing the cooling units"},
      {"Parking permits for staff at %s", "car park fees for employees"},
      {"Subscription to market research reports, %s edition", "industry analysis publications we pay for"},
      {"Pest control treatment at the %s kitchen", "exterminator removing rodents and insects"},
  };
  private static final String[] PLACES = {"Berlin", "Munich", "Hamburg", "Vienna", "Zurich", "Madrid", "Lyon", "Milan",
      "Prague", "Warsaw"};
  private static final String[] EVERYDAY = {"Transfer between own accounts", "Cash withdrawal for petty cash",
      "Customer payment received", "Supplier payment run", "Bank charges for the month", "VAT prepayment to the tax office",
      "Payroll transfer", "Refund to customer", "Loan repayment instalment", "Interest received on deposit"};
  private static final String[] VENDORS = {"Muller GmbH", "Acme Ltd", "Nordic Supplies AB", "Rossi S.p.A.", "Dupont SARL",
      "Kowalski Sp. z o.o.", "Novak s.r.o.", "Garcia S.L.", "Schmidt KG", "Bauer AG"};
  /** identifier queries: a document number, an unusual vendor, a reference only words find. */
  private static final String[][] KEYWORDS = {
      {"KX-48213-Q", null}, {"ZR-00917-B", null}, {"PO-77310-M", null}, {"TQ-55821-L", null}, {"WV-31096-C", null},
      {null, "Zyqorta Handels GmbH"}, {null, "Vexlund Trading Oy"}, {null, "Quibbert & Sons"}, {null, "Ostrawix Logistik"},
      {null, "Plimsoll Ferreira Lda"}, {"HB-62044-T", "Tarvokin Metals"}, {"JN-90412-E", null}, {null, "Krembala Foods"},
      {"SD-13579-K", null}, {null, "Yrjola Consulting"},
  };

  @TempDir
  static Path dir;
  private static SearchIndex index;
  private static Embedder embedder;
  private static final UUID ORG = UUID.randomUUID();
  private static final UUID LEDGER = UUID.randomUUID();
  private static final List<String> queries = new ArrayList<>();
  private static final List<Set<String>> relevant = new ArrayList<>();

  @BeforeAll
  static void build() {
    embedder = Embedder.shared();
    index = SearchIndex.open(dir);
    var rnd = new Random(42);
    var chunks = new ArrayList<Chunk>();
    for (String[] topic : TOPICS) {
      var ids = new HashSet<String>();
      for (int i = 0; i < 5; i++) {
        Chunk c = Chunker.entry(ORG, entry(rnd, String.format(topic[0], PLACES[rnd.nextInt(PLACES.length)]),
            VENDORS[rnd.nextInt(VENDORS.length)], "D-" + rnd.nextInt(100_000)));
        chunks.add(c);
        ids.add(c.id());
      }
      queries.add(topic[1]);
      relevant.add(ids);
    }
    for (String[] k : KEYWORDS) {
      Chunk c = Chunker.entry(ORG, entry(rnd, EVERYDAY[rnd.nextInt(EVERYDAY.length)], k[1] != null ? k[1]
          : VENDORS[rnd.nextInt(VENDORS.length)], k[0] != null ? k[0] : "D-" + rnd.nextInt(100_000)));
      chunks.add(c);
      queries.add(k[0] != null ? k[0] : k[1]);
      relevant.add(Set.of(c.id()));
    }
    for (int i = 0; i < 800; i++) {
      chunks.add(Chunker.entry(ORG, entry(rnd, EVERYDAY[rnd.nextInt(EVERYDAY.length)], VENDORS[rnd.nextInt(VENDORS.length)],
          rnd.nextBoolean() ? null : "D-" + rnd.nextInt(100_000))));
    }
    var docs = new ArrayList<SearchIndex.Doc>();
    long seq = 0;
    for (int from = 0; from < chunks.size(); from += 128) {
      var batch = chunks.subList(from, Math.min(chunks.size(), from + 128));
      float[][] v = embedder.embed(batch.stream().map(Chunk::meaning).toList());
      for (int i = 0; i < batch.size(); i++) {
        Chunk c = batch.get(i);
        docs.add(new SearchIndex.Doc(c.id(), c.org(), c.ledgerId(), c.kind(), c.factId(), c.page(), c.title(), c.body(), v[i],
            ++seq, false));
      }
    }
    index.apply(docs);
    index.refresh();
  }

  @AfterAll
  static void close() {
    index.close();
  }

  private static EntryView entry(Random rnd, String description, String vendor, String document) {
    String amount = (100 + rnd.nextInt(9000)) + "." + String.format("%02d", rnd.nextInt(100));
    String date = String.format("2026-%02d-%02d", 1 + rnd.nextInt(12), 1 + rnd.nextInt(28));
    return new EntryView(UUID.randomUUID().toString(), LEDGER.toString(), date, description, vendor, document, "u", date + "T10:00:00Z",
        null, null, List.of(new Line("6000", amount, null, "EUR"), new Line("1200", null, amount, "EUR")), null);
  }

  @Test
  @DisplayName("the fusion of BM25 and vectors finds at least as much as either alone (recall@5, nDCG@10)")
  void fusionIsAtLeastAsGoodAsEither() {
    assertThat(queries).hasSizeGreaterThanOrEqualTo(50);
    Map<String, Function<String, List<String>>> rankers = new HashMap<>();
    rankers.put("bm25", q -> ids(index.keyword(ORG, q, SearchIndex.Filter.ANY, 10)));
    rankers.put("vector", q -> ids(index.nearest(ORG, embedder.embed(q), SearchIndex.Filter.ANY, 10)));
    rankers.put("fusion", q -> Fusion.rrf(List.of(index.keyword(ORG, q, SearchIndex.Filter.ANY, 50),
        index.nearest(ORG, embedder.embed(q), SearchIndex.Filter.ANY, 50)), 10).stream().map(f -> f.hit().id()).toList());
    var recall = new HashMap<String, Double>();
    var ndcg = new HashMap<String, Double>();
    for (var r : List.of("bm25", "vector", "fusion")) {
      double rec = 0;
      double gain = 0;
      for (int i = 0; i < queries.size(); i++) {
        List<String> got = rankers.get(r).apply(queries.get(i));
        rec += recallAt(got, relevant.get(i), 5);
        gain += ndcgAt(got, relevant.get(i), 10);
      }
      recall.put(r, rec / queries.size());
      ndcg.put(r, gain / queries.size());
      System.out.printf("retrieval quality [ranker: %s, queries: %d, recall@5: %.3f, nDCG@10: %.3f]%n", r, queries.size(),
          recall.get(r), ndcg.get(r));
    }
    assertThat(recall.get("fusion")).isGreaterThanOrEqualTo(recall.get("bm25")).isGreaterThanOrEqualTo(0.0);
    assertThat(recall.get("fusion")).isGreaterThanOrEqualTo(recall.get("vector"));
    assertThat(ndcg.get("fusion")).isGreaterThanOrEqualTo(ndcg.get("bm25"));
    assertThat(ndcg.get("fusion")).isGreaterThanOrEqualTo(ndcg.get("vector"));
  }

  private static List<String> ids(List<Hit> hits) {
    return hits.stream().map(Hit::id).toList();
  }

  /** Of the relevant items (at most k of them count), the share in the first k. */
  static double recallAt(List<String> got, Set<String> relevant, int k) {
    long found = got.stream().limit(k).filter(relevant::contains).count();
    return (double) found / Math.min(k, relevant.size());
  }

  static double ndcgAt(List<String> got, Set<String> relevant, int k) {
    double dcg = 0;
    for (int i = 0; i < Math.min(k, got.size()); i++) {
      if (relevant.contains(got.get(i))) {
        dcg += 1 / (Math.log(i + 2) / Math.log(2));
      }
    }
    double ideal = 0;
    for (int i = 0; i < Math.min(k, relevant.size()); i++) {
      ideal += 1 / (Math.log(i + 2) / Math.log(2));
    }
    return dcg / ideal;
  }
}
