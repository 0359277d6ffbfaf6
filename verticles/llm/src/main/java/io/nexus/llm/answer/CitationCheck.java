package io.nexus.llm.answer;

import io.nexus.contracts.Wire;
import io.nexus.contracts.llm.Llm.ChunkKind;
import io.nexus.llm.facts.Chunk;
import io.nexus.llm.facts.ChunkStore.StoredFact;
import io.nexus.llm.facts.Quantities;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks an answer sentence by sentence before anyone sees it. A sentence passes when every fact
 * it cites ({@code [entry:<id>]}) is one of the caller's organisation's (and of the ledger asked
 * about, when one was), and every amount and date it states is stated by one of the facts it
 * cites. A sentence stating an amount or a date without a citation fails too; one that states
 * none and cites none (a connecting phrase) passes. Failing sentences are dropped and counted.
 */
public final class CitationCheck {
  /** A citation as answers write it. */
  public static final Pattern CITATION = Pattern.compile("\\[(finding|entry|document|comment):([A-Za-z0-9._#:-]{1,140})]");
  private static final Pattern SENTENCE_END = Pattern.compile("(?<=[.!?])\\s+|\\n+");
  private static final Pattern LEADING_CITATIONS = Pattern.compile("^((?:\\[[a-z]{5,8}:[A-Za-z0-9._#:-]{1,140}]\\s*)+)(.*)$",
      Pattern.DOTALL);

  private CitationCheck() {}

  /** One sentence and what it cites ({@code kind:id} keys). */
  public record Sentence(String text, List<String> cites) {}

  /** The checked answer: the sentences kept, joined; the facts they cite, in order; how many were dropped and why. */
  public record Checked(String text, List<String> cited, int dropped, List<String> reasons) {}

  /** A sentence and whether a line break came before it (a list's next item), so a checked text keeps its lines. */
  public record Piece(String text, boolean newLine) {
    /** How it follows the sentence before it. */
    public String separator() {
      return newLine ? "\n" : " ";
    }
  }

  /** Splits a text into sentences; citations written after a full stop belong to the sentence before them. */
  public static List<Piece> pieces(String text) {
    var out = new ArrayList<Piece>();
    String t = text.strip();
    Matcher m = SENTENCE_END.matcher(t);
    int at = 0;
    boolean newLine = false;
    while (true) {
      boolean found = m.find();
      String part = (found ? t.substring(at, m.start()) : t.substring(at)).strip();
      Matcher lead = LEADING_CITATIONS.matcher(part);
      if (!out.isEmpty() && lead.matches()) {
        Piece last = out.remove(out.size() - 1);
        out.add(new Piece(last.text() + " " + lead.group(1).strip(), last.newLine()));
        part = lead.group(2).strip();
      }
      if (!part.isEmpty()) {
        out.add(new Piece(part, newLine && !out.isEmpty()));
      }
      if (!found) {
        return out;
      }
      newLine = m.group().contains("\n");
      at = m.end();
    }
  }

  /** The sentences of a text. */
  public static List<String> sentences(String text) {
    return pieces(text).stream().map(Piece::text).toList();
  }

  /** The {@code kind:id} keys a text cites, each once, in order. */
  public static List<String> cites(String text) {
    var keys = new LinkedHashSet<String>();
    Matcher m = CITATION.matcher(text);
    while (m.find()) {
      keys.add(m.group(1) + ":" + m.group(2));
    }
    return List.copyOf(keys);
  }

  /**
   * Why a sentence fails, or null when it passes.
   *
   * @param facts the caller's organisation's facts by {@code kind:id} (a document's pages together);
   *     a key absent here is another organisation's, or no fact at all
   * @param ledger the ledger the question was about, or null
   */
  public static String problem(String sentence, Map<String, List<StoredFact>> facts, UUID ledger) {
    List<String> keys = cites(sentence);
    Quantities.Found stated = Quantities.of(CITATION.matcher(sentence).replaceAll(" "));
    if (keys.isEmpty()) {
      return stated.isEmpty() ? null : "states " + describe(stated) + " without citing a fact";
    }
    Set<BigDecimal> amounts = new HashSet<>();
    Set<LocalDate> dates = new HashSet<>();
    for (String key : keys) {
      List<StoredFact> f = facts.get(key);
      if (f == null || f.isEmpty()) {
        return "cites " + key + ", which is not a fact of the caller's organisation";
      }
      for (StoredFact part : f) {
        if (ledger != null && !ledger.equals(part.ledgerId())) {
          return "cites " + key + ", which is not of the ledger asked about";
        }
        amounts.addAll(part.facts().amounts());
        dates.addAll(part.facts().dates());
      }
    }
    for (BigDecimal a : stated.amounts()) {
      if (!amounts.contains(a)) {
        return "states the amount " + a.toPlainString() + ", which no fact it cites states";
      }
    }
    for (LocalDate d : stated.dates()) {
      if (!dates.contains(d)) {
        return "states the date " + d + ", which no fact it cites states";
      }
    }
    return null;
  }

  /** Checks every sentence of a text. */
  public static Checked check(String text, Map<String, List<StoredFact>> facts, UUID ledger) {
    var kept = new StringBuilder();
    var cited = new LinkedHashSet<String>();
    var reasons = new ArrayList<String>();
    for (Piece p : pieces(text)) {
      String why = problem(p.text(), facts, ledger);
      if (why == null) {
        kept.append(kept.length() == 0 ? "" : p.separator()).append(p.text());
        cited.addAll(cites(p.text()));
      } else {
        reasons.add(why);
      }
    }
    return new Checked(kept.toString(), List.copyOf(cited), reasons.size(), reasons);
  }

  /** The kind of a {@code kind:id} key. */
  public static ChunkKind kindOf(String key) {
    return Wire.parse(ChunkKind.class, key.substring(0, key.indexOf(':')));
  }

  /** The id of a {@code kind:id} key. */
  public static String idOf(String key) {
    return key.substring(key.indexOf(':') + 1);
  }

  /** The key of a fact, as {@link Chunk#key}. */
  public static String keyOf(StoredFact f) {
    return Chunk.key(f.kind(), f.factId());
  }

  private static String describe(Quantities.Found q) {
    var parts = new ArrayList<String>();
    q.amounts().forEach(a -> parts.add(a.toPlainString()));
    q.dates().forEach(d -> parts.add(d.toString()));
    return String.join(", ", parts);
  }
}
