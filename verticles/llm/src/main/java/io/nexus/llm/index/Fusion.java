package io.nexus.llm.index;

import io.nexus.llm.index.SearchIndex.Hit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reciprocal rank fusion (Cormack, Clarke and Büttcher, SIGIR 2009): a chunk's fused score is
 * the sum over the rankings of {@code 1 / (k + rank)}. It reads ranks, not scores, which is what
 * fusing BM25 with cosine needs: BM25 scores are unbounded and move with the organisation's term
 * statistics, cosine scores crowd into a narrow band, so any weighted blend of the two would need
 * re-tuning per corpus, while ranks mean the same in both. {@code k = 60} is the paper's constant.
 * Ties keep the order of first appearance, keyword list first.
 */
public final class Fusion {
  /** The paper's k: how much the top ranks dominate. */
  public static final int K = 60;

  private Fusion() {}

  /** A fused result. */
  public record Fused(Hit hit, double score) {}

  public static List<Fused> rrf(List<List<Hit>> rankings, int limit) {
    var scores = new LinkedHashMap<String, double[]>();
    var hits = new LinkedHashMap<String, Hit>();
    for (List<Hit> ranking : rankings) {
      for (Hit h : ranking) {
        scores.computeIfAbsent(h.id(), id -> new double[1])[0] += 1.0 / (K + h.rank());
        hits.putIfAbsent(h.id(), h);
      }
    }
    var out = new ArrayList<Fused>(scores.size());
    for (Map.Entry<String, double[]> e : scores.entrySet()) {
      out.add(new Fused(hits.get(e.getKey()), e.getValue()[0]));
    }
    out.sort(Comparator.comparingDouble(Fused::score).reversed());
    return out.size() > limit ? out.subList(0, limit) : out;
  }
}
