package io.nexus.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Arrays;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Examination reports on a real node: drafted by an examiner from the examination's findings,
 * settings and evidence, each statement citing its finding or entry; kept as versions and
 * downloaded as Markdown; refused to lower roles and invisible to other organisations.
 */
class ReportTest extends NodeSpec {
  private static String ledger;
  private static String exam;
  private static String first;
  private static String finding;
  private static String examiner;
  private static String viewer;

  @BeforeAll
  static void examined() {
    examiner = signedIn("examiner");
    viewer = signedIn("viewer");
    ledger = SearchTest.ledger(admin);
    first = SearchTest.post(admin, ledger, "2026-02-03", "Consulting invoice", "Kittiwake Advisory", "4312.50");
    SearchTest.post(admin, ledger, "2026-02-05", "Consulting invoice", "Kittiwake Advisory", "4312.50");
    finding = SearchTest.duplicatePaymentFinding(ledger);
    exam = http.get("/api/v1/ledgers/" + ledger + "/findings/" + finding, admin).json().getString("examinationId");
    assertThat(http.json("POST", "/api/v1/ledgers/" + ledger + "/findings/" + finding + "/comments",
        new JsonObject().put("text", "Asked Kittiwake for a credit note *urgently*"), admin, "If-Match", "*").status()).isIn(200, 201);
    // the entries' chunks are the evidence lines
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> SearchTest.ids(SearchTest.search("Kittiwake", admin)).contains(first)
        && SearchTest.ids(SearchTest.search("credit note", admin, "kinds", "comment")).contains(finding + "#1"));
  }

  private static String path() {
    return "/api/v1/ledgers/" + ledger + "/examinations/" + exam + "/report";
  }

  @Test
  @DisplayName("an examiner drafts versions; each has scope, method, findings with cited evidence and open items, and downloads as Markdown")
  void draftAndDownload() {
    var v1 = http.post(path(), null, examiner);
    assertThat(v1.status()).as(v1.toString()).isEqualTo(202);
    assertThat(v1.json().getInteger("version")).isGreaterThanOrEqualTo(1);
    String md = v1.json().getString("markdown");
    assertThat(md).contains("# Examination report", "## Scope", "## Method", "## Findings", "## Open items")
        .contains("2026-01-01").contains("`duplicate-payment`").contains("duplicateWindowDays")
        .contains("[finding:" + finding + "]").contains("[entry:" + first + "]").contains("Kittiwake Advisory")
        .contains("4312.50");
    // a record's markup cannot format the report
    assertThat(md).contains("\\*urgently\\*");
    // every line stating something about a finding cites it
    String findings = md.substring(md.indexOf("## Findings"), md.indexOf("## Open items"));
    assertThat(Arrays.stream(findings.split("\n")).filter(l -> l.strip().startsWith("- ")))
        .allMatch(l -> l.matches(".*\\[(finding|entry|document|comment):[^\\]]+].*") || l.strip().equals("- Evidence:"));
    int version = v1.json().getInteger("version");
    var v2 = http.post(path(), null, examiner);
    assertThat(v2.json().getInteger("version")).isEqualTo(version + 1);

    var latest = http.get(path(), viewer);
    assertThat(latest.status()).as(latest.toString()).isEqualTo(200);
    assertThat(latest.header("Content-Type")).startsWith("text/markdown");
    assertThat(latest.header("Content-Disposition")).contains("attachment").contains(".md");
    assertThat(latest.header("ETag")).isEqualTo("\"" + v2.json().getString("sha256") + "\"");
    assertThat(latest.body()).isEqualTo(v2.json().getString("markdown"));
    var old = http.get(path() + "?version=" + version, viewer);
    assertThat(old.status()).isEqualTo(200);
    assertThat(old.body()).isEqualTo(md);
    assertThat(http.get(path() + "?version=999", viewer).status()).isEqualTo(404);
    // the log records each version by its digest, not its text
    assertThat(count("SELECT count(*) FROM eventlog.events WHERE type = 'llm.report-drafted' AND data->>'examinationId' = '" + exam
        + "' AND data::text NOT LIKE '%Kittiwake%'")).isGreaterThanOrEqualTo(2);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"viewer", "analyst"})
  @DisplayName("a viewer or an analyst may not draft a report (403)")
  void lowerRolesMayNotDraft(String role) {
    var r = http.post(path(), null, "viewer".equals(role) ? viewer : signedIn(role));
    assertThat(r.status()).as(r.toString()).isEqualTo(403);
  }

  @Test
  @DisplayName("another organisation can neither draft nor read the report (404), nor reach an unknown examination")
  void otherOrganisations() {
    http.post(path(), null, examiner);
    String other = tenant().getString("token");
    assertThat(http.post(path(), null, other).status()).isEqualTo(404);
    assertThat(http.get(path(), other).status()).isEqualTo(404);
    assertThat(http.post("/api/v1/ledgers/" + ledger + "/examinations/" + java.util.UUID.randomUUID() + "/report", null, examiner)
        .status()).isEqualTo(404);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"?version=0", "?version=abc", "?version=-1"})
  @DisplayName("a bad version is 400")
  void badVersion(String query) {
    var r = http.get(path() + query, viewer);
    assertThat(r.status()).as(r.toString()).isEqualTo(400);
  }
}
