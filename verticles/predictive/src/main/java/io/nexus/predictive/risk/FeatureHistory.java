package io.nexus.predictive.risk;

import io.nexus.contracts.predictive.Predictive.Feature;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A ledger's history as the risk features need it, built from its entries in the order they were
 * posted: per counterparty its recent amounts, booking dates and gaps; per debited account its
 * recent amounts; the account pairs and the credited accounts seen; the last number of each
 * document prefix.
 * {@link #features} reads an entry against the history before it; {@link #add} then adds it.
 * Memory is bounded per key ({@value #KEEP} amounts), so a ledger of millions of entries keeps a
 * history of its counterparties, not of its entries.
 */
public final class FeatureHistory {
  /** Amounts, dates and gaps kept per counterparty or account. */
  static final int KEEP = 200;
  /** Entries before a ledger's first payments or pairs count as new. */
  static final int WARM_UP = 50;
  /** Amounts needed before an amount is judged against them. */
  static final int MIN_AMOUNTS = 5;
  private static final Pattern DOCUMENT = Pattern.compile("^(.*?)(\\d{1,18})$");

  private final Map<String, Party> parties = new HashMap<>();
  private final Map<String, Window> accounts = new HashMap<>();
  private final Map<String, Integer> pairs = new HashMap<>();
  private final java.util.Set<String> credited = new java.util.HashSet<>();
  private final Map<String, Long> documents = new HashMap<>();
  private long entries;

  /** One counterparty's recent payments. */
  private static final class Party {
    final Window amounts = new Window();
    final Window gaps = new Window();
    final ArrayDeque<LocalDate> recent = new ArrayDeque<>();
    LocalDate last;
  }

  /** The last {@link #KEEP} values of a series, in a ring. */
  private static final class Window {
    final double[] values = new double[KEEP];
    int size;
    int next;

    void add(double v) {
      values[next] = v;
      next = (next + 1) % KEEP;
      size = Math.min(KEEP, size + 1);
    }

    double[] sorted() {
      double[] s = Arrays.copyOf(values, size);
      Arrays.sort(s);
      return s;
    }
  }

  /** The entry's features against the history so far, in {@link Feature} order. */
  public double[] features(Payment p) {
    double[] f = new double[Feature.values().length];
    double logAmount = Math.log1p(Math.abs(p.amount()));
    Party party = p.counterparty() == null ? null : parties.get(p.counterparty());
    f[Feature.AMOUNT_VS_COUNTERPARTY.ordinal()] = party == null ? 0 : robustDistance(logAmount, party.amounts);
    Window account = accounts.get(p.debitAccount());
    f[Feature.AMOUNT_VS_ACCOUNT.ordinal()] = account == null ? 0 : robustDistance(logAmount, account);
    LocalTime t = p.time();
    f[Feature.OFF_HOURS.ordinal()] = t != null && (t.getHour() >= 22 || t.getHour() < 6) ? 1 : 0;
    DayOfWeek d = p.date().getDayOfWeek();
    f[Feature.WEEKEND.ordinal()] = d == DayOfWeek.SATURDAY || d == DayOfWeek.SUNDAY ? 1 : 0;
    double cents = Math.round(Math.abs(p.amount()) * 100);
    f[Feature.ROUND_AMOUNT.ordinal()] = cents > 0 && cents % 100_000 == 0 ? 1 : cents > 0 && cents % 10_000 == 0 ? 0.5 : 0;
    boolean warm = entries >= WARM_UP;
    f[Feature.FIRST_PAYMENT.ordinal()] = warm && p.counterparty() != null && party == null ? 1 : 0;
    if (party != null && party.last != null && party.gaps.size >= MIN_AMOUNTS) {
      double gap = Math.max(0.5, ChronoUnit.DAYS.between(party.last, p.date()));
      double usual = median(party.gaps.sorted());
      f[Feature.SOONER_THAN_USUAL.ordinal()] = Math.max(0, Math.log(usual / gap));
    }
    if (party != null) {
      long within = party.recent.stream().filter(x -> !x.isBefore(p.date().minusDays(7))).count();
      f[Feature.VELOCITY.ordinal()] = within + 1;
    } else {
      f[Feature.VELOCITY.ordinal()] = p.counterparty() == null ? 0 : 1;
    }
    var doc = p.document() == null ? null : DOCUMENT.matcher(p.document().trim());
    if (doc != null && doc.matches()) {
      Long last = documents.get(doc.group(1));
      if (last != null) {
        long gap = Long.parseLong(doc.group(2)) - last;
        f[Feature.DOCUMENT_GAP.ordinal()] = Math.log1p(Math.abs(gap - 1));
      }
    }
    f[Feature.UNUSUAL_PAIR.ordinal()] = warm && !pairs.containsKey(pair(p)) ? 1 : 0;
    f[Feature.NEW_CREDIT_ACCOUNT.ordinal()] = warm && !credited.contains(p.creditAccount()) ? 1 : 0;
    return f;
  }

  /** Adds the entry to the history. */
  public void add(Payment p) {
    entries++;
    double logAmount = Math.log1p(Math.abs(p.amount()));
    if (p.counterparty() != null) {
      Party party = parties.computeIfAbsent(p.counterparty(), k -> new Party());
      party.amounts.add(logAmount);
      if (party.last != null) {
        party.gaps.add(Math.max(0.5, ChronoUnit.DAYS.between(party.last, p.date())));
      }
      party.last = p.date();
      party.recent.addLast(p.date());
      while (party.recent.size() > 64 || party.recent.peekFirst().isBefore(p.date().minusDays(7))) {
        party.recent.removeFirst();
        if (party.recent.isEmpty()) {
          break;
        }
      }
    }
    accounts.computeIfAbsent(p.debitAccount(), k -> new Window()).add(logAmount);
    pairs.merge(pair(p), 1, Integer::sum);
    credited.add(p.creditAccount());
    var doc = p.document() == null ? null : DOCUMENT.matcher(p.document().trim());
    if (doc != null && doc.matches()) {
      documents.merge(doc.group(1), Long.parseLong(doc.group(2)), Math::max);
    }
  }

  private static String pair(Payment p) {
    return p.debitAccount() + "|" + p.creditAccount();
  }

  /** |x − median| / (1.4826 MAD), with the MAD floored so a counterparty that is always paid the same is not infinitely sure. */
  private static double robustDistance(double x, Window w) {
    if (w.size < MIN_AMOUNTS) {
      return 0;
    }
    double[] s = w.sorted();
    double median = median(s);
    double[] dev = new double[s.length];
    for (int i = 0; i < s.length; i++) {
      dev[i] = Math.abs(s[i] - median);
    }
    Arrays.sort(dev);
    double mad = Math.max(median(dev), 0.05);
    return Math.abs(x - median) / (1.4826 * mad);
  }

  private static double median(double[] sorted) {
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }
}
