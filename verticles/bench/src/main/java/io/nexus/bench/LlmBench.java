package io.nexus.bench;

import io.nexus.financial.demo.DemoBooks;
import io.nexus.kernel.db.PgConfig;
import io.nexus.kernel.embedded.EmbeddedServers;
import io.nexus.llm.index.Embedder;
import io.nexus.llm.index.SearchIndex;
import io.nexus.node.NexusNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.BoostQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.store.FSDirectory;

/**
 * The LLM benchmark over the demo books (about 50,000 entries, imported through the API into a
 * node running security, financial, llm and the gateway):
 *
 * <ul>
 *   <li>indexing: chunks per second from the import's end until the node's index holds every entry
 *       chunk, embedded and applied — fetching the entries over Financial's contract, chunking,
 *       storing, embedding in batches, indexing — against the bare embedding model on the same
 *       chunk texts in the same batches (the model is the work; the rest is what the service adds);</li>
 *   <li>search: {@code GET /api/v1/search} one query at a time (gateway, bus, embedding the query,
 *       BM25 and HNSW, fusion, snippets), queries per second and p99, against Lucene queried directly
 *       on the same committed index: the query embedded by the same model, the same BM25 query and
 *       the same 50-deep k-NN query, nothing else; A/B pairs;</li>
 *   <li>memory: the organisation's Lucene index on disk (memory-mapped, so the page cache holds it,
 *       not the heap) and the chunks table, per 100,000 chunks.</li>
 * </ul>
 */
public final class LlmBench {
  private static final int PAIRS = 3;
  private static final int QUERIES = 200;
  private static final int DEPTH = 50;
  private static final int BATCH = 64;
  private static final long WAIT_MS = 1_800_000;

  private LlmBench() {}

  public static void main(String[] args) throws Exception {
    try (var env = BenchEnv.open(args)) {
      run(env);
    }
    System.exit(0);
  }

  private static void run(BenchEnv env) throws Exception {
    double scale = Double.parseDouble(System.getenv().getOrDefault("NEXUS_BENCH_LLM_SCALE", "1.0"));
    String db = env.freshDatabase();
    var pg = new PgConfig(db, 2);
    int httpPort = EmbeddedServers.freePort();
    NexusNode node = env.startNode(db, httpPort, Map.of("node.services", new JsonArray().add("security").add("financial")
        .add("llm").add("gateway")));
    var report = new JsonObject().put("scenario", "llm").put("at", Instant.now().toString()).put("pairs", PAIRS)
        .put("model", Embedder.MODEL);
    try (var c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password()); var st = c.createStatement()) {
      var http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
      String base = "http://127.0.0.1:" + httpPort + "/api/v1";
      String token = BenchEnv.login(http, base);
      String org = get(http, base + "/me", token).getString("org");
      String ledger = BenchEnv.post(http, base + "/ledgers", token, new JsonObject().put("name", "llm " + UUID.randomUUID())
          .put("currency", "EUR")).getString("id");
      for (DemoBooks.Account a : DemoBooks.ACCOUNTS) {
        BenchEnv.post(http, base + "/ledgers/" + ledger + "/accounts", token, new JsonObject().put("code", a.code())
            .put("name", a.name()).put("type", a.type()));
      }
      Path file = env.out.resolve("llm.csv");
      var books = new DemoBooks(7, scale);
      try (var w = Files.newBufferedWriter(file)) {
        books.write(w);
      }
      int entries = books.entryCount();
      report.put("entries", entries);
      String id = BenchEnv.post(http, base + "/ledgers/" + ledger + "/imports", token, new JsonObject().put("format", "csv"))
          .getString("id");
      var r = http.send(HttpRequest.newBuilder(URI.create(base + "/ledgers/" + ledger + "/imports/" + id + "/file"))
          .header("Authorization", "Bearer " + token).header("Content-Type", "text/csv").timeout(Duration.ofMinutes(30))
          .PUT(HttpRequest.BodyPublishers.ofFile(file)).build(), HttpResponse.BodyHandlers.ofString());
      Files.delete(file);
      if (r.statusCode() != 200) {
        throw new IllegalStateException("import failed: " + r.statusCode() + " " + r.body());
      }
      // indexing: from the import's end to every entry a chunk, embedded and in this node's index
      long t0 = System.nanoTime();
      long deadline = System.currentTimeMillis() + WAIT_MS;
      while (true) {
        var s = get(http, base + "/search/index", token);
        if (s.getLong("chunks") >= entries && s.getLong("pending") == 0 && s.getLong("behind") == 0
            && s.getLong("indexed").equals(s.getLong("chunks"))) {
          break;
        }
        if (System.currentTimeMillis() > deadline) {
          throw new IllegalStateException("not indexed within " + WAIT_MS + " ms: " + s);
        }
        Thread.sleep(100);
      }
      double pipelineSeconds = (System.nanoTime() - t0) / 1e9;
      var texts = new ArrayList<String>();
      var titles = new ArrayList<String>();
      try (var rs = st.executeQuery("SELECT meaning, title FROM llm.chunks WHERE org = '" + org + "'::uuid ORDER BY seq")) {
        while (rs.next()) {
          texts.add(rs.getString(1));
          titles.add(rs.getString(2));
        }
      }
      long t1 = System.nanoTime();
      Embedder model = Embedder.shared();
      for (int i = 0; i < texts.size(); i += BATCH) {
        model.embed(texts.subList(i, Math.min(texts.size(), i + BATCH)));
      }
      double bareSeconds = (System.nanoTime() - t1) / 1e9;
      report.put("indexing", new JsonObject().put("chunks", texts.size()).put("pipelineSeconds", pipelineSeconds)
          .put("pipelineChunksPerSecond", texts.size() / pipelineSeconds).put("bareSeconds", bareSeconds)
          .put("bareChunksPerSecond", texts.size() / bareSeconds).put("ratio", bareSeconds / pipelineSeconds));
      System.out.println("indexing " + report.getJsonObject("indexing").encode());

      // the index as the node committed it (it commits every 5 s)
      Thread.sleep(6000);
      Path orgDir = indexDir(env.out.resolve("node-" + httpPort), org);
      long indexBytes;
      try (Stream<Path> files = Files.walk(orgDir)) {
        indexBytes = files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
      }
      long tableBytes;
      try (var rs = st.executeQuery("SELECT pg_total_relation_size('llm.chunks')")) {
        rs.next();
        tableBytes = rs.getLong(1);
      }
      report.put("memory", new JsonObject().put("indexBytes", indexBytes).put("tableBytes", tableBytes)
          .put("indexMiBPer100k", indexBytes / 1048576.0 / texts.size() * 100_000)
          .put("tableMiBPer100k", tableBytes / 1048576.0 / texts.size() * 100_000));

      List<String> queries = queries(titles, new Random(11));
      var direct = new Direct(orgDir, model, UUID.fromString(org));
      long[][] latencies = new long[2][];
      var pairs = AB.pairs("search: GET /api/v1/search vs Lucene directly", PAIRS, true,
          () -> {
            // a fresh token each pass: the bare model's run above outlasts an access token
            String bearer = BenchEnv.login(http, base);
            latencies[0] = new long[queries.size()];
            long s0 = System.nanoTime();
            for (int i = 0; i < queries.size(); i++) {
              long q0 = System.nanoTime();
              var res = http.send(HttpRequest.newBuilder(URI.create(base + "/search?q=" + URLEncoder.encode(queries.get(i),
                  StandardCharsets.UTF_8))).header("Authorization", "Bearer " + bearer).GET().build(), HttpResponse.BodyHandlers.ofString());
              if (res.statusCode() != 200) {
                throw new IllegalStateException("search failed: " + res.statusCode() + " " + res.body());
              }
              latencies[0][i] = System.nanoTime() - q0;
            }
            return queries.size() / ((System.nanoTime() - s0) / 1e9);
          },
          () -> {
            latencies[1] = new long[queries.size()];
            long s0 = System.nanoTime();
            for (int i = 0; i < queries.size(); i++) {
              long q0 = System.nanoTime();
              direct.search(queries.get(i));
              latencies[1][i] = System.nanoTime() - q0;
            }
            return queries.size() / ((System.nanoTime() - s0) / 1e9);
          });
      direct.close();
      pairs.put("serviceP99Ms", Stats.quantile(latencies[0], 0.99) / 1e6).put("directP99Ms", Stats.quantile(latencies[1], 0.99) / 1e6)
          .put("serviceP50Ms", Stats.quantile(latencies[0], 0.5) / 1e6).put("directP50Ms", Stats.quantile(latencies[1], 0.5) / 1e6);
      report.put("search", pairs).put("queries", queries.size());
    } finally {
      node.stop().await(120, TimeUnit.SECONDS);
    }
    Files.writeString(env.out.resolve("llm.json"), report.encodePrettily());
    Files.writeString(env.out.resolve("llm.md"), markdown(report));
    System.out.println(markdown(report));
  }

  private static JsonObject get(HttpClient http, String url, String token) throws Exception {
    var r = http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException(url + " → " + r.statusCode() + " " + r.body());
    }
    return new JsonObject(r.body());
  }

  /** The organisation's index directory in the node's first slot. */
  private static Path indexDir(Path dataDir, String org) {
    return dataDir.resolve("llm-index").resolve("0").resolve(org);
  }

  /** Queries an examiner would type: words of the books' own descriptions and counterparties, and questions in other words. */
  private static List<String> queries(List<String> texts, Random rnd) {
    String[] asked = {"duplicate payments to the same supplier", "payments made on a weekend", "round amount transfers",
        "office rent", "consulting fees", "travel expenses", "cash withdrawals", "suspense account postings",
        "invoices just below the approval limit", "a new supplier paid a large amount"};
    var out = new ArrayList<String>();
    for (int i = 0; i < QUERIES; i++) {
      if (i % 4 == 0) {
        out.add(asked[rnd.nextInt(asked.length)]);
        continue;
      }
      String title = texts.get(rnd.nextInt(texts.size()));
      String[] words = title.replace("—", " ").split("\\s+");
      int from = rnd.nextInt(Math.max(1, words.length - 1));
      out.add(String.join(" ", java.util.Arrays.copyOfRange(words, from, Math.min(words.length, from + 2 + rnd.nextInt(2)))));
    }
    return out;
  }

  /** Lucene itself on the committed index: the same two queries the service runs, without fusion, snippets or transport. */
  private static final class Direct implements AutoCloseable {
    private final FSDirectory dir;
    private final DirectoryReader reader;
    private final IndexSearcher searcher;
    private final EnglishAnalyzer analyzer = new EnglishAnalyzer();
    private final Embedder model;
    private final UUID org;

    Direct(Path path, Embedder model, UUID org) throws Exception {
      this.dir = FSDirectory.open(path);
      this.reader = DirectoryReader.open(dir);
      this.searcher = new IndexSearcher(reader);
      this.model = model;
      this.org = org;
    }

    void search(String q) throws Exception {
      var words = new BooleanQuery.Builder();
      try (TokenStream ts = analyzer.tokenStream("body", q)) {
        var term = ts.addAttribute(CharTermAttribute.class);
        ts.reset();
        while (ts.incrementToken()) {
          words.add(new BoostQuery(new TermQuery(new Term("title", term.toString())), 2f), Occur.SHOULD);
          words.add(new TermQuery(new Term("body", term.toString())), Occur.SHOULD);
        }
        ts.end();
      }
      var scope = new TermQuery(new Term("org", org.toString()));
      searcher.search(new BooleanQuery.Builder().add(words.build(), Occur.MUST).add(scope, Occur.FILTER).build(), DEPTH);
      searcher.search(new KnnFloatVectorQuery("vec", model.embed(q), DEPTH, scope), DEPTH);
    }

    @Override
    public void close() throws Exception {
      reader.close();
      dir.close();
    }
  }

  private static String markdown(JsonObject r) {
    JsonObject ix = r.getJsonObject("indexing");
    JsonObject m = r.getJsonObject("memory");
    JsonObject s = r.getJsonObject("search");
    return String.format(Locale.ROOT, """
        # LLM (%s)

        The demo books (%d entries) imported into a node running security, financial, llm and the gateway; model %s.

        | | service | baseline | ratio | aim |
        |---|---|---|---|---|
        | indexing, chunks/s: import's end → every chunk fetched, stored, embedded and indexed, vs the bare model on the same %d texts in batches of %d | %.0f | %.0f | %.2f× | ≥ 0.8× |
        | search, queries/s one at a time: `GET /api/v1/search` vs Lucene directly (same embedding, BM25 and 50-deep k-NN), %d queries, %d A/B pairs (median) | %.1f | %.1f | %.2f× | ≥ 0.7× |
        | search p50 / p99, ms (last pair) | %.1f / %.1f | %.1f / %.1f | | |

        Memory: the organisation's Lucene index is %.1f MiB on disk for %d chunks (memory-mapped: the page cache holds it, not
        the heap) — **%.0f MiB per 100,000 chunks**; the chunks table (text, facts, 384-float vectors) %.0f MiB per 100,000.
        """, r.getString("at"), r.getInteger("entries"), r.getString("model"), ix.getInteger("chunks"), BATCH,
        ix.getDouble("pipelineChunksPerSecond"), ix.getDouble("bareChunksPerSecond"), ix.getDouble("ratio"), r.getInteger("queries"),
        r.getInteger("pairs"), s.getDouble("candidateMedian"), s.getDouble("baselineMedian"), s.getDouble("ratio"),
        s.getDouble("serviceP50Ms"), s.getDouble("serviceP99Ms"), s.getDouble("directP50Ms"), s.getDouble("directP99Ms"),
        m.getLong("indexBytes") / 1048576.0, ix.getInteger("chunks"), m.getDouble("indexMiBPer100k"), m.getDouble("tableMiBPer100k"));
  }
}
