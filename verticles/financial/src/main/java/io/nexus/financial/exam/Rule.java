package io.nexus.financial.exam;

import io.nexus.contracts.financial.Financial.RuleId;
import io.vertx.core.Future;
import java.util.List;

/** One examination rule: which it is, and what it finds in an examination's entries. */
abstract class Rule {
  private final RuleId id;

  Rule(RuleId id) {
    this.id = id;
  }

  final RuleId id() {
    return id;
  }

  /** The findings over the examined entries of {@code x}, sorted. */
  abstract Future<List<Draft>> find(Rules x);
}
