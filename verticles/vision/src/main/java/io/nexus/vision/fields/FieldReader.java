package io.nexus.vision.fields;

import io.nexus.contracts.vision.Vision.Field;
import io.nexus.contracts.vision.Vision.KeyFields;
import io.nexus.vision.codes.Iban;
import io.nexus.vision.fields.DocumentText.Line;
import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The key fields of an invoice or receipt, read from its text in English or German: the total
 * (the largest amount on a line that names a total, subtotals and tax lines left out), its
 * currency, the date (the one a date label names, else the first), the vendor (the largest
 * print near the top), the VAT id and the IBAN (each with its check digits verified) and the
 * invoice number (the token after its label). Each comes with the span it was read from and a
 * confidence: how it was found times how sure OCR was of its words.
 */
public final class FieldReader {
  /** An amount with two decimals, thousands grouped by '.', ',', ''' or a space, or not at all. */
  private static final Pattern AMOUNT = Pattern.compile(
      "(?<![\\d.,])(-?)(\\d{1,3}(?:[.,' ]\\d{3})+|\\d+)\\s?([.,])\\s?(\\d{2})(?![\\d])");
  private static final Pattern TOTAL_LABEL = Pattern.compile(
      "(?i)\\b(grand\\s+total|total\\s+due|amount\\s+due|balance\\s+due|total\\s+amount|to\\s+pay|total|gesamtbetrag|"
          + "rechnungsbetrag|endbetrag|zu\\s+zahlen|gesamt|summe|betrag|brutto|zahlbetrag)\\b");
  private static final Pattern NOT_TOTAL = Pattern.compile(
      "(?i)(sub\\s*-?\\s*total|zwischen\\s*summe|netto|net\\b|vat|mwst|ust\\b|tax|steuer|items?\\b|artikel|rabatt|discount|"
          + "change|rückgeld|gegeben|given|tip\\b|trinkgeld)");
  private static final Pattern STRONG_TOTAL = Pattern.compile(
      "(?i)(grand\\s+total|amount\\s+due|total\\s+due|balance\\s+due|gesamtbetrag|zu\\s+zahlen|rechnungsbetrag|endbetrag|zahlbetrag)");
  private static final Map<String, String> SYMBOLS = Map.of("€", "EUR", "$", "USD", "£", "GBP", "Fr.", "CHF", "SFr", "CHF");
  private static final Pattern CURRENCY = Pattern.compile("(?<![A-Z])(EUR|USD|GBP|CHF|SEK|DKK|NOK|PLN|CZK)(?![A-Z])|(€|\\$|£)");
  private static final Pattern DATE_LABEL = Pattern.compile(
      "(?i)(invoice\\s+date|date\\s+of\\s+issue|issue\\s+date|receipt\\s+date|rechnungsdatum|belegdatum|ausstellungsdatum|"
          + "\\bdate\\b|\\bdatum\\b)");
  private static final Pattern NOT_DATE = Pattern.compile("(?i)(due|fällig|zahlbar\\s+bis|payable\\s+by|leistungs|delivery|lieferdatum)");
  private static final Pattern NUMERIC_DATE = Pattern.compile("(?<!\\d)(\\d{1,2})\\s?([./-])\\s?(\\d{1,2})\\s?\\2\\s?(\\d{4}|\\d{2})(?!\\d)");
  private static final Pattern ISO_DATE = Pattern.compile("(?<!\\d)(\\d{4})-(\\d{2})-(\\d{2})(?!\\d)");
  private static final String MONTH_NAMES = "jan(?:uary|uar)?|feb(?:ruary|ruar)?|m(?:ar(?:ch)?|ärz|rz)|apr(?:il)?|ma[iy]|"
      + "jun(?:e|i)?|jul(?:y|i)?|aug(?:ust)?|sep(?:t(?:ember)?)?|o[ck]t(?:ober)?|nov(?:ember)?|de[cz](?:ember)?";
  private static final Pattern DAY_MONTH_YEAR = Pattern.compile("(?i)(?<!\\d)(\\d{1,2})\\.?\\s+(" + MONTH_NAMES + ")\\.?\\s+(\\d{4})");
  private static final Pattern MONTH_DAY_YEAR = Pattern.compile("(?i)\\b(" + MONTH_NAMES + ")\\.?\\s+(\\d{1,2}),?\\s+(\\d{4})");
  private static final Pattern INVOICE_LABEL = Pattern.compile(
      "(?i)(invoice\\s*(?:no\\.?|number|nr\\.?|#)|inv\\.?\\s*no\\.?|receipt\\s*(?:no\\.?|number|#)|bill\\s*no\\.?|"
          + "rechnungs\\s*-?\\s*(?:nummer|nr\\.?)|rechnung\\s*(?:nr\\.?|nummer)|beleg\\s*-?\\s*(?:nummer|nr\\.?)|bon\\s*-?\\s*nr\\.?|"
          + "document\\s*no\\.?)\\s*[:#.]?\\s*");
  private static final Pattern INVOICE_TOKEN = Pattern.compile("[A-Z0-9][A-Z0-9/_.-]{2,30}", Pattern.CASE_INSENSITIVE);
  private static final Pattern VAT_LABEL = Pattern.compile("(?i)(vat|ust|mwst|uid|tva|iva|btw|moms|tax\\s*id)");
  private static final Pattern IBAN = Pattern.compile("(?<![A-Z0-9])([A-Z]{2}\\d{2}[A-Z0-9]{11,30})");
  private static final Pattern TITLES = Pattern.compile(
      "(?i)^(tax\\s+)?(invoice|rechnung|receipt|quittung|beleg|kassenbon|bon|kassenbeleg|credit\\s+note|gutschrift)\\b.*");
  private static final int VENDOR_LINES = 5;

  private FieldReader() {}

  /** Every key field found in {@code text}. */
  public static KeyFields read(DocumentText text) {
    List<Line> lines = text.lines();
    Field total = total(lines);
    return new KeyFields(total, currency(lines, total), date(lines), vendor(lines), vatId(lines), iban(lines),
        invoiceNumber(lines));
  }

  // ---- total ----

  private record Amount(BigDecimal value, int start, int end) {}

  /** Every amount of a line, normalised: the last '.' or ',' before two digits is the decimal point. */
  static List<Amount> amounts(String line) {
    var out = new ArrayList<Amount>();
    Matcher m = AMOUNT.matcher(line);
    while (m.find()) {
      String whole = m.group(2).replaceAll("[.,' ]", "");
      try {
        BigDecimal v = new BigDecimal((m.group(1).isEmpty() ? "" : "-") + whole + "." + m.group(4));
        out.add(new Amount(v, m.start(), m.end()));
      } catch (NumberFormatException e) {
        // not a number after all
      }
    }
    return out;
  }

  private static Field total(List<Line> lines) {
    Field best = null;
    BigDecimal bestValue = null;
    boolean bestStrong = false;
    for (int i = 0; i < lines.size(); i++) {
      Line line = lines.get(i);
      Matcher label = TOTAL_LABEL.matcher(line.text());
      if (!label.find() || NOT_TOTAL.matcher(line.text()).find()) {
        continue;
      }
      boolean strong = STRONG_TOTAL.matcher(line.text()).find();
      // the amount on the label's line, or on the line below it when the label stands alone
      Line from = line;
      List<Amount> found = amounts(line.text().substring(label.end())).stream()
          .map(a -> new Amount(a.value(), a.start() + label.end(), a.end() + label.end())).toList();
      if (found.isEmpty() && i + 1 < lines.size() && lines.get(i + 1).page() == line.page()) {
        from = lines.get(i + 1);
        found = amounts(from.text());
      }
      if (found.isEmpty()) {
        continue;
      }
      Amount a = found.get(found.size() - 1);
      if (a.value().signum() < 0) {
        continue;
      }
      // a stronger label wins; among equals, the larger amount (a receipt's total is at least every other labelled sum)
      if (best == null || strong && !bestStrong || strong == bestStrong && a.value().compareTo(bestValue) > 0) {
        double how = (strong ? 0.95 : 0.85) * DocumentText.confidence(from, a.start(), a.end());
        best = new Field(a.value().toPlainString(), round(how), DocumentText.span(from, a.start(), a.end()), null);
        bestValue = a.value();
        bestStrong = strong;
      }
    }
    if (best != null) {
      return best;
    }
    // no labelled total: the largest amount of the document, with little confidence
    Line at = null;
    Amount largest = null;
    for (Line line : lines) {
      for (Amount a : amounts(line.text())) {
        if (largest == null || a.value().compareTo(largest.value()) > 0) {
          largest = a;
          at = line;
        }
      }
    }
    return largest == null ? null : new Field(largest.value().toPlainString(),
        round(0.4 * DocumentText.confidence(at, largest.start(), largest.end())), DocumentText.span(at, largest.start(), largest.end()),
        null);
  }

  // ---- currency ----

  private static Field currency(List<Line> lines, Field total) {
    // on the total's line first, then the most frequent in the document
    if (total != null && total.source() != null) {
      for (Line line : lines) {
        if (line.page() == total.source().page() && line.start() <= total.source().start()
            && total.source().start() < line.start() + line.text().length()) {
          Field f = currencyIn(line, 0.95);
          if (f != null) {
            return f;
          }
        }
      }
    }
    Map<String, Integer> counts = new java.util.HashMap<>();
    Field first = null;
    for (Line line : lines) {
      Matcher m = CURRENCY.matcher(line.text());
      while (m.find()) {
        String code = m.group(1) != null ? m.group(1) : SYMBOLS.get(m.group(2));
        counts.merge(code, 1, Integer::sum);
        if (first == null) {
          first = new Field(code, round(0.7 * DocumentText.confidence(line, m.start(), m.end())),
              DocumentText.span(line, m.start(), m.end()), null);
        }
      }
    }
    if (counts.isEmpty()) {
      return null;
    }
    String most = counts.entrySet().stream().max(Map.Entry.comparingByValue()).get().getKey();
    if (first.value().equals(most)) {
      return first;
    }
    for (Line line : lines) {
      Field f = currencyIn(line, 0.7);
      if (f != null && f.value().equals(most)) {
        return f;
      }
    }
    return first;
  }

  private static Field currencyIn(Line line, double how) {
    Matcher m = CURRENCY.matcher(line.text());
    if (!m.find()) {
      return null;
    }
    String code = m.group(1) != null ? m.group(1) : SYMBOLS.get(m.group(2));
    return new Field(code, round(how * DocumentText.confidence(line, m.start(), m.end())), DocumentText.span(line, m.start(), m.end()),
        null);
  }

  // ---- date ----

  private record Found(LocalDate date, int start, int end) {}

  /** Every date of a line: d.m.y (day first unless the day cannot be one), y-m-d, "14 March 2026", "March 14, 2026". */
  static List<Found> dates(String line) {
    var out = new ArrayList<Found>();
    Matcher m = ISO_DATE.matcher(line);
    while (m.find()) {
      add(out, m.group(1), m.group(2), m.group(3), m.start(), m.end());
    }
    m = NUMERIC_DATE.matcher(line);
    while (m.find()) {
      String a = m.group(1);
      String b = m.group(3);
      String y = m.group(4).length() == 2 ? "20" + m.group(4) : m.group(4);
      boolean monthFirst = Integer.parseInt(b) > 12 && Integer.parseInt(a) <= 12;
      add(out, y, monthFirst ? a : b, monthFirst ? b : a, m.start(), m.end());
    }
    m = DAY_MONTH_YEAR.matcher(line);
    while (m.find()) {
      add(out, m.group(3), String.valueOf(month(m.group(2))), m.group(1), m.start(), m.end());
    }
    m = MONTH_DAY_YEAR.matcher(line);
    while (m.find()) {
      add(out, m.group(3), String.valueOf(month(m.group(1))), m.group(2), m.start(), m.end());
    }
    out.sort(java.util.Comparator.comparingInt(Found::start));
    return out;
  }

  private static void add(List<Found> out, String y, String mo, String d, int start, int end) {
    try {
      LocalDate date = LocalDate.of(Integer.parseInt(y), Integer.parseInt(mo), Integer.parseInt(d));
      if (date.getYear() >= 1990 && date.getYear() <= 2100) {
        out.add(new Found(date, start, end));
      }
    } catch (DateTimeException | NumberFormatException e) {
      // not a date
    }
  }

  private static final String[][] MONTHS = {{"jan"}, {"feb"}, {"mar", "mär", "mrz"}, {"apr"}, {"mai", "may"}, {"jun"},
      {"jul"}, {"aug"}, {"sep"}, {"oct", "okt"}, {"nov"}, {"dec", "dez"}};

  private static int month(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    for (int i = 0; i < MONTHS.length; i++) {
      for (String prefix : MONTHS[i]) {
        if (n.startsWith(prefix)) {
          return i + 1;
        }
      }
    }
    throw new NumberFormatException(name);
  }

  private static Field date(List<Line> lines) {
    Field labelled = null;
    Field first = null;
    for (int i = 0; i < lines.size(); i++) {
      Line line = lines.get(i);
      List<Found> found = dates(line.text());
      if (found.isEmpty()) {
        continue;
      }
      boolean excluded = NOT_DATE.matcher(line.text()).find();
      Found f = found.get(0);
      boolean label = DATE_LABEL.matcher(line.text()).find() || i > 0 && DATE_LABEL.matcher(lines.get(i - 1).text()).matches();
      if (label && !excluded && labelled == null) {
        labelled = field(f.date().toString(), 0.95, line, f.start(), f.end());
      }
      if (!excluded && first == null) {
        first = field(f.date().toString(), 0.8, line, f.start(), f.end());
      }
    }
    return labelled != null ? labelled : first;
  }

  // ---- vendor ----

  /** Among the first lines of the first page (titles, numbers and dates left out): the one printed largest. */
  private static Field vendor(List<Line> lines) {
    Line best = null;
    int seen = 0;
    for (Line line : lines) {
      if (line.page() != 1 || seen >= VENDOR_LINES) {
        break;
      }
      String t = line.text().strip();
      long letters = t.codePoints().filter(Character::isLetter).count();
      if (letters < 3 || TITLES.matcher(t).matches() || !dates(t).isEmpty() || !amounts(t).isEmpty()
          || INVOICE_LABEL.matcher(t).find()) {
        continue;
      }
      seen++;
      if (best == null || line.height() > best.height() * 1.15) {
        best = line;
      }
    }
    if (best == null) {
      return null;
    }
    String t = best.text().strip();
    return field(t, 0.75, best, 0, best.text().length());
  }

  // ---- VAT id, IBAN ----

  /** A line without its spaces, dots and dashes, and where each kept character stood. */
  private record Compact(String text, int[] at) {
    static Compact of(String line) {
      var sb = new StringBuilder();
      int[] at = new int[line.length()];
      for (int i = 0; i < line.length(); i++) {
        char c = line.charAt(i);
        if (c != ' ' && c != '.' && c != '-') {
          at[sb.length()] = i;
          sb.append(Character.toUpperCase(c));
        }
      }
      return new Compact(sb.toString(), java.util.Arrays.copyOf(at, sb.length()));
    }

    int from(int i) {
      return at[i];
    }

    int to(int i) {
      return at[i - 1] + 1;
    }
  }

  private static Field vatId(List<Line> lines) {
    Field unlabelled = null;
    for (Line line : lines) {
      Compact c = Compact.of(line.text());
      Matcher m = VatIds.CANDIDATE.matcher(c.text());
      while (m.find()) {
        // the longest prefix of what follows the country code that has the country's format
        String id = null;
        int end = 0;
        for (int e = m.end(); e > m.start(1) + 3; e--) {
          if (VatIds.wellFormed(c.text().substring(m.start(), e))) {
            id = c.text().substring(m.start(), e);
            end = e;
            break;
          }
        }
        if (id == null || Iban.valid(id)) {
          continue;
        }
        boolean labelled = VAT_LABEL.matcher(line.text()).find();
        String problem = VatIds.problem(id);
        Field f = new Field(id, round((labelled ? 0.95 : 0.6) * (problem == null ? 1 : 0.7)
            * DocumentText.confidence(line, c.from(m.start()), c.to(end))), DocumentText.span(line, c.from(m.start()), c.to(end)),
            problem);
        if (labelled) {
          return f;
        }
        if (unlabelled == null) {
          unlabelled = f;
        }
      }
    }
    return unlabelled;
  }

  private static Field iban(List<Line> lines) {
    Field invalid = null;
    for (Line line : lines) {
      Compact c = Compact.of(line.text());
      Matcher m = IBAN.matcher(c.text());
      while (m.find()) {
        String found = m.group(1);
        // the longest prefix that is a valid IBAN (the text may run on into the next word)
        for (int e = found.length(); e >= 15; e--) {
          String candidate = found.substring(0, e);
          if (Iban.valid(candidate)) {
            return field(candidate, 0.95, line, c.from(m.start(1)), c.to(m.start(1) + e));
          }
        }
        if (invalid == null && Iban.problem(found) != null && line.text().toUpperCase(Locale.ROOT).contains("IBAN")) {
          invalid = new Field(found, round(0.5 * DocumentText.confidence(line, c.from(m.start(1)), c.to(m.end(1)))),
              DocumentText.span(line, c.from(m.start(1)), c.to(m.end(1))), Iban.problem(found));
        }
      }
    }
    return invalid;
  }

  // ---- invoice number ----

  private static Field invoiceNumber(List<Line> lines) {
    for (int i = 0; i < lines.size(); i++) {
      Line line = lines.get(i);
      Matcher label = INVOICE_LABEL.matcher(line.text());
      if (!label.find()) {
        continue;
      }
      Matcher token = INVOICE_TOKEN.matcher(line.text());
      if (token.find(label.end()) && token.start() == label.end()) {
        String value = token.group().replaceAll("[.]+$", "");
        if (value.chars().anyMatch(Character::isDigit)) {
          return field(value, 0.9, line, token.start(), token.start() + value.length());
        }
      }
    }
    return null;
  }

  private static Field field(String value, double how, Line line, int from, int to) {
    return new Field(value, round(how * DocumentText.confidence(line, from, to)), DocumentText.span(line, from, to), null);
  }

  private static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }
}
