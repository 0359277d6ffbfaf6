package io.nexus.financial.exam;

import io.nexus.contracts.financial.Financial.BenfordBucket;
import io.nexus.contracts.financial.Financial.Figure;
import io.nexus.contracts.financial.Financial.RuleId;
import io.nexus.contracts.financial.Financial.Severity;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;

/**
 * A finding as a rule produces it, before it is raised. Its id follows from the ledger, the
 * rule and the rule's key for what it found, so a second run over the same data finds the same
 * ids and raises nothing twice.
 *
 * @param key what was found, in the rule's own terms (a counterparty and amount, a date, ...)
 * @param entryIds the evidence, sorted
 * @param distribution a benford finding's observed against expected shares, null for the other rules
 * @param documentIds the documents behind a finding another service raised (Vision's ids); empty for the rest
 */
public record Draft(RuleId rule, String key, Severity severity, double score, String title, String explanation,
    List<UUID> entryIds, List<Figure> figures, List<BenfordBucket> distribution, List<UUID> documentIds) {

  /** A finding of an examination's rule, with a digit distribution (benford) or without (null). */
  public Draft(RuleId rule, String key, Severity severity, double score, String title, String explanation, List<UUID> entryIds,
      List<Figure> figures, List<BenfordBucket> distribution) {
    this(rule, key, severity, score, title, explanation, entryIds, figures, distribution, List.of());
  }

  /** A finding without a digit distribution (every rule but benford). */
  public Draft(RuleId rule, String key, Severity severity, double score, String title, String explanation, List<UUID> entryIds,
      List<Figure> figures) {
    this(rule, key, severity, score, title, explanation, entryIds, figures, null, List.of());
  }

  /** The finding's id in a ledger. */
  public UUID id(UUID ledger) {
    return UUID.nameUUIDFromBytes((ledger + "|" + rule.wire() + "|" + key).getBytes(StandardCharsets.UTF_8));
  }
}
