package io.nexus.node;

import io.nexus.vision.demo.Receipts;
import io.nexus.vision.demo.Receipts.Item;
import io.nexus.vision.demo.Receipts.Layout;
import io.nexus.vision.demo.Receipts.Receipt;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The demo's documents: a ledger of supplier payments and the invoices behind them, rendered,
 * uploaded and read by the Vision service, then reconciled — with planted cases of every
 * reconciliation finding: an invoice asking for payment to another bank account, amounts paid
 * 0.01 too much and 100 too little, an invoice nothing pays, payments without an invoice, and
 * the same invoice submitted twice (a re-compressed copy).
 */
final class DemoDocuments {
  private static final int VENDORS = 6;
  private static final int INVOICES_PER_VENDOR = 5;
  private static final LocalDate FIRST = LocalDate.of(2025, 2, 3);

  /** The node's HTTP API as DemoData speaks it. */
  interface Api {
    JsonObject call(String method, String path, JsonObject body, int expected) throws Exception;

    JsonObject send(HttpRequest.Builder request, int expected, String what) throws Exception;

    HttpRequest.Builder request(String path);
  }

  private final Api api;
  private final Random rnd;
  private final List<String> planted = new ArrayList<>();

  DemoDocuments(Api api, long seed) {
    this.api = api;
    this.rnd = new Random(seed);
  }

  /** Loads the documents and reconciles them; the findings of the ledger per rule. */
  java.util.Map<String, Integer> run() throws Exception {
    JsonObject ledger = api.call("POST", "/ledgers", new JsonObject().put("name", "Demo supplier invoices ("
        + java.time.LocalDateTime.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString().replace('T', ' ') + ")")
        .put("currency", "EUR"), 201);
    String l = ledger.getString("id");
    for (String[] a : new String[][] {{"1000", "Bank", "asset"}, {"5000", "Purchases", "expense"}}) {
      api.call("POST", "/ledgers/" + l + "/accounts", new JsonObject().put("code", a[0]).put("name", a[1]).put("type", a[2]), 201);
    }
    var vendors = new ArrayList<Receipt>();
    var names = new HashSet<String>();
    while (vendors.size() < VENDORS) {
      Receipt r = Receipts.random(rnd, Layout.INVOICE);
      if (names.add(r.vendor())) {
        vendors.add(r);
      }
    }
    var uploads = new ArrayList<String>();
    int number = 100;
    for (int v = 0; v < VENDORS; v++) {
      Receipt vendor = vendors.get(v);
      for (int i = 0; i < INVOICES_PER_VENDOR; i++) {
        LocalDate date = FIRST.plusDays(7L * (v + VENDORS * i) + rnd.nextInt(5));
        Receipt r = invoice(vendor, date, "INV-2025-" + String.format(Locale.ROOT, "%05d", number++));
        BigDecimal paid = r.total();
        String tag = null;
        if (v == 0 && i == INVOICES_PER_VENDOR - 1) {
          r = r.withIban(Receipts.iban(rnd));
          tag = "iban-mismatch: " + r.vendor() + " " + r.invoiceNumber() + " names another account than its earlier invoices";
        } else if (v == 1 && i == 1) {
          paid = paid.add(new BigDecimal("0.01"));
          tag = "amount-mismatch: " + r.invoiceNumber() + " paid 0.01 too much";
        } else if (v == 1 && i == 2) {
          paid = paid.subtract(new BigDecimal("100"));
          tag = "amount-mismatch: " + r.invoiceNumber() + " paid 100 too little";
        }
        BufferedImage page = Receipts.render(r);
        uploads.add(upload(l, r.invoiceNumber() + ".png", Receipts.png(page), "image/png"));
        if (v == 2 && i == 3) {
          planted.add("document-without-entry: " + r.invoiceNumber() + " of " + r.vendor() + " is not paid");
        } else {
          pay(l, date.plusDays(1 + rnd.nextInt(6)), r.vendor(), rnd.nextInt(5) == 0 ? null : r.invoiceNumber(), paid);
        }
        if (v == 3 && i == 1) {
          uploads.add(upload(l, r.invoiceNumber() + "-scan.jpg", Receipts.jpeg(page, 0.6f), "image/jpeg"));
          planted.add("duplicate-claim: " + r.invoiceNumber() + " submitted twice (the second a re-compressed scan)");
        }
        if (tag != null) {
          planted.add(tag);
        }
      }
    }
    pay(l, FIRST.plusDays(40), "Harbour Removals", "HR-4471", new BigDecimal("1480.00"));
    pay(l, FIRST.plusDays(95), "Atlas Couriers", null, new BigDecimal("912.40"));
    planted.add("entry-without-document: 1480.00 to Harbour Removals, no invoice");
    planted.add("entry-without-document: 912.40 to Atlas Couriers, no invoice");

    long t0 = System.nanoTime();
    for (String id : uploads) {
      JsonObject d = api.call("GET", "/documents/" + id, null, 200);
      while ("received".equals(d.getString("status")) || "analysing".equals(d.getString("status"))) {
        Thread.sleep(500);
        d = api.call("GET", "/documents/" + id, null, 200);
      }
    }
    System.out.printf(Locale.ROOT, "vision   %d documents uploaded and analysed in %.1f s (ledger %s, id %s)%n", uploads.size(),
        (System.nanoTime() - t0) / 1e9, ledger.getString("name"), l);
    JsonObject job = api.call("POST", "/ledgers/" + l + "/reconciliations", new JsonObject().put("from", FIRST.toString())
        .put("to", FIRST.plusYears(1).toString()), 202);
    while ("running".equals(job.getString("status"))) {
      Thread.sleep(250);
      job = api.call("GET", "/ledgers/" + l + "/reconciliations/" + job.getString("id"), null, 200);
    }
    System.out.printf(Locale.ROOT, "vision   reconciled %s: %d documents, %d entries, %d matched%n", job.getString("status"),
        job.getInteger("documents"), job.getInteger("entries"), job.getInteger("matched"));
    planted.forEach(p -> System.out.println("         planted " + p));
    // the findings go to Financial from the vision service's outbox, a moment later
    var byRule = new TreeMap<String, Integer>();
    for (int i = 0; i < 40 && byRule.values().stream().mapToInt(Integer::intValue).sum() < planted.size(); i++) {
      Thread.sleep(250);
      byRule.clear();
      api.call("GET", "/ledgers/" + l + "/findings?limit=500", null, 200).getJsonArray("findings")
          .forEach(f -> byRule.merge(((JsonObject) f).getString("rule"), 1, Integer::sum));
    }
    byRule.forEach((rule, n) -> System.out.printf(Locale.ROOT, "         %-22s %d finding(s)%n", rule, n));
    api.call("GET", "/ledgers/" + l + "/findings?limit=500", null, 200).getJsonArray("findings")
        .forEach(f -> System.out.printf(Locale.ROOT, "         found   %s: %s%n", ((JsonObject) f).getString("rule"),
            ((JsonObject) f).getString("title")));
    return byRule;
  }

  /** Another invoice of the vendor: its name, address, account, language and font; other items. */
  private Receipt invoice(Receipt vendor, LocalDate date, String number) {
    return new Receipt(vendor.vendor(), vendor.street(), vendor.city(), date, number, vendor.vatId(), vendor.iban(),
        Receipts.random(rnd, Layout.INVOICE).items(), "EUR", vendor.german(), Layout.INVOICE, vendor.font(), vendor.epc());
  }

  private void pay(String ledger, LocalDate date, String counterparty, String number, BigDecimal amount) throws Exception {
    String value = amount.toPlainString();
    var lines = new JsonArray().add(new JsonObject().put("account", "5000").put("debit", value).put("currency", "EUR"))
        .add(new JsonObject().put("account", "1000").put("credit", value).put("currency", "EUR"));
    var body = new JsonObject().put("bookingDate", date.toString()).put("description", "supplier payment")
        .put("counterparty", counterparty).put("lines", lines);
    if (number != null) {
      body.put("documentNumber", number);
    }
    api.call("POST", "/ledgers/" + ledger + "/entries", body, 201);
  }

  /** A multipart upload (field {@code file}, the ledger in {@code ledgerId}); the document's id. */
  private String upload(String ledger, String name, byte[] bytes, String type) throws Exception {
    String boundary = "nexus-" + UUID.randomUUID();
    var out = new ByteArrayOutputStream();
    out.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"ledgerId\"\r\n\r\n" + ledger + "\r\n")
        .getBytes(StandardCharsets.UTF_8));
    out.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + name + "\"\r\nContent-Type: "
        + type + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
    out.write(bytes);
    out.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
    var request = api.request("/documents").header("Content-Type", "multipart/form-data; boundary=" + boundary)
        .POST(HttpRequest.BodyPublishers.ofByteArray(out.toByteArray()));
    return api.send(request, 202, "POST /documents " + name).getString("id");
  }
}
