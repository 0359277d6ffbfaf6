package io.nexus.vision.codes;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The payload of a Swiss QR-bill's QR code (SIX, "Swiss Implementation Guidelines for the
 * QR-bill", version 2.x): header {@code SPC}, version {@code 02xx}, coding 1; the creditor's
 * account (a Swiss or Liechtenstein IBAN, or a QR-IBAN), the creditor (address type, name,
 * street or address line 1, building number or line 2, postcode, town, country); the ultimate
 * creditor (reserved, empty); the amount and currency (CHF or EUR); the ultimate debtor; the
 * reference — {@code QRR} (27 digits, the last a modulo 10 recursive check digit, only with a
 * QR-IBAN), {@code SCOR} (an ISO 11649 RF creditor reference) or {@code NON} — the unstructured
 * message, the trailer {@code EPD}, and the optional billing information.
 *
 * @param ibanProblem why the account fails its check or does not fit the reference type, or null
 * @param amount the amount, or null when the bill leaves it to the payer
 * @param referenceProblem why the reference fails its check, or null
 */
public record SwissQrBill(String version, String iban, String ibanProblem, String creditorName, String creditorTown,
    String creditorCountry, BigDecimal amount, String currency, String debtorName, String referenceType, String reference,
    String referenceProblem, String message, String billingInformation) {

  /** A text that is not a Swiss QR-bill payload, with the reason. */
  public static final class NotQrBill extends Exception {
    NotQrBill(String message) {
      super(message, null, false, false);
    }
  }

  private static final Pattern AMOUNT = Pattern.compile("\\d{1,9}(\\.\\d{1,2})?");
  private static final int[] MOD10 = {0, 9, 4, 6, 8, 2, 7, 1, 3, 5};
  private static final int FIELDS = 31;

  /** True when the text starts like a QR-bill payload: worth parsing as one. */
  public static boolean looksLike(String text) {
    return text != null && (text.startsWith("SPC\n") || text.startsWith("SPC\r\n"));
  }

  /** Reads the payload of a Swiss QR-bill. */
  public static SwissQrBill parse(String text) throws NotQrBill {
    if (!looksLike(text)) {
      throw new NotQrBill("not a Swiss QR-bill: it does not start with the header SPC");
    }
    if (text.length() > 997) {
      throw new NotQrBill("a QR-bill payload holds at most 997 characters");
    }
    List<String> f = new ArrayList<>(List.of(text.split("\r?\n", -1)));
    if (f.size() < FIELDS) {
      throw new NotQrBill("a QR-bill payload has at least " + FIELDS + " lines, this one " + f.size());
    }
    String version = f.get(1);
    if (!version.matches("02\\d\\d")) {
      throw new NotQrBill("QR-bill version must be 02xx, not '" + version + "'");
    }
    if (!f.get(2).equals("1")) {
      throw new NotQrBill("QR-bill coding type must be 1, not '" + f.get(2) + "'");
    }
    String iban = Iban.normalise(f.get(3));
    if (!iban.startsWith("CH") && !iban.startsWith("LI")) {
      throw new NotQrBill("a QR-bill's account is a Swiss or Liechtenstein IBAN, not '" + iban + "'");
    }
    String addressType = f.get(4);
    if (!addressType.equals("S") && !addressType.equals("K")) {
      throw new NotQrBill("QR-bill creditor address type must be S or K, not '" + addressType + "'");
    }
    String creditor = blank(f.get(5));
    if (creditor == null || creditor.length() > 70) {
      throw new NotQrBill("a QR-bill names its creditor in 1 to 70 characters");
    }
    for (int i = 11; i <= 17; i++) {
      if (blank(f.get(i)) != null) {
        throw new NotQrBill("a QR-bill's ultimate creditor (lines 12-18) is reserved and must be empty");
      }
    }
    BigDecimal amount = null;
    String a = f.get(18).trim();
    if (!a.isEmpty()) {
      if (!AMOUNT.matcher(a).matches()) {
        throw new NotQrBill("QR-bill amount must be at most 9 digits and 2 decimals, not '" + a + "'");
      }
      amount = new BigDecimal(a).setScale(2);
      if (amount.signum() <= 0) {
        throw new NotQrBill("QR-bill amount must be between 0.01 and 999999999.99");
      }
    }
    String currency = f.get(19).trim();
    if (!currency.equals("CHF") && !currency.equals("EUR")) {
      throw new NotQrBill("QR-bill currency must be CHF or EUR, not '" + currency + "'");
    }
    String referenceType = f.get(27).trim();
    String reference = blank(f.get(28));
    String referenceProblem = switch (referenceType) {
      case "QRR" -> reference == null ? "a QRR reference is missing" : qrReferenceProblem(reference);
      case "SCOR" -> reference == null ? "an SCOR reference is missing" : EpcPayment.referenceProblem(reference);
      case "NON" -> reference == null ? null : "a bill of reference type NON carries no reference";
      default -> throw new NotQrBill("QR-bill reference type must be QRR, SCOR or NON, not '" + referenceType + "'");
    };
    if (!f.get(30).trim().equals("EPD")) {
      throw new NotQrBill("a QR-bill's line 31 is the trailer EPD, not '" + f.get(30) + "'");
    }
    String ibanProblem = Iban.problem(iban);
    if (ibanProblem == null && qrIban(iban) != referenceType.equals("QRR")) {
      ibanProblem = referenceType.equals("QRR") ? "a QRR reference needs a QR-IBAN (institution id 30000-31999)"
          : "a QR-IBAN needs a QRR reference, not " + referenceType;
    }
    String message = blank(f.get(29));
    if (message != null && message.length() > 140) {
      throw new NotQrBill("a QR-bill's message has at most 140 characters");
    }
    return new SwissQrBill(version, iban, ibanProblem, creditor, blank(f.get(9)), blank(f.get(10)), amount, currency,
        blank(f.get(21)), referenceType, reference, referenceProblem, message, f.size() > 31 ? blank(f.get(31)) : null);
  }

  /** A QR-IBAN: its institution id (IBAN positions 5-9) is 30000-31999. */
  static boolean qrIban(String iban) {
    if (iban.length() < 9 || !iban.substring(4, 9).chars().allMatch(Character::isDigit)) {
      return false;
    }
    int iid = Integer.parseInt(iban.substring(4, 9));
    return iid >= 30000 && iid <= 31999;
  }

  /** Why a QRR reference (27 digits, the last the modulo 10 recursive check digit of the others) fails, or null. */
  static String qrReferenceProblem(String reference) {
    String r = reference.replaceAll("\\s+", "");
    if (!r.matches("\\d{27}")) {
      return "a QRR reference is 27 digits";
    }
    return checkDigit(r.substring(0, 26)) == r.charAt(26) - '0' ? null
        : "its check digit " + r.charAt(26) + " does not match the other 26 digits";
  }

  /** The modulo 10 recursive check digit of a run of digits. */
  static int checkDigit(String digits) {
    int carry = 0;
    for (char c : digits.toCharArray()) {
      carry = MOD10[(carry + (c - '0')) % 10];
    }
    return (10 - carry) % 10;
  }

  /** The payload of a bill (what a test or a generator prints): structured addresses, no billing information. */
  public static String payload(String iban, String creditor, String street, String house, String postcode, String town,
      String country, BigDecimal amount, String currency, String debtor, String referenceType, String reference, String message) {
    var l = new ArrayList<String>(List.of("SPC", "0200", "1", iban, "S", creditor, street, house, postcode, town, country));
    for (int i = 0; i < 7; i++) {
      l.add("");
    }
    l.add(amount == null ? "" : amount.setScale(2).toPlainString());
    l.add(currency);
    if (debtor == null) {
      l.addAll(List.of("", "", "", "", "", "", ""));
    } else {
      l.addAll(List.of("S", debtor, "", "", "8000", "Zürich", "CH"));
    }
    l.addAll(List.of(referenceType, reference == null ? "" : reference, message == null ? "" : message, "EPD"));
    return String.join("\n", l);
  }

  /** A QRR reference from up to 26 digits (padded with zeros in front) and its check digit. */
  public static String qrReference(String digits) {
    String d = "0".repeat(Math.max(0, 26 - digits.length())) + digits;
    return d + checkDigit(d);
  }

  private static String blank(String s) {
    return s == null || s.trim().isEmpty() ? null : s.trim();
  }
}
