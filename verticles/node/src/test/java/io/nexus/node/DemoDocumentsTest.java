package io.nexus.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The demo's documents step, as {@code scripts/demo-data.sh} runs it, against a real node: every
 * planted case becomes its finding — one invoice naming another account, two amounts paid wrong,
 * one invoice nothing pays, two payments without an invoice, one invoice submitted twice — and
 * nothing else.
 */
class DemoDocumentsTest extends NodeSpec {
  @Test
  @DisplayName("the demo's supplier invoices are read, reconciled, and every planted case is a finding, nothing else")
  void theDemoDocumentsFindWhatWasPlanted() throws Exception {
    var client = HttpClient.newHttpClient();
    String base = "http://127.0.0.1:" + TestNode.port(cfg) + "/api/v1";
    var api = new DemoDocuments.Api() {
      @Override
      public HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60)).header("Authorization", "Bearer " + admin);
      }

      @Override
      public JsonObject send(HttpRequest.Builder request, int expected, String what) throws Exception {
        var r = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(what + ": " + r.body()).isEqualTo(expected);
        return new JsonObject(r.body());
      }

      @Override
      public JsonObject call(String method, String path, JsonObject body, int expected) throws Exception {
        var b = request(path).method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body.encode()));
        if (body != null) {
          b.header("Content-Type", "application/json");
        }
        return send(b, expected, method + " " + path);
      }
    };
    Map<String, Integer> found = new DemoDocuments(api, 42).run();
    assertThat(found).containsExactlyInAnyOrderEntriesOf(Map.of("iban-mismatch", 1, "amount-mismatch", 2,
        "document-without-entry", 1, "entry-without-document", 2, "duplicate-claim", 1));
  }
}
