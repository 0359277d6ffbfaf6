package io.nexus.vision.codes;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * An EPC QR code (European Payments Council, EPC069-12 "Quick Response Code: guidelines to
 * enable data capture for the initiation of a SEPA credit transfer"), every field of it: service
 * tag {@code BCD}, version 001 or 002, character set, identification {@code SCT}, the
 * beneficiary's BIC (optional from version 002), name, IBAN, amount in euro, purpose, and either
 * a structured creditor reference (ISO 11649 {@code RF…}) or an unstructured remittance text,
 * then information to the payer.
 *
 * @param ibanProblem why the IBAN fails its check, or null when it passes (a code with a bad IBAN
 *     is still read, and the problem named, so an examiner sees it)
 * @param amount the amount in euro, or null when the code leaves it to the payer
 * @param referenceProblem why the structured reference fails its check, or null
 */
public record EpcPayment(String version, int characterSet, String bic, String name, String iban, String ibanProblem,
    BigDecimal amount, String currency, String purpose, String reference, String referenceProblem, String remittance,
    String information) {

  /** A text that is not an EPC payment code, with the reason. */
  public static final class NotEpc extends Exception {
    NotEpc(String message) {
      super(message, null, false, false);
    }
  }

  private static final Pattern AMOUNT = Pattern.compile("EUR(\\d{1,9}(\\.\\d{1,2})?)");
  private static final Pattern BIC = Pattern.compile("[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?");

  /** True when the text starts like an EPC code: worth parsing as one. */
  public static boolean looksLike(String text) {
    return text != null && text.startsWith("BCD") && (text.startsWith("BCD\n") || text.startsWith("BCD\r\n"));
  }

  /** Reads the payload of an EPC QR code. */
  public static EpcPayment parse(String text) throws NotEpc {
    if (!looksLike(text)) {
      throw new NotEpc("not an EPC payment code: it does not start with the service tag BCD");
    }
    if (text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 331) {
      throw new NotEpc("an EPC payment code holds at most 331 bytes");
    }
    String[] l = text.split("\r?\n", -1);
    List<String> f = new ArrayList<>(List.of(l));
    while (f.size() < 12) {
      f.add("");
    }
    String version = f.get(1);
    if (!version.equals("001") && !version.equals("002")) {
      throw new NotEpc("EPC version must be 001 or 002, not '" + version + "'");
    }
    int charset;
    try {
      charset = Integer.parseInt(f.get(2));
    } catch (NumberFormatException e) {
      throw new NotEpc("EPC character set must be 1-8, not '" + f.get(2) + "'");
    }
    if (charset < 1 || charset > 8) {
      throw new NotEpc("EPC character set must be 1-8, not " + charset);
    }
    if (!f.get(3).equals("SCT")) {
      throw new NotEpc("EPC identification must be SCT, not '" + f.get(3) + "'");
    }
    String bic = f.get(4).trim();
    if (bic.isEmpty() && version.equals("001")) {
      throw new NotEpc("an EPC code of version 001 must name the BIC");
    }
    if (!bic.isEmpty() && !BIC.matcher(bic).matches()) {
      throw new NotEpc("EPC BIC '" + bic + "' is not 8 or 11 letters and digits");
    }
    String name = f.get(5).trim();
    if (name.isEmpty() || name.length() > 70) {
      throw new NotEpc("EPC beneficiary name must have 1 to 70 characters");
    }
    String iban = Iban.normalise(f.get(6));
    if (iban.isEmpty()) {
      throw new NotEpc("EPC code without an IBAN");
    }
    BigDecimal amount = null;
    String currency = null;
    String a = f.get(7).trim();
    if (!a.isEmpty()) {
      var m = AMOUNT.matcher(a);
      if (!m.matches()) {
        throw new NotEpc("EPC amount must be EUR then at most 9 digits and 2 decimals, not '" + a + "'");
      }
      amount = new BigDecimal(m.group(1)).setScale(2);
      currency = "EUR";
      if (amount.signum() <= 0 || amount.compareTo(new BigDecimal("999999999.99")) > 0) {
        throw new NotEpc("EPC amount must be between EUR 0.01 and EUR 999999999.99");
      }
    }
    String purpose = blank(f.get(8));
    if (purpose != null && !purpose.matches("[A-Z0-9]{4}")) {
      throw new NotEpc("EPC purpose must be four letters or digits, not '" + purpose + "'");
    }
    String reference = blank(f.get(9));
    String remittance = blank(f.get(10));
    if (reference != null && remittance != null) {
      throw new NotEpc("an EPC code has a structured reference or a remittance text, not both");
    }
    if (reference != null && reference.length() > 35 || remittance != null && remittance.length() > 140) {
      throw new NotEpc("EPC reference at most 35 characters, remittance text at most 140");
    }
    return new EpcPayment(version, charset, blank(bic), name, iban, Iban.problem(iban), amount, currency, purpose, reference,
        reference == null ? null : referenceProblem(reference), remittance, blank(f.get(11)));
  }

  /** The payload of this payment as an EPC code carries it (what a test or a generator prints). */
  public String payload() {
    return String.join("\n", "BCD", version, Integer.toString(characterSet), "SCT", bic == null ? "" : bic, name, iban,
        amount == null ? "" : "EUR" + amount.toPlainString(), purpose == null ? "" : purpose, reference == null ? "" : reference,
        remittance == null ? "" : remittance, information == null ? "" : information);
  }

  /** Why an ISO 11649 creditor reference ({@code RF} + 2 check digits + up to 21 characters) fails, or null. */
  static String referenceProblem(String reference) {
    String r = reference.replaceAll("\\s+", "").toUpperCase(Locale.ROOT);
    if (!r.matches("RF[0-9]{2}[A-Z0-9]{1,21}")) {
      return "not an RF creditor reference (RF, two check digits, up to 21 letters and digits)";
    }
    return Iban.rearrangedMod97(r) == 1 ? null : "its check digits " + r.substring(2, 4) + " do not match the rest";
  }

  private static String blank(String s) {
    return s == null || s.trim().isEmpty() ? null : s.trim();
  }
}
