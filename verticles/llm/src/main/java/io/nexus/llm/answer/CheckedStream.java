package io.nexus.llm.answer;

import io.nexus.llm.facts.ChunkStore.StoredFact;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * An answer checked as it is written: pieces are gathered into sentences, and each sentence is
 * checked ({@link CitationCheck#problem}) before it is handed on — so nobody watching the stream
 * sees a sentence the final answer drops. Facts cited that were not among those retrieved are
 * looked up (the caller's organisation only) before the sentence is judged.
 */
public final class CheckedStream {
  private final Map<String, List<StoredFact>> known;
  private final Function<List<String>, Future<List<StoredFact>>> lookup;
  private final UUID ledger;
  private final Consumer<String> publish;
  private final StringBuilder buffer = new StringBuilder();
  private final StringBuilder kept = new StringBuilder();
  private final List<String> reasons = new ArrayList<>();
  private final java.util.Set<String> cited = new java.util.LinkedHashSet<>();
  private int taken;
  private Future<Void> chain = Future.succeededFuture();

  /**
   * @param known the retrieved facts by {@code kind:id}
   * @param lookup the caller's organisation's facts of other keys
   * @param publish gets each sentence that passed, in order
   */
  public CheckedStream(Map<String, List<StoredFact>> known, Function<List<String>, Future<List<StoredFact>>> lookup, UUID ledger,
      Consumer<String> publish) {
    this.known = new HashMap<>(known);
    this.lookup = lookup;
    this.ledger = ledger;
    this.publish = publish;
  }

  /** A piece of the answer: the sentences it completes are checked and handed on. */
  public void piece(String text) {
    buffer.append(text);
    List<CitationCheck.Piece> s = CitationCheck.pieces(buffer.toString());
    // the last sentence may still grow, and one followed by a citation still being written may still get it:
    // they wait for the next piece or the end
    while (taken < s.size() - 1 && !s.get(taken + 1).text().startsWith("[")) {
      judge(s.get(taken++));
    }
  }

  /** The answer ended: the rest is checked, and the whole outcome given. */
  public Future<CitationCheck.Checked> end() {
    List<CitationCheck.Piece> s = CitationCheck.pieces(buffer.toString());
    while (taken < s.size()) {
      judge(s.get(taken++));
    }
    return chain.map(v -> new CitationCheck.Checked(kept.toString(), List.copyOf(cited), reasons.size(), List.copyOf(reasons)));
  }

  /** Every fact seen: the retrieved ones and those looked up. */
  public Map<String, List<StoredFact>> facts() {
    return known;
  }

  private void judge(CitationCheck.Piece piece) {
    String sentence = piece.text();
    chain = chain.compose(v -> {
      var missing = CitationCheck.cites(sentence).stream().filter(k -> !known.containsKey(k)).toList();
      Future<Void> loaded = missing.isEmpty() ? Future.succeededFuture() : lookup.apply(missing).map(found -> {
        for (StoredFact f : found) {
          known.computeIfAbsent(CitationCheck.keyOf(f), k -> new ArrayList<>()).add(f);
        }
        return null;
      });
      return loaded.map(x -> {
        String why = CitationCheck.problem(sentence, known, ledger);
        if (why == null) {
          String text = (kept.length() == 0 ? "" : piece.separator()) + sentence;
          kept.append(text);
          cited.addAll(CitationCheck.cites(sentence));
          publish.accept(text);
        } else {
          reasons.add(why);
        }
        return null;
      });
    });
  }
}
