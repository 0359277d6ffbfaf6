package io.nexus.llm.answer;

import io.nexus.contracts.llm.Llm.ChunkKind;
import io.nexus.llm.facts.Chunk;
import io.nexus.llm.index.SearchIndex.Hit;
import java.util.List;
import java.util.Set;

/**
 * The answer without a model: the retrieved facts themselves, best first, each as one sentence of
 * its own words — the fact's title and the sentence of its text that best matches the question —
 * with its citation. Labelled extractive; it passes the citation check because every quantity it
 * states is its fact's own.
 */
public final class Extractive {
  /** Facts an extractive answer names at most. */
  public static final int MAX_FACTS = 5;
  private static final int MAX_LEAD_CHARS = 220;
  private static final String FINDING_META = io.nexus.llm.facts.Chunker.FINDING_PREFIX;

  private Extractive() {}

  /**
   * @param terms the question's analysed terms, to pick each fact's sentence
   * @param stem how a word of a fact is analysed (the index's analyser), to compare with the terms
   */
  public static String answer(List<Hit> facts, Set<String> terms, java.util.function.Function<String, Set<String>> stem) {
    if (facts.isEmpty()) {
      return "The records at hand do not show anything on this.";
    }
    var b = new StringBuilder("The records that best match the question:");
    int n = 0;
    for (Hit h : facts) {
      if (n++ == MAX_FACTS) {
        break;
      }
      String lead;
      String about = "";
      String[] parts = h.body().split("(?<=[.!?])\\s+", 2);
      if (h.kind() == ChunkKind.FINDING && parts.length == 2 && parts[0].startsWith(FINDING_META)) {
        // a finding speaks for itself: its explanation's first sentence, with its rule, severity and status beside
        about = " (" + clean(parts[0].substring(FINDING_META.length(), parts[0].length() - 1)) + ")";
        lead = lead(parts[1].split("(?<=[.!?])\\s+", 2)[0], terms, stem);
      } else {
        lead = lead(h.body(), terms, stem);
      }
      b.append("\n").append(label(h.kind())).append(" \"").append(clean(h.title())).append("\"").append(about).append(": ")
          .append(lead);
      if (!lead.endsWith(".")) {
        b.append('.');
      }
      b.append(" [").append(Chunk.key(h.kind(), h.factId())).append(']');
    }
    return b.toString();
  }

  private static String label(ChunkKind kind) {
    return switch (kind) {
      case FINDING -> "Finding";
      case ENTRY -> "Entry";
      case DOCUMENT -> "Document";
      case COMMENT -> "Comment";
    };
  }

  /** The sentence of a text sharing most terms with the question (the first on a tie), cut at a word. */
  static String lead(String body, Set<String> terms, java.util.function.Function<String, Set<String>> stem) {
    String best = null;
    int bestScore = -1;
    for (String s : body.split("(?<=[.!?])\\s+|\\n+")) {
      String t = s.strip();
      if (t.isEmpty()) {
        continue;
      }
      Set<String> words = stem.apply(t);
      int score = (int) words.stream().filter(terms::contains).count();
      if (score > bestScore) {
        best = t;
        bestScore = score;
      }
    }
    String lead = clean(best == null ? body : best);
    if (lead.length() > MAX_LEAD_CHARS) {
      int cut = lead.lastIndexOf(' ', MAX_LEAD_CHARS);
      lead = lead.substring(0, cut > 0 ? cut : MAX_LEAD_CHARS) + " …";
    }
    return lead;
  }

  /** One line, no brackets that could read as a citation. */
  private static String clean(String s) {
    return s.replaceAll("\\s+", " ").replace('[', '(').replace(']', ')').strip();
  }
}
