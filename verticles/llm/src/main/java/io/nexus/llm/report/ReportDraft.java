package io.nexus.llm.report;

import io.nexus.contracts.Codec;
import io.nexus.contracts.financial.Financial.ExaminationStatus;
import io.nexus.contracts.financial.Financial.ExaminationView;
import io.nexus.contracts.financial.Financial.Figure;
import io.nexus.contracts.financial.Financial.FindingStatus;
import io.nexus.contracts.financial.Financial.FindingView;
import io.nexus.contracts.financial.Financial.LedgerView;
import io.nexus.contracts.financial.Financial.RuleSettings;
import io.nexus.contracts.financial.Financial.Severity;
import io.nexus.contracts.llm.Llm.ChunkKind;
import io.nexus.llm.facts.Chunk;
import io.nexus.llm.facts.ChunkStore.CommentFact;
import io.nexus.llm.facts.ChunkStore.StoredFact;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * An examination's report as Markdown, composed from the facts alone: scope (the ledger and the
 * period), method (the rules run and the organisation's settings they ran with), the findings by
 * severity — each with its explanation, figures, status and evidence — and the open items. Every
 * statement about a finding or an entry carries its citation ({@code [finding:<id>]},
 * {@code [entry:<id>]}), so the draft can be checked like an answer. Nothing is generated: the
 * same facts give the same report, byte for byte.
 */
public final class ReportDraft {
  /** Entries shown as evidence under one finding; the rest are counted. */
  static final int MAX_EVIDENCE = 10;

  private ReportDraft() {}

  /** The facts a report is written from. */
  public record Facts(LedgerView ledger, ExaminationView examination, RuleSettings settings, List<FindingView> findings,
      Map<String, StoredFact> entries, Map<String, List<CommentFact>> comments, String draftedBy, String draftedAt, int version) {}

  public static String markdown(Facts f) {
    var md = new StringBuilder();
    ExaminationView e = f.examination();
    md.append("# Examination report: ").append(inline(f.ledger().name())).append("\n\n");
    md.append("Draft version ").append(f.version()).append(", ").append(f.draftedAt()).append(", drafted by ")
        .append(inline(f.draftedBy())).append(" from the records as they stood then. Examination `").append(e.id())
        .append("`, ").append(e.status().wire()).append(", started ").append(e.startedAt()).append(" by ")
        .append(inline(e.startedBy())).append(e.finishedAt() == null ? "" : ", finished " + e.finishedAt()).append(".\n\n");

    md.append("## Scope\n\n");
    md.append("- Ledger: ").append(inline(f.ledger().name())).append(" (`").append(f.ledger().id()).append("`, ")
        .append(f.ledger().currency()).append(").\n");
    md.append("- Period: entries booked from ").append(e.from()).append(" to ").append(e.to()).append(".\n");
    var bySeverity = new EnumMap<Severity, List<FindingView>>(Severity.class);
    for (FindingView fv : f.findings()) {
      bySeverity.computeIfAbsent(fv.severity(), s -> new ArrayList<>()).add(fv);
    }
    md.append("- Findings: ").append(f.findings().size());
    if (!f.findings().isEmpty()) {
      var parts = new ArrayList<String>();
      for (Severity s : severitiesHighFirst()) {
        if (bySeverity.containsKey(s)) {
          parts.add(bySeverity.get(s).size() + " " + s.wire());
        }
      }
      md.append(" (").append(String.join(", ", parts)).append(")");
    }
    md.append(".\n");
    if (e.status() != ExaminationStatus.COMPLETED) {
      md.append("- The examination is ").append(e.status().wire()).append(": ").append(e.rulesDone()).append(" of ")
          .append(e.rulesTotal()).append(" rules ran").append(e.error() == null ? "" : " (" + inline(e.error()) + ")")
          .append("; this report covers what they found.\n");
    }

    md.append("\n## Method\n\n");
    md.append("Rules run: ");
    md.append(String.join(", ", e.rules().stream().map(r -> "`" + r.wire() + "`").toList())).append(".\n\n");
    md.append("With the organisation's examination settings (version ")
        .append(f.settings().version() == null ? "default" : f.settings().version()).append("):\n\n");
    md.append("| setting | value |\n|---|---|\n");
    JsonObject settings = Codec.toJson(f.settings());
    for (String name : settings.fieldNames()) {
      if (!"version".equals(name) && settings.getValue(name) != null) {
        md.append("| ").append(name).append(" | ").append(inline(String.valueOf(settings.getValue(name)))).append(" |\n");
      }
    }

    md.append("\n## Findings\n");
    if (f.findings().isEmpty()) {
      md.append("\nThe rules raised no finding in this period.\n");
    }
    for (Severity s : severitiesHighFirst()) {
      List<FindingView> list = bySeverity.get(s);
      if (list == null) {
        continue;
      }
      md.append("\n### ").append(capital(s.wire())).append(" (").append(list.size()).append(")\n");
      list.sort(Comparator.comparingDouble(FindingView::score).reversed().thenComparing(FindingView::id));
      for (FindingView fv : list) {
        finding(md, fv, f.entries(), f.comments().getOrDefault(fv.id(), List.of()));
      }
    }

    md.append("\n## Open items\n\n");
    var open = f.findings().stream().filter(fv -> fv.status() == FindingStatus.OPEN || fv.status() == FindingStatus.ESCALATED)
        .sorted(Comparator.comparingInt((FindingView fv) -> -fv.severity().rank()).thenComparing(FindingView::id)).toList();
    if (open.isEmpty()) {
      md.append("None: every finding is confirmed or dismissed.\n");
    }
    for (FindingView fv : open) {
      md.append("- ").append(inline(fv.title())).append(" — ").append(fv.severity().wire()).append(", ").append(fv.status().wire())
          .append(fv.assignee() == null ? ", unassigned" : ", assigned to " + inline(fv.assignee())).append(' ')
          .append(cite(ChunkKind.FINDING, fv.id())).append('\n');
    }
    var statuses = new EnumMap<FindingStatus, Integer>(FindingStatus.class);
    for (FindingView fv : f.findings()) {
      statuses.merge(fv.status(), 1, Integer::sum);
    }
    if (!statuses.isEmpty()) {
      md.append("\n| status | findings |\n|---|---|\n");
      for (var st : statuses.entrySet()) {
        md.append("| ").append(st.getKey().wire()).append(" | ").append(st.getValue()).append(" |\n");
      }
    }
    return md.toString();
  }

  private static void finding(StringBuilder md, FindingView fv, Map<String, StoredFact> entries, List<CommentFact> comments) {
    String cite = cite(ChunkKind.FINDING, fv.id());
    md.append("\n#### ").append(inline(fv.title())).append("\n\n");
    md.append("- Rule `").append(fv.rule().wire()).append("`, score ").append(String.format(java.util.Locale.ROOT, "%.3f", fv.score()))
        .append(", status ").append(fv.status().wire())
        .append(fv.assignee() == null ? "" : ", assigned to " + inline(fv.assignee())).append(". ").append(cite).append('\n');
    md.append("- ").append(inline(fv.explanation())).append(' ').append(cite).append('\n');
    if (!fv.figures().isEmpty()) {
      var parts = new ArrayList<String>();
      for (Figure fig : fv.figures()) {
        parts.add(inline(fig.name()) + " " + inline(fig.value()));
      }
      md.append("- Figures: ").append(String.join("; ", parts)).append(". ").append(cite).append('\n');
    }
    if (!fv.entryIds().isEmpty()) {
      md.append("- Evidence:\n");
      int shown = 0;
      for (String id : fv.entryIds()) {
        if (shown++ == MAX_EVIDENCE) {
          md.append("  - and ").append(fv.entryIds().size() - MAX_EVIDENCE).append(" more entries ").append(cite).append('\n');
          break;
        }
        StoredFact entry = entries.get(id);
        md.append("  - ").append(entry == null ? "entry `" + id + "`" : inline(entry.text())).append(' ')
            .append(cite(ChunkKind.ENTRY, id)).append('\n');
      }
    }
    if (fv.documentIds() != null && !fv.documentIds().isEmpty()) {
      md.append("- Documents: ").append(String.join(", ", fv.documentIds().stream().map(d -> cite(ChunkKind.DOCUMENT, d)).toList()))
          .append('\n');
    }
    if (!comments.isEmpty()) {
      CommentFact last = comments.get(comments.size() - 1);
      md.append("- Comments: ").append(comments.size()).append(", the latest by ").append(inline(last.author())).append(": \"")
          .append(inline(last.text())).append("\" ").append(cite(ChunkKind.COMMENT, fv.id() + "#" + last.seq())).append('\n');
    }
  }

  private static List<Severity> severitiesHighFirst() {
    return java.util.Arrays.stream(Severity.values()).sorted(Comparator.comparingInt(Severity::rank).reversed()).toList();
  }

  static String cite(ChunkKind kind, String id) {
    return "[" + Chunk.key(kind, id) + "]";
  }

  /** Text from the records as inline Markdown: one line, with its markup characters escaped (a record cannot format the report). */
  static String inline(String s) {
    return s.replaceAll("\\s+", " ").strip().replaceAll("([\\\\`*_{}\\[\\]<>#|!])", "\\\\$1");
  }

  private static String capital(String s) {
    return Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }
}
