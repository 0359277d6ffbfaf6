package io.nexus.predictive.risk;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * A generated ledger with planted outliers: two years of payments to twelve vendors, each paid
 * its own usual amount on weekdays in office hours with one voucher sequence, and three kinds
 * planted among them — 20 times the vendor's norm at 03:00 on a Sunday, a new counterparty paid
 * a large amount, a payment booked against an account pair never used before.
 */
final class PlantedLedger {
  private static final LocalDate START = LocalDate.of(2024, 1, 1);
  private static final int DAYS = 730;
  static final int PER_KIND = 15;

  record Ledger(List<Payment> payments, Set<String> planted, List<String> kinds) {}

  static Ledger generate(long seed) {
    var random = new Random(seed);
    double[] usual = new double[12];
    for (int v = 0; v < usual.length; v++) {
      usual[v] = 300 * Math.pow(1.6, v);
    }
    var payments = new ArrayList<Payment>();
    int voucher = 1000;
    for (int d = 0; d < DAYS; d++) {
      LocalDate date = START.plusDays(d);
      if (date.getDayOfWeek() == DayOfWeek.SATURDAY || date.getDayOfWeek() == DayOfWeek.SUNDAY) {
        continue;
      }
      for (int v = 0; v < usual.length; v++) {
        if (random.nextDouble() < 0.9) {
          double amount = Math.round(usual[v] * Math.exp(0.25 * random.nextGaussian()) * 100) / 100.0;
          var time = LocalTime.of(8 + random.nextInt(10), random.nextInt(60));
          payments.add(new Payment("e" + payments.size(), date, time, "Vendor " + v, "PV-" + (voucher++), amount,
              String.valueOf(6000 + 10 * v), "1000"));
        }
      }
    }
    // plant after the first quarter, each at a random place in the posting order
    var planted = new HashSet<String>();
    var kinds = new ArrayList<String>();
    for (int k = 0; k < 3 * PER_KIND; k++) {
      int at = payments.size() / 8 + random.nextInt(payments.size() * 7 / 8);
      Payment near = payments.get(at);
      int v = random.nextInt(usual.length);
      Payment p = switch (k / PER_KIND) {
        case 0 -> {
          LocalDate sunday = near.date().with(DayOfWeek.SUNDAY);
          yield new Payment("planted-night-" + k, sunday, LocalTime.of(3, random.nextInt(60)), "Vendor " + v, near.document() + "b",
              Math.round(usual[v] * 20 * 100) / 100.0, String.valueOf(6000 + 10 * v), "1000");
        }
        case 1 -> new Payment("planted-new-" + k, near.date(), near.time(), "Newco " + k, near.document() + "b",
            Math.round(usual[usual.length - 1] * 8 * 100) / 100.0, String.valueOf(6000 + 10 * v), "1000");
        default -> new Payment("planted-pair-" + k, near.date(), near.time(), "Vendor " + v, near.document() + "b",
            Math.round(usual[v] * Math.exp(0.25 * random.nextGaussian()) * 100) / 100.0, String.valueOf(6000 + 10 * v),
            String.valueOf(2100 + k));
      };
      payments.add(at, p);
      planted.add(p.entryId());
      kinds.add(p.entryId());
    }
    return new Ledger(payments, planted, kinds);
  }

  static double[][] features(List<Payment> payments) {
    var history = new FeatureHistory();
    double[][] x = new double[payments.size()][];
    for (int i = 0; i < payments.size(); i++) {
      x[i] = history.features(payments.get(i));
      history.add(payments.get(i));
    }
    return x;
  }


  private PlantedLedger() {}
}
