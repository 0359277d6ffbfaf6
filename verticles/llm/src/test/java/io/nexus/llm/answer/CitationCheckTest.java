package io.nexus.llm.answer;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexus.contracts.llm.Llm.ChunkKind;
import io.nexus.llm.facts.ChunkStore.StoredFact;
import io.nexus.llm.facts.Quantities;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class CitationCheckTest {
  private static final UUID LEDGER = UUID.randomUUID();
  private static final String ENTRY = "Entry booked 2026-02-03: Consulting invoice. Counterparty: Kittiwake. Amount: 4312.50 EUR.";
  private static final Map<String, List<StoredFact>> FACTS = Map.of(
      "entry:e1", List.of(new StoredFact(ChunkKind.ENTRY, "e1", LEDGER, "Consulting invoice", ENTRY, Quantities.of(ENTRY))),
      "finding:f1", List.of(new StoredFact(ChunkKind.FINDING, "f1", LEDGER, "Possible duplicate payment", "Two payments.",
          Quantities.of("Two payments."))));

  @Test
  @DisplayName("a sentence whose amounts and dates its cited facts state passes, however the amount is written")
  void grounded() {
    assertThat(CitationCheck.problem("Kittiwake was paid 4,312.50 EUR on 3 February 2026 [entry:e1].", FACTS, null)).isNull();
    assertThat(CitationCheck.problem("It looks like a duplicate. [finding:f1] [entry:e1]", FACTS, LEDGER)).isNull();
  }

  @Test
  @DisplayName("an unknown or foreign id, a wrong amount, a wrong date, uncited figures and another ledger each fail, named")
  void ungrounded() {
    assertThat(CitationCheck.problem("Paid [entry:e9].", FACTS, null)).contains("not a fact of the caller's organisation");
    assertThat(CitationCheck.problem("Paid 4312.51 EUR [entry:e1].", FACTS, null)).contains("4312.51");
    assertThat(CitationCheck.problem("Paid on 2026-02-04 [entry:e1].", FACTS, null)).contains("2026-02-04");
    assertThat(CitationCheck.problem("In all 8625.00 EUR left.", FACTS, null)).contains("without citing");
    assertThat(CitationCheck.problem("Paid [entry:e1].", FACTS, UUID.randomUUID())).contains("not of the ledger");
  }

  @Test
  @DisplayName("a citation after the full stop belongs to its sentence; failing sentences are dropped and counted")
  void sentences() {
    var c = CitationCheck.check("Paid twice. [finding:f1] It was 99.00 EUR [entry:e1]. Nothing else.", FACTS, null);
    assertThat(c.text()).isEqualTo("Paid twice. [finding:f1] Nothing else.");
    assertThat(c.cited()).containsExactly("finding:f1");
    assertThat(c.dropped()).isEqualTo(1);
  }

  @Test
  @DisplayName("streamed in pieces that split a citation, a sentence is judged only once its citation is whole")
  void streamedPieces() {
    var published = new java.util.ArrayList<String>();
    var stream = new CheckedStream(FACTS, keys -> io.vertx.core.Future.succeededFuture(List.of()), null, published::add);
    for (String piece : List.of("Paid 4312.50 EUR.", " [ent", "ry:e1] Paid 1.00 EUR [entry:e1", "]. Looked", " up [entry:e7]. Done.")) {
      stream.piece(piece);
    }
    var checked = stream.end().result();
    assertThat(published).containsExactly("Paid 4312.50 EUR. [entry:e1]", " Done.");
    assertThat(checked.dropped()).isEqualTo(2);
    assertThat(checked.text()).isEqualTo("Paid 4312.50 EUR. [entry:e1] Done.");
  }
}
