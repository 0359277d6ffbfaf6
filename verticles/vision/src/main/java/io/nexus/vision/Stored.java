package io.nexus.vision;

import io.nexus.contracts.vision.Vision.CodeView;
import io.nexus.contracts.vision.Vision.Disagreement;
import io.nexus.contracts.vision.Vision.KeyFields;
import io.nexus.contracts.vision.Vision.PageLayout;
import java.util.List;

/**
 * A document's analysis as the {@code analysis} column holds it (JSON): what {@code GET
 * /documents/{id}} shows besides the row's own columns.
 *
 * @param notes what could not be done, and why
 */
record Stored(List<CodeView> codes, List<PageLayout> layout, String text, KeyFields fields, List<Disagreement> disagreements,
    List<String> notes) {
  static final Stored NONE = new Stored(List.of(), List.of(), "", new KeyFields(null, null, null, null, null, null, null), List.of(),
      List.of());

  static Stored of(Analyser.Analysis a) {
    return new Stored(a.codes(), a.layout(), a.text(), a.fields(), a.disagreements(), a.notes());
  }
}
