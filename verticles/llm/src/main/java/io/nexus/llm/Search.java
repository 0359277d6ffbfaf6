package io.nexus.llm;

import io.nexus.contracts.Principal;
import io.nexus.contracts.llm.Llm.ChunkKind;
import io.nexus.contracts.llm.Llm.SearchMode;
import io.nexus.contracts.llm.Llm.SearchQuery;
import io.nexus.contracts.llm.Llm.SearchResult;
import io.nexus.contracts.llm.Llm.SearchResults;
import io.nexus.kernel.bus.BusFailure;
import io.nexus.kernel.bus.Call;
import io.nexus.llm.index.Embedder;
import io.nexus.llm.index.Fusion;
import io.nexus.llm.index.SearchIndex;
import io.nexus.llm.index.SearchIndex.Filter;
import io.nexus.llm.index.SearchIndex.Hit;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Hybrid retrieval over the caller's organisation: BM25 and nearest neighbours on this node's
 * index, each asked for a deep list, fused by reciprocal rank ({@link Fusion}), one result per
 * fact (a document's best page), with a snippet around the matched words. The assistant retrieves
 * with the same code. Runs on a worker: embedding the query and searching are CPU work.
 */
final class Search {
  static final int DEFAULT_LIMIT = 10;
  /** How deep each ranking goes before fusion: deeper lists let the other ranking lift a result. */
  static final int DEPTH = 50;

  private final SearchIndex index;
  private final WorkerExecutor workers;
  private final Supplier<Embedder> embedder;

  /** @param embedder the embedding model once loaded, else null (keyword search only) */
  Search(SearchIndex index, WorkerExecutor workers, Supplier<Embedder> embedder) {
    this.index = index;
    this.workers = workers;
    this.embedder = embedder;
  }

  /** A fact found: the hit and its fused score. */
  record Found(Hit hit, double score) {}

  Future<SearchResults> search(SearchQuery q, Call call) {
    Principal p = call.requirePrincipal();
    String text = q.q().strip();
    if (text.isEmpty()) {
      return Future.failedFuture(BusFailure.badRequest("q: give some words to search for"));
    }
    int limit = q.limit() == null ? DEFAULT_LIMIT : q.limit();
    Filter filter = new Filter(q.kinds() == null || q.kinds().isEmpty() ? Set.of() : EnumSet.copyOf(q.kinds()),
        q.ledger() == null ? null : uuidOr(q.ledger()));
    if (q.ledger() != null && filter.ledger() == null) {
      return Future.failedFuture(BusFailure.badRequest("ledger: not a ledger id (a UUID)"));
    }
    UUID org = UUID.fromString(p.org());
    return workers.executeBlocking(() -> {
      Set<String> terms = index.terms(text);
      var results = new ArrayList<SearchResult>();
      for (Found f : retrieve(org, text, filter, limit)) {
        var s = index.snippet(f.hit().body(), terms);
        Hit h = f.hit();
        results.add(new SearchResult(h.kind(), h.factId(), h.ledgerId(), h.title(), s.text(), s.highlights(), round(f.score()),
            h.kind() == ChunkKind.DOCUMENT ? h.page() : null));
      }
      return new SearchResults(mode(), results);
    }, false);
  }

  private SearchMode mode() {
    return embedder.get() == null ? SearchMode.KEYWORD : SearchMode.HYBRID;
  }

  /** The best {@code limit} facts for a text (blocking). */
  List<Found> retrieve(UUID org, String text, Filter filter, int limit) {
    return retrieve(org, text, filter, limit, false);
  }

  /**
   * The best {@code limit} facts for a text (blocking). With {@code findingsFirst} (the assistant's
   * retrieval), the findings' own rankings are fused in as well: findings are what the examination
   * concluded about the entries, and a question put to the examiner's assistant ("which payments look
   * duplicated?") is first a question about them — among 50,000 entries whose words and meaning
   * resemble it ("Unidentified payment"), a finding needs its own vote to be read.
   */
  List<Found> retrieve(UUID org, String text, Filter filter, int limit, boolean findingsFirst) {
    int depth = Math.max(DEPTH, limit * 3);
    Embedder e = embedder.get();
    float[] vector = e == null ? null : e.embed(text);
    var rankings = new ArrayList<List<Hit>>();
    rankings.add(index.keyword(org, text, filter, depth));
    if (vector != null) {
      rankings.add(index.nearest(org, vector, filter, depth));
    }
    if (findingsFirst && (filter.kinds().isEmpty() || filter.kinds().contains(ChunkKind.FINDING))) {
      var findings = new Filter(Set.of(ChunkKind.FINDING), filter.ledger());
      rankings.add(index.keyword(org, text, findings, depth));
      if (vector != null) {
        rankings.add(index.nearest(org, vector, findings, depth));
      }
    }
    var out = new ArrayList<Found>();
    var facts = new LinkedHashSet<String>();
    for (Fusion.Fused f : Fusion.rrf(rankings, depth * 4)) {
      if (facts.add(f.hit().kind().wire() + ":" + f.hit().factId())) {
        out.add(new Found(f.hit(), f.score()));
        if (out.size() == limit) {
          break;
        }
      }
    }
    return out;
  }

  private static double round(double score) {
    return Math.round(score * 1e6) / 1e6;
  }

  private static UUID uuidOr(String s) {
    try {
      return UUID.fromString(s);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

}
