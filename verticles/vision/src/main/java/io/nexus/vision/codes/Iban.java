package io.nexus.vision.codes;

import java.math.BigInteger;
import java.util.Locale;
import java.util.Map;

/**
 * International Bank Account Numbers (ISO 13616): the country's length and the mod-97 check
 * digits. A payment code or an invoice whose IBAN fails the check is reported as invalid, never
 * taken as it reads.
 */
public final class Iban {
  private static final BigInteger NINETY_SEVEN = BigInteger.valueOf(97);
  /** IBAN lengths of the SEPA countries (and a few more), from the SWIFT IBAN registry. */
  private static final Map<String, Integer> LENGTHS = Map.ofEntries(
      Map.entry("AD", 24), Map.entry("AT", 20), Map.entry("BE", 16), Map.entry("BG", 22), Map.entry("CH", 21),
      Map.entry("CY", 28), Map.entry("CZ", 24), Map.entry("DE", 22), Map.entry("DK", 18), Map.entry("EE", 20),
      Map.entry("ES", 24), Map.entry("FI", 18), Map.entry("FR", 27), Map.entry("GB", 22), Map.entry("GI", 23),
      Map.entry("GR", 27), Map.entry("HR", 21), Map.entry("HU", 28), Map.entry("IE", 22), Map.entry("IS", 26),
      Map.entry("IT", 27), Map.entry("LI", 21), Map.entry("LT", 20), Map.entry("LU", 20), Map.entry("LV", 21),
      Map.entry("MC", 27), Map.entry("MT", 31), Map.entry("NL", 18), Map.entry("NO", 15), Map.entry("PL", 28),
      Map.entry("PT", 25), Map.entry("RO", 24), Map.entry("SE", 24), Map.entry("SI", 19), Map.entry("SK", 24),
      Map.entry("SM", 27), Map.entry("VA", 22));

  private Iban() {}

  /** The IBAN without spaces, in upper case. */
  public static String normalise(String iban) {
    return iban == null ? null : iban.replaceAll("\\s+", "").toUpperCase(Locale.ROOT);
  }

  /** Why the IBAN is not valid, or null when it is: its country's length and its check digits. */
  public static String problem(String raw) {
    String iban = normalise(raw);
    if (iban == null || !iban.matches("[A-Z]{2}[0-9]{2}[A-Z0-9]{1,30}")) {
      return "not an IBAN: two letters, two check digits, then up to 30 letters and digits";
    }
    Integer length = LENGTHS.get(iban.substring(0, 2));
    if (length != null && iban.length() != length) {
      return "an IBAN of " + iban.substring(0, 2) + " has " + length + " characters, this one " + iban.length();
    }
    return checksum(iban) == 1 ? null : "its check digits " + iban.substring(2, 4) + " do not match the rest";
  }

  /** True when {@link #problem} finds none. */
  public static boolean valid(String iban) {
    return problem(iban) == null;
  }

  /** An IBAN from its country and account part (BBAN), with the check digits computed. */
  public static String of(String country, String bban) {
    String body = bban.toUpperCase(Locale.ROOT) + country.toUpperCase(Locale.ROOT) + "00";
    int check = 98 - mod97(digits(body));
    return country.toUpperCase(Locale.ROOT) + String.format(Locale.ROOT, "%02d", check) + bban.toUpperCase(Locale.ROOT);
  }

  private static int checksum(String iban) {
    return rearrangedMod97(iban);
  }

  /**
   * ISO 7064 MOD 97-10 as IBANs and ISO 11649 creditor references use it: the first four
   * characters moved to the end, letters as 10-35, the number modulo 97 (1 when the check digits
   * are right).
   */
  static int rearrangedMod97(String code) {
    return mod97(digits(code.substring(4) + code.substring(0, 4)));
  }

  private static String digits(String s) {
    var out = new StringBuilder(s.length() * 2);
    for (char c : s.toCharArray()) {
      out.append(Character.isDigit(c) ? String.valueOf(c) : String.valueOf(c - 'A' + 10));
    }
    return out.toString();
  }

  private static int mod97(String digits) {
    return new BigInteger(digits).mod(NINETY_SEVEN).intValue();
  }
}
