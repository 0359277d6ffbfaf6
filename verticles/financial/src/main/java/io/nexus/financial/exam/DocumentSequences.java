package io.nexus.financial.exam;

import io.nexus.contracts.financial.Financial.Figure;
import io.nexus.contracts.financial.Financial.RuleId;
import io.nexus.contracts.financial.Financial.Severity;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.UUID;

/** The {@code document-sequence} rule. */
final class DocumentSequences extends Rule {
  DocumentSequences() {
    super(RuleId.DOCUMENT_SEQUENCE);
  }

  /** Document numbers that form a sequence (prefix + number, dense): gaps in it and numbers used twice. */
  @Override
  Future<List<Draft>> find(Rules x) {
    return x.c.query("SELECT prefix, num, array_agg(id ORDER BY d, id) AS ids FROM (SELECT id, d, "
            + "substring(doc FROM '^(.*?)[0-9]+$') AS prefix, substring(doc FROM '([0-9]{1,18})$')::bigint AS num FROM " + Rules.TABLE
            + " WHERE doc ~ '[0-9]$') z GROUP BY prefix, num ORDER BY prefix, num")
        .execute()
        .map(rows -> {
          record Num(long num, List<UUID> ids) {}
          var byPrefix = new LinkedHashMap<String, List<Num>>();
          for (Row r : rows) {
            byPrefix.computeIfAbsent(r.getString("prefix"), k -> new ArrayList<>()).add(new Num(r.getLong("num"), Rules.ids(r)));
          }
          var out = new ArrayList<Draft>();
          for (var p : byPrefix.entrySet()) {
            List<Num> nums = p.getValue();
            long min = nums.get(0).num();
            long max = nums.get(nums.size() - 1).num();
            double density = (double) nums.size() / (max - min + 1);
            if (nums.size() < x.s.sequenceMinCount() || density < x.s.sequenceMinDensity()) {
              continue;
            }
            String prefix = p.getKey();
            var missing = new ArrayList<Long>();
            long expected = min;
            for (Num n : nums) {
              for (long m = expected; m < n.num() && missing.size() < Rules.MAX_EVIDENCE; m++) {
                missing.add(m);
              }
              expected = n.num() + 1;
              if (n.ids().size() > 1) {
                out.add(new Draft(RuleId.DOCUMENT_SEQUENCE, prefix + "|repeat|" + n.num(), Severity.MEDIUM, n.ids().size(),
                    "Document " + prefix + n.num() + " is used " + n.ids().size() + " times",
                    "In the numbered sequence " + prefix + min + "…" + prefix + max + ", number " + n.num() + " appears on "
                        + n.ids().size() + " entries. A number used twice means a document was copied or re-entered.",
                    n.ids(), List.of(new Figure("prefix", prefix), new Figure("number", String.valueOf(n.num())),
                        new Figure("entries", String.valueOf(n.ids().size())))));
              }
            }
            long gaps = (max - min + 1) - nums.size();
            if (gaps > 0) {
              var neighbours = new ArrayList<UUID>();
              for (int i = 1; i < nums.size() && neighbours.size() < Rules.MAX_EVIDENCE; i++) {
                if (nums.get(i).num() != nums.get(i - 1).num() + 1) {
                  neighbours.addAll(nums.get(i - 1).ids());
                  neighbours.addAll(nums.get(i).ids());
                }
              }
              String list = String.join(", ", missing.stream().map(m -> prefix + m).toList()) + (gaps > missing.size() ? ", …" : "");
              out.add(new Draft(RuleId.DOCUMENT_SEQUENCE, prefix + "|gaps|" + x.from + "|" + x.to, gaps >= 5 ? Severity.MEDIUM : Severity.LOW, gaps,
                  gaps + " number" + (gaps == 1 ? "" : "s") + " missing from the sequence " + prefix + min + "…" + prefix + max,
                  "The documents " + prefix + min + " to " + prefix + max + " form a sequence, but " + list
                      + (gaps == 1 ? " is" : " are") + " not booked. Missing numbers can be voided documents, or documents kept "
                      + "out of the books; the evidence is the entries on either side of each gap.",
                  neighbours.stream().distinct().sorted().toList(), List.of(new Figure("prefix", prefix),
                      new Figure("first", String.valueOf(min)), new Figure("last", String.valueOf(max)),
                      new Figure("missing", list))));
            }
          }
          return out;
        });
  }
}
