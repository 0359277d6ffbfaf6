package io.nexus.vision.fields;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * European VAT identification numbers: each country's format, and its check digits where the
 * country publishes the rule (Germany, Austria, Belgium, France, Italy, the Netherlands, the
 * United Kingdom). A number whose check fails is named as such, not dropped: a mistyped or
 * invented VAT id on an invoice is what an examiner wants to see.
 */
public final class VatIds {
  private static final Map<String, Pattern> FORMATS = Map.ofEntries(
      Map.entry("AT", Pattern.compile("U\\d{8}")),
      Map.entry("BE", Pattern.compile("[01]\\d{9}")),
      Map.entry("DE", Pattern.compile("\\d{9}")),
      Map.entry("DK", Pattern.compile("\\d{8}")),
      Map.entry("ES", Pattern.compile("[0-9A-Z]\\d{7}[0-9A-Z]")),
      Map.entry("FI", Pattern.compile("\\d{8}")),
      Map.entry("FR", Pattern.compile("[0-9A-HJ-NP-Z]{2}\\d{9}")),
      Map.entry("GB", Pattern.compile("\\d{9}(\\d{3})?")),
      Map.entry("IE", Pattern.compile("\\d[0-9A-Z+*]\\d{5}[A-Z]{1,2}")),
      Map.entry("IT", Pattern.compile("\\d{11}")),
      Map.entry("LU", Pattern.compile("\\d{8}")),
      Map.entry("NL", Pattern.compile("\\d{9}B\\d{2}")),
      Map.entry("PL", Pattern.compile("\\d{10}")),
      Map.entry("PT", Pattern.compile("\\d{9}")),
      Map.entry("SE", Pattern.compile("\\d{12}")));

  /** A VAT id anywhere in a text without spaces: a country prefix and what may follow it. */
  static final Pattern CANDIDATE = Pattern.compile("(?<![A-Z0-9])(AT|BE|DE|DK|ES|FI|FR|GB|IE|IT|LU|NL|PL|PT|SE)([0-9A-Z+*]{8,12})");

  private VatIds() {}

  /** True when {@code id} has its country's format. */
  public static boolean wellFormed(String id) {
    if (id == null || id.length() < 4) {
      return false;
    }
    Pattern p = FORMATS.get(id.substring(0, 2));
    return p != null && p.matcher(id.substring(2)).matches();
  }

  /** Why {@code id} fails its country's check digits, or null when it passes (or the country has no published rule). */
  public static String problem(String id) {
    if (!wellFormed(id)) {
      return "not a VAT id of a known format";
    }
    String n = id.substring(2);
    boolean ok = switch (id.substring(0, 2)) {
      case "DE" -> de(n);
      case "AT" -> at(n);
      case "BE" -> Long.parseLong(n.substring(0, 8)) % 97 == 97 - Integer.parseInt(n.substring(8));
      case "FR" -> fr(n);
      case "IT" -> luhn(n);
      case "NL" -> nl(n, id);
      case "GB" -> gb(n);
      default -> true;
    };
    return ok ? null : "the check digit does not match (" + id.substring(0, 2) + " rule)";
  }

  /** ISO 7064 MOD 11,10 over the first eight digits. */
  private static boolean de(String n) {
    int product = 10;
    for (int i = 0; i < 8; i++) {
      int sum = (n.charAt(i) - '0' + product) % 10;
      if (sum == 0) {
        sum = 10;
      }
      product = (2 * sum) % 11;
    }
    int check = 11 - product;
    if (check == 10) {
      check = 0;
    }
    return check == n.charAt(8) - '0';
  }

  /** U and seven digits, every second one doubled (its digits summed), then (96 − sum) mod 10. */
  private static boolean at(String n) {
    int sum = 0;
    for (int i = 0; i < 7; i++) {
      int d = n.charAt(1 + i) - '0';
      if (i % 2 == 1) {
        d *= 2;
        d = d / 10 + d % 10;
      }
      sum += d;
    }
    int check = (96 - sum) % 10;
    if (check < 0) {
      check += 10;
    }
    return check == n.charAt(8) - '0';
  }

  /** A numeric key: (12 + 3 × (SIREN mod 97)) mod 97; letter keys have no public rule. */
  private static boolean fr(String n) {
    String key = n.substring(0, 2);
    if (!key.chars().allMatch(Character::isDigit)) {
      return true;
    }
    long siren = Long.parseLong(n.substring(2));
    return (12 + 3 * (siren % 97)) % 97 == Integer.parseInt(key);
  }

  private static boolean luhn(String n) {
    int sum = 0;
    for (int i = 0; i < n.length(); i++) {
      int d = n.charAt(n.length() - 1 - i) - '0';
      if (i % 2 == 1) {
        d *= 2;
        if (d > 9) {
          d -= 9;
        }
      }
      sum += d;
    }
    return sum % 10 == 0;
  }

  /** The old rule (the nine digits weighted 9..2 and −1, mod 11) or the one since 2020 (ISO 7064 mod 97 of the whole id). */
  private static boolean nl(String n, String id) {
    int sum = 0;
    for (int i = 0; i < 8; i++) {
      sum += (n.charAt(i) - '0') * (9 - i);
    }
    sum -= n.charAt(8) - '0';
    if (sum % 11 == 0) {
      return true;
    }
    var digits = new StringBuilder();
    for (char c : id.toCharArray()) {
      digits.append(Character.isDigit(c) ? String.valueOf(c) : String.valueOf(c - 'A' + 10));
    }
    return new java.math.BigInteger(digits.toString()).mod(java.math.BigInteger.valueOf(97)).intValue() == 1;
  }

  /** Nine digits: the first seven weighted 8..2 plus the last two, ≡ 0 or 42 mod 97 (the 55 rule). */
  private static boolean gb(String n) {
    int sum = 0;
    for (int i = 0; i < 7; i++) {
      sum += (n.charAt(i) - '0') * (8 - i);
    }
    sum += Integer.parseInt(n.substring(7, 9));
    return sum % 97 == 0 || (sum + 55) % 97 == 0;
  }
}
