package io.nexus.financial.exam;

import io.nexus.contracts.financial.Financial.Figure;
import io.nexus.contracts.financial.Financial.RuleId;
import io.nexus.contracts.financial.Financial.Severity;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** The {@code duplicate-document} rule. */
final class DuplicateDocuments extends Rule {
  DuplicateDocuments() {
    super(RuleId.DUPLICATE_DOCUMENT);
  }

  /** The same counterparty with the same document number once normalised (case, punctuation, leading zeros). */
  @Override
  Future<List<Draft>> find(Rules x) {
    return x.c.query("SELECT cp, nd, array_agg(id ORDER BY d, id) AS ids, array_agg(DISTINCT doc) AS docs, sum(amount) AS total "
            + "FROM (SELECT id, cp, d, doc, amount, regexp_replace(regexp_replace(upper(doc), '[^A-Z0-9]', '', 'g'), "
            + "'(^|[^0-9])0+([0-9])', '\\1\\2', 'g') AS nd FROM " + Rules.TABLE + " WHERE cp IS NOT NULL AND doc IS NOT NULL) z "
            + "WHERE nd <> '' GROUP BY cp, nd HAVING count(*) > 1 ORDER BY cp, nd")
        .execute()
        .map(rows -> {
          var out = new ArrayList<Draft>();
          for (Row r : rows) {
            List<UUID> ids = Rules.ids(r);
            String docs = String.join(", ", Rules.sorted(r.getArrayOfStrings("docs")));
            out.add(new Draft(RuleId.DUPLICATE_DOCUMENT, r.getString("cp") + "|" + r.getString("nd"), Severity.HIGH, ids.size(),
                "Document " + r.getString("nd") + " of " + r.getString("cp") + " booked " + ids.size() + " times",
                ids.size() + " entries for " + r.getString("cp") + " carry the same document number (" + docs
                    + ", the same once case, punctuation and leading zeros are ignored), together " + x.money(r.getBigDecimal("total"))
                    + ". One invoice booked twice is how duplicate payments are made; check which entry is the real one.",
                ids, List.of(new Figure("document", r.getString("nd")), new Figure("as written", docs),
                    new Figure("entries", String.valueOf(ids.size())), new Figure("total", x.money(r.getBigDecimal("total"))))));
          }
          return out;
        });
  }
}
