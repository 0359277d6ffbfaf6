package io.nexus.vision.demo;

import com.google.zxing.BarcodeFormat;
import com.google.zxing.EncodeHintType;
import com.google.zxing.WriterException;
import com.google.zxing.common.BitMatrix;
import com.google.zxing.qrcode.QRCodeWriter;
import com.google.zxing.qrcode.decoder.ErrorCorrectionLevel;
import io.nexus.vision.codes.Iban;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Invoices and receipts drawn with Java2D from known facts — vendor, date, items, total, VAT
 * id, invoice number, IBAN, and on invoices an EPC payment code — in English or German, in
 * several fonts and two layouts: what the demo uploads, the benchmark reads and the tests
 * measure OCR and field reading against. Everything follows from the seed.
 */
public final class Receipts {
  /** How a document is laid out: a narrow till receipt, or an A4 invoice. */
  public enum Layout { RECEIPT, INVOICE }

  /** A line of the document: what was bought and its price. */
  public record Item(String name, BigDecimal price) {}

  /**
   * The facts a document shows.
   *
   * @param german German labels, dates and number format; else English
   * @param epc an EPC payment code on the invoice for the total (invoices only)
   */
  public record Receipt(String vendor, String street, String city, LocalDate date, String invoiceNumber, String vatId, String iban,
      List<Item> items, String currency, boolean german, Layout layout, String font, boolean epc) {
    public BigDecimal total() {
      return items.stream().map(Item::price).reduce(BigDecimal.ZERO, BigDecimal::add);
    }

    /** The VAT the total includes, at 19 %. */
    public BigDecimal vat() {
      return total().multiply(new BigDecimal("19")).divide(new BigDecimal("119"), 2, RoundingMode.HALF_EVEN);
    }

    public Receipt withTotal(BigDecimal total) {
      var items = new ArrayList<>(this.items);
      BigDecimal rest = total.subtract(total()).add(items.get(items.size() - 1).price());
      items.set(items.size() - 1, new Item(items.get(items.size() - 1).name(), rest));
      return new Receipt(vendor, street, city, date, invoiceNumber, vatId, iban, List.copyOf(items), currency, german, layout, font, epc);
    }

    public Receipt withIban(String other) {
      return new Receipt(vendor, street, city, date, invoiceNumber, vatId, other, items, currency, german, layout, font, epc);
    }
  }

  public static final List<String> FONTS = List.of("DejaVu Sans", "DejaVu Serif", "DejaVu Sans Mono", "DejaVu Sans Condensed");
  private static final String[] VENDORS = {"Bäckerei Müller", "Acme Office Supplies", "Hotel Seeblick", "Nordwind Logistik GmbH",
      "Green Leaf Catering", "Stadtwerke Kaltenbach", "Brightline Consulting Ltd", "Café Sonnenschein", "Metro Hardware",
      "Kanzlei Weber & Partner", "Blue Harbour Taxis", "Druckerei Fischer"};
  private static final String[] STREETS = {"Hauptstraße 12", "12 High Street", "Bahnhofplatz 3", "48 Market Road", "Lindenallee 7",
      "221 King Street"};
  private static final String[] CITIES = {"10115 Berlin", "London EC1A 1BB", "80331 München", "Manchester M1 2AB", "50667 Köln",
      "Bristol BS1 4DJ"};
  private static final String[] ITEMS_EN = {"Printer paper A4", "Coffee beans 1kg", "Consulting hours", "Taxi fare", "Room night",
      "Lunch menu", "Toner cartridge", "Delivery fee", "Workshop ticket", "Office chair"};
  private static final String[] ITEMS_DE = {"Brötchen", "Kaffee", "Beratung", "Fahrt", "Übernachtung", "Mittagsmenü", "Toner",
      "Lieferung", "Seminar", "Bürostuhl"};
  /** Valid German VAT ids (their check digits hold), one per vendor in turn. */
  private static final Map<Integer, String> BANKS = Map.of(0, "DE", 1, "AT", 2, "NL", 3, "FR");

  private Receipts() {}

  /** A document drawn from {@code rnd}: its vendor, items and facts. */
  public static Receipt random(Random rnd, Layout layout) {
    int v = rnd.nextInt(VENDORS.length);
    boolean german = rnd.nextBoolean();
    var items = new ArrayList<Item>();
    int n = 2 + rnd.nextInt(4);
    for (int i = 0; i < n; i++) {
      String name = (german ? ITEMS_DE : ITEMS_EN)[rnd.nextInt(ITEMS_EN.length)];
      BigDecimal price = BigDecimal.valueOf(100 + rnd.nextInt(layout == Layout.INVOICE ? 150_000 : 9_000), 2);
      items.add(new Item(name, price));
    }
    LocalDate date = LocalDate.of(2025, 1, 1).plusDays(rnd.nextInt(600));
    String number = (german ? "RE-" : "INV-") + (2025 + rnd.nextInt(2)) + "-" + String.format(Locale.ROOT, "%05d", rnd.nextInt(100_000));
    return new Receipt(VENDORS[v], STREETS[rnd.nextInt(STREETS.length)], CITIES[rnd.nextInt(CITIES.length)], date, number,
        vatId(rnd), iban(rnd), List.copyOf(items), "EUR", german, layout, FONTS.get(rnd.nextInt(FONTS.size())),
        layout == Layout.INVOICE && rnd.nextInt(3) > 0);
  }

  /** A German VAT id with valid check digits (ISO 7064 MOD 11,10). */
  public static String vatId(Random rnd) {
    int[] d = new int[8];
    d[0] = 1 + rnd.nextInt(9);
    for (int i = 1; i < 8; i++) {
      d[i] = rnd.nextInt(10);
    }
    int product = 10;
    var sb = new StringBuilder("DE");
    for (int x : d) {
      int sum = (x + product) % 10;
      if (sum == 0) {
        sum = 10;
      }
      product = (2 * sum) % 11;
      sb.append(x);
    }
    int check = 11 - product;
    return sb.append(check == 10 ? 0 : check).toString();
  }

  /** An IBAN with valid check digits, of one of four countries. */
  public static String iban(Random rnd) {
    String country = BANKS.get(rnd.nextInt(BANKS.size()));
    int length = switch (country) {
      case "DE" -> 18;
      case "AT" -> 16;
      case "FR" -> 23;
      default -> 14;
    };
    var bban = new StringBuilder();
    if (country.equals("NL")) {
      bban.append("ABNA");
    }
    while (bban.length() < length) {
      bban.append(rnd.nextInt(10));
    }
    return Iban.of(country, bban.toString());
  }

  /** The document as a gray image (receipts about 80 mm wide, invoices A4, both at 200 dpi). */
  public static BufferedImage render(Receipt r) {
    return r.layout() == Layout.RECEIPT ? receipt(r) : invoice(r);
  }

  private static BufferedImage receipt(Receipt r) {
    int w = 720;
    int lineH = 44;
    int h = 520 + lineH * r.items().size() + 200;
    var img = canvas(w, h);
    Graphics2D g = graphics(img);
    Font body = new Font(r.font(), Font.PLAIN, 28);
    Font big = new Font(r.font(), Font.BOLD, 44);
    int y = 80;
    g.setFont(big);
    centre(g, r.vendor(), w, y);
    g.setFont(body);
    y += 56;
    centre(g, r.street(), w, y);
    y += lineH;
    centre(g, r.city(), w, y);
    y += lineH + 20;
    g.drawString((r.german() ? "Datum: " : "Date: ") + date(r), 40, y);
    y += lineH;
    g.drawString((r.german() ? "Beleg-Nr.: " : "Receipt no: ") + r.invoiceNumber(), 40, y);
    y += lineH + 10;
    rule(g, 40, w - 40, y - 30);
    for (Item it : r.items()) {
      g.drawString(it.name(), 40, y);
      right(g, money(r, it.price()), w - 40, y);
      y += lineH;
    }
    rule(g, 40, w - 40, y - 30);
    g.setFont(new Font(r.font(), Font.BOLD, 34));
    g.drawString(r.german() ? "SUMME" : "TOTAL", 40, y + 10);
    right(g, money(r, r.total()) + " " + r.currency(), w - 40, y + 10);
    g.setFont(body);
    y += lineH + 30;
    g.drawString((r.german() ? "enth. MwSt 19%: " : "incl. VAT 19%: ") + money(r, r.vat()), 40, y);
    y += lineH;
    g.drawString((r.german() ? "USt-IdNr.: " : "VAT no: ") + r.vatId(), 40, y);
    y += lineH + 10;
    centre(g, r.german() ? "Vielen Dank für Ihren Einkauf" : "Thank you for your visit", w, y);
    g.dispose();
    return img;
  }

  private static BufferedImage invoice(Receipt r) {
    int w = 1654;
    int h = 2339;
    var img = canvas(w, h);
    Graphics2D g = graphics(img);
    Font body = new Font(r.font(), Font.PLAIN, 30);
    g.setFont(new Font(r.font(), Font.BOLD, 54));
    g.drawString(r.vendor(), 120, 180);
    g.setFont(body);
    g.drawString(r.street() + ", " + r.city(), 120, 240);
    g.setFont(new Font(r.font(), Font.BOLD, 46));
    g.drawString(r.german() ? "RECHNUNG" : "INVOICE", 120, 420);
    g.setFont(body);
    g.drawString((r.german() ? "Rechnungsnr.: " : "Invoice no: ") + r.invoiceNumber(), 1000, 400);
    g.drawString((r.german() ? "Rechnungsdatum: " : "Invoice date: ") + date(r), 1000, 450);
    int y = 620;
    g.setFont(new Font(r.font(), Font.BOLD, 30));
    g.drawString(r.german() ? "Beschreibung" : "Description", 120, y);
    right(g, r.german() ? "Betrag" : "Amount", w - 160, y);
    rule(g, 120, w - 160, y + 20);
    g.setFont(body);
    y += 80;
    for (Item it : r.items()) {
      g.drawString(it.name(), 120, y);
      right(g, money(r, it.price()), w - 160, y);
      y += 60;
    }
    rule(g, 900, w - 160, y - 30);
    BigDecimal net = r.total().subtract(r.vat());
    g.drawString(r.german() ? "Nettobetrag" : "Net amount", 900, y + 20);
    right(g, money(r, net), w - 160, y + 20);
    g.drawString(r.german() ? "MwSt 19%" : "VAT 19%", 900, y + 80);
    right(g, money(r, r.vat()), w - 160, y + 80);
    g.setFont(new Font(r.font(), Font.BOLD, 34));
    g.drawString(r.german() ? "Gesamtbetrag" : "Total due", 900, y + 150);
    right(g, money(r, r.total()) + " " + r.currency(), w - 160, y + 150);
    g.setFont(body);
    y += 320;
    g.drawString(r.german() ? "Bitte überweisen Sie den Betrag auf:" : "Please transfer the amount to:", 120, y);
    g.drawString("IBAN: " + grouped(r.iban()), 120, y + 55);
    g.drawString((r.german() ? "USt-IdNr.: " : "VAT ID: ") + r.vatId(), 120, y + 110);
    if (r.epc()) {
      drawQr(g, epcPayload(r), 1180, y - 40, 300);
    }
    g.dispose();
    return img;
  }

  /** The EPC069-12 payload ordering the invoice's total to its IBAN, with the invoice number as text. */
  public static String epcPayload(Receipt r) {
    return String.join("\n", "BCD", "002", "1", "SCT", "", r.vendor(), r.iban(), "EUR" + r.total().toPlainString(), "", "",
        r.invoiceNumber());
  }

  /** The image as PNG bytes. */
  public static byte[] png(BufferedImage img) {
    var out = new java.io.ByteArrayOutputStream();
    try {
      javax.imageio.ImageIO.write(img, "png", out);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** The image as JPEG bytes of {@code quality} (0-1), as a scanner or a camera app would save it. */
  public static byte[] jpeg(BufferedImage img, float quality) {
    var out = new java.io.ByteArrayOutputStream();
    var writer = javax.imageio.ImageIO.getImageWritersByFormatName("jpeg").next();
    try (var ios = javax.imageio.ImageIO.createImageOutputStream(out)) {
      writer.setOutput(ios);
      javax.imageio.ImageWriteParam p = writer.getDefaultWriteParam();
      p.setCompressionMode(javax.imageio.ImageWriteParam.MODE_EXPLICIT);
      p.setCompressionQuality(quality);
      writer.write(null, new javax.imageio.IIOImage(img, null, null), p);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } finally {
      writer.dispose();
    }
    return out.toByteArray();
  }

  /** A payment slip that is only the invoice's EPC code, {@code size} pixels square on white, gray. */
  public static BufferedImage paymentCode(Receipt r, int size) {
    var img = new BufferedImage(size, size, BufferedImage.TYPE_BYTE_GRAY);
    Graphics2D g = img.createGraphics();
    g.setColor(java.awt.Color.WHITE);
    g.fillRect(0, 0, size, size);
    g.setColor(java.awt.Color.BLACK);
    drawQr(g, epcPayload(r), 0, 0, size);
    g.dispose();
    return img;
  }

  private static void drawQr(Graphics2D g, String payload, int x, int y, int size) {
    try {
      BitMatrix m = new QRCodeWriter().encode(payload, BarcodeFormat.QR_CODE, size, size,
          Map.of(EncodeHintType.CHARACTER_SET, "UTF-8", EncodeHintType.ERROR_CORRECTION, ErrorCorrectionLevel.M,
              EncodeHintType.MARGIN, 2));
      for (int i = 0; i < m.getWidth(); i++) {
        for (int j = 0; j < m.getHeight(); j++) {
          if (m.get(i, j)) {
            g.fillRect(x + i, y + j, 1, 1);
          }
        }
      }
    } catch (WriterException e) {
      throw new IllegalArgumentException("the payload does not fit a QR code", e);
    }
  }

  /** The document turned by {@code degrees} and sprinkled with Gaussian noise of {@code sigma} gray levels. */
  public static BufferedImage photographed(BufferedImage page, double degrees, double sigma, long seed) {
    int w = page.getWidth();
    int h = page.getHeight();
    var out = canvas(w, h);
    Graphics2D g = out.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    var t = new AffineTransform();
    t.rotate(Math.toRadians(degrees), w / 2.0, h / 2.0);
    g.drawImage(page, t, null);
    g.dispose();
    if (sigma > 0) {
      var rnd = new Random(seed);
      var raster = out.getRaster();
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          int v = raster.getSample(x, y, 0) + (int) Math.round(rnd.nextGaussian() * sigma);
          raster.setSample(x, y, 0, Math.max(0, Math.min(255, v)));
        }
      }
    }
    return out;
  }

  /** The document with {@code share} of each edge cut off. */
  public static BufferedImage cropped(BufferedImage page, double share) {
    int dx = (int) Math.round(page.getWidth() * share);
    int dy = (int) Math.round(page.getHeight() * share);
    var sub = page.getSubimage(dx, dy, page.getWidth() - 2 * dx, page.getHeight() - 2 * dy);
    var out = canvas(sub.getWidth(), sub.getHeight());
    Graphics2D g = out.createGraphics();
    g.drawImage(sub, 0, 0, null);
    g.dispose();
    return out;
  }

  /** The date as the document prints it: 14.03.2026 in German; 14 Mar 2026 or 2026-03-14 in English. */
  public static String date(Receipt r) {
    if (r.german()) {
      return r.date().format(DateTimeFormatter.ofPattern("dd.MM.yyyy"));
    }
    return r.layout() == Layout.INVOICE ? r.date().format(DateTimeFormatter.ofPattern("d MMM yyyy", Locale.ENGLISH))
        : r.date().toString();
  }

  /** An amount as the document prints it: 1.234,56 in German, 1,234.56 in English. */
  public static String money(Receipt r, BigDecimal amount) {
    var symbols = DecimalFormatSymbols.getInstance(r.german() ? Locale.GERMANY : Locale.UK);
    return new DecimalFormat("#,##0.00", symbols).format(amount);
  }

  private static String grouped(String iban) {
    return iban.replaceAll("(.{4})", "$1 ").trim();
  }

  private static BufferedImage canvas(int w, int h) {
    var img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
    Graphics2D g = img.createGraphics();
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, w, h);
    g.dispose();
    return img;
  }

  private static Graphics2D graphics(BufferedImage img) {
    Graphics2D g = img.createGraphics();
    g.setColor(Color.BLACK);
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    return g;
  }

  private static void centre(Graphics2D g, String s, int w, int y) {
    FontMetrics fm = g.getFontMetrics();
    g.drawString(s, (w - fm.stringWidth(s)) / 2, y);
  }

  private static void right(Graphics2D g, String s, int x, int y) {
    g.drawString(s, x - g.getFontMetrics().stringWidth(s), y);
  }

  private static void rule(Graphics2D g, int x0, int x1, int y) {
    g.fillRect(x0, y, x1 - x0, 2);
  }
}
