package io.nexus.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Forecasts through the API: AirPassengers posted into a ledger as monthly revenue, forecast
 * through the Predictive service, which reads the series from Financial over its contract.
 */
class ForecastTest extends NodeSpec {
  private static final String PASSWORD = "a-good-long-password";
  private static String ledger;
  private static double[] passengers;

  @BeforeAll
  static void books() throws Exception {
    passengers = airPassengers();
    var r = http.post("/api/v1/ledgers", new JsonObject().put("name", "Airline " + UUID.randomUUID()).put("currency", "EUR"),
        admin);
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    ledger = r.json().getString("id");
    for (String[] a : new String[][] {{"1000", "Bank", "asset"}, {"4000", "Ticket sales", "revenue"}, {"4100", "Charter", "revenue"}}) {
      assertThat(http.post("/api/v1/ledgers/" + ledger + "/accounts", new JsonObject().put("code", a[0]).put("name", a[1])
          .put("type", a[2]), admin).status()).isEqualTo(201);
    }
    // one entry a month, booked mid-month: the bank debited, the sales credited
    for (int i = 0; i < passengers.length; i++) {
      String date = String.format("%d-%02d-15", 1949 + i / 12, i % 12 + 1);
      String amount = String.format(java.util.Locale.ROOT, "%.2f", passengers[i]);
      var lines = new JsonArray().add(new JsonObject().put("account", "1000").put("debit", amount).put("currency", "EUR"))
          .add(new JsonObject().put("account", "4000").put("credit", amount).put("currency", "EUR"));
      var e = http.post("/api/v1/ledgers/" + ledger + "/entries", new JsonObject().put("bookingDate", date)
          .put("description", "tickets").put("counterparty", "Passengers").put("lines", lines), admin);
      assertThat(e.status()).as(e.toString()).isEqualTo(201);
    }
    // three months of charter: too short for any forecast
    for (int m = 1; m <= 3; m++) {
      var lines = new JsonArray().add(new JsonObject().put("account", "1000").put("debit", "500.00").put("currency", "EUR"))
          .add(new JsonObject().put("account", "4100").put("credit", "500.00").put("currency", "EUR"));
      assertThat(http.post("/api/v1/ledgers/" + ledger + "/entries", new JsonObject().put("bookingDate", "1960-0" + m + "-10")
          .put("description", "charter").put("lines", lines), admin).status()).isEqualTo(201);
    }
  }

  private static double[] airPassengers() throws Exception {
    var values = new ArrayList<Double>();
    // the one copy of the series, with the forecasting core's own tests
    String csv = java.nio.file.Files.readString(java.nio.file.Path.of("../predictive/src/test/resources/airpassengers.csv"));
    {
      for (String line : csv.split("\n")) {
        if (!line.isBlank() && !line.startsWith("#")) {
          String[] f = line.split(",");
          for (int i = 1; i < f.length; i++) {
            values.add(Double.parseDouble(f[i].trim()));
          }
        }
      }
    }
    return values.stream().mapToDouble(Double::doubleValue).toArray();
  }

  @Test
  @DisplayName("AirPassengers through the route: history through 1959 forecasts 1960 with MAPE at most 3.0 %, intervals nested")
  void airPassengersThroughTheRoute() {
    var r = http.get("/api/v1/ledgers/" + ledger + "/forecasts?account=4000&horizon=12&period=month&to=1959-12-31", admin);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    JsonObject f = r.json();
    assertThat(f.getJsonArray("history")).hasSize(132);
    assertThat(f.getJsonArray("history").getJsonObject(0).getString("period")).isEqualTo("1949-01");
    assertThat(f.getJsonArray("history").getJsonObject(0).getString("value")).isEqualTo("112.00");
    JsonArray points = f.getJsonArray("points");
    assertThat(points).hasSize(12);
    double ape = 0;
    for (int h = 0; h < 12; h++) {
      JsonObject p = points.getJsonObject(h);
      assertThat(p.getString("period")).isEqualTo(String.format("1960-%02d", h + 1));
      double v = Double.parseDouble(p.getString("value"));
      assertThat(Double.parseDouble(p.getString("lower95"))).isLessThanOrEqualTo(Double.parseDouble(p.getString("lower80")));
      assertThat(Double.parseDouble(p.getString("lower80"))).isLessThanOrEqualTo(v);
      assertThat(v).isLessThanOrEqualTo(Double.parseDouble(p.getString("upper80")));
      assertThat(Double.parseDouble(p.getString("upper80"))).isLessThanOrEqualTo(Double.parseDouble(p.getString("upper95")));
      ape += Math.abs(v - passengers[132 + h]) / passengers[132 + h];
    }
    double mape = 100 * ape / 12;
    System.out.printf(java.util.Locale.ROOT, "forecast route, AirPassengers 1960: method %s, model %s, MAPE %.2f %%, "
        + "aicc %s, holdout %s, first point %s%n", f.getString("method"), f.getString("model"), mape, f.getValue("aicc"),
        f.getJsonObject("holdout").encode(), points.getJsonObject(0).encode());
    assertThat(mape).as("MAPE of the automatic choice through the route").isLessThanOrEqualTo(3.0);
    assertThat(f.getString("currency")).isEqualTo("EUR");
    assertThat(f.getJsonObject("holdout").getDouble("mase")).isNotNull();

    // the other methods answer too, and a quarterly series has its own labels
    for (String method : List.of("ets", "arima", "theta", "snaive", "combo")) {
      var m = http.get("/api/v1/ledgers/" + ledger + "/forecasts?account=4000&horizon=3&method=" + method + "&to=1959-12-31",
          admin);
      assertThat(m.status()).as(method + ": " + m).isEqualTo(200);
      assertThat(m.json().getString("method")).isEqualTo(method);
    }
    var quarters = http.get("/api/v1/ledgers/" + ledger + "/forecasts?account=4000&horizon=4&period=quarter&to=1959-12-31",
        admin).json();
    assertThat(quarters.getJsonArray("points").getJsonObject(0).getString("period")).isEqualTo("1960-Q1");
    assertThat(quarters.getJsonArray("history")).hasSize(44);

    // the same series as a counterparty's payments: every ticket entry is with "Passengers"
    var byParty = http.get("/api/v1/ledgers/" + ledger + "/forecasts?counterparty=Passengers&horizon=12&to=1959-12-31", admin);
    assertThat(byParty.status()).as(byParty.toString()).isEqualTo(200);
    assertThat(byParty.json().getString("counterparty")).isEqualTo("Passengers");
    assertThat(byParty.json().getString("account")).isNull();
    assertThat(byParty.json().getJsonArray("history")).isEqualTo(f.getJsonArray("history"));
    assertThat(byParty.json().getJsonArray("points")).isEqualTo(f.getJsonArray("points"));
  }

  @Test
  @DisplayName("a viewer may forecast; another organisation's ledger is 404; no token is 401")
  void access() {
    String email = "viewer-" + UUID.randomUUID().toString().substring(0, 8) + "@nexus.test";
    assertThat(http.post("/api/v1/users", new JsonObject().put("email", email).put("password", PASSWORD).put("name", "V")
        .put("role", "viewer"), admin).status()).isEqualTo(201);
    String viewer = http.login(email, PASSWORD);
    String path = "/api/v1/ledgers/" + ledger + "/forecasts?account=4000&horizon=2&method=snaive";
    assertThat(http.get(path, viewer).status()).isEqualTo(200);
    assertThat(http.get(path, null).status()).isEqualTo(401);

    var other = http.get(path, tenant().getString("token"));
    assertThat(other.status()).as(other.toString()).isEqualTo(404);
    assertThat(other.body()).doesNotContain("Ticket").doesNotContain("112.00");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "horizon 0|account=4000&horizon=0|400|horizon",
      "horizon above 120|account=4000&horizon=121|400|horizon",
      "horizon not a number|account=4000&horizon=twelve|400|horizon",
      "unknown period|account=4000&period=fortnight|400|period",
      "unknown method|account=4000&method=prophet|400|method",
      "bad date|account=4000&to=1959-13-01|400|to",
      "no account|horizon=3|400|account",
      "account and counterparty both|account=4000&counterparty=Passengers|400|counterparty",
      "unknown counterparty|counterparty=Nobody|404|no entries with counterparty Nobody",
      "unknown account|account=9999|404|no account 9999",
      "three points of history|account=4100|422|at least 6",
      "no bookings in the range|account=4000&from=1990-01-01|422|has 0 points",
      "six points, too few for arima|account=4000&from=1959-07-01&to=1959-12-31&method=arima|422|too few for arima",
      "to before from|account=4000&from=1959-01-01&to=1958-01-01|400|before"})
  @DisplayName("bad input is a 4xx problem naming the field; nothing is forecast")
  void badInput(String what, String query, int status, String names) {
    var r = http.get("/api/v1/ledgers/" + ledger + "/forecasts?" + query, admin);
    assertThat(r.status()).as(what + ": " + r).isEqualTo(status);
    assertThat(r.header("content-type")).as(what).startsWith("application/problem+json");
    assertThat(r.json().getString("detail")).as(what).contains(names);
    assertThat(r.body()).as(what).doesNotContain("Exception").doesNotContain("at io.");
  }
}
