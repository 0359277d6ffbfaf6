package io.nexus.predictive.risk;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexus.contracts.predictive.Predictive.Feature;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Risk scores on a generated ledger with planted outliers: two years of payments to twelve
 * vendors, each paid its own usual amount on weekdays in office hours with one voucher
 * sequence, and three kinds planted among them — 20 times the vendor's norm at 03:00 on a
 * Sunday, a new counterparty paid a large amount, a payment booked against an account pair
 * never used before. The forest is trained on everything, unlabelled, as the default model is.
 */
class PlantedRiskTest {
  private static final LocalDate START = LocalDate.of(2024, 1, 1);
  private static final int DAYS = 730;
  private static final int PER_KIND = 15;

  private record Ledger(List<Payment> payments, Set<String> planted, List<String> kinds) {}

  private static Ledger generate(long seed) {
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

  private static double[][] features(List<Payment> payments) {
    var history = new FeatureHistory();
    double[][] x = new double[payments.size()][];
    for (int i = 0; i < payments.size(); i++) {
      x[i] = history.features(payments.get(i));
      history.add(payments.get(i));
    }
    return x;
  }

  @Test
  @DisplayName("planted outliers: recall among the top 1 % of scores at least 0.9 (printed with precision), on three seeds")
  void plantedOutliersRankFirst() {
    var report = new StringBuilder(String.format(Locale.ROOT, "%-5s %8s %8s %6s %9s %7s  %s%n", "seed", "entries", "planted",
        "top1%", "precision", "recall", "recall by kind (night, new counterparty, account pair)"));
    for (long seed : new long[] {1, 2, 3}) {
      Ledger l = generate(seed);
      double[][] x = features(l.payments());
      var forest = IsolationForest.fit(x, IsolationForest.TREES, IsolationForest.SAMPLE, 42);
      Integer[] order = new Integer[x.length];
      double[] scores = new double[x.length];
      for (int i = 0; i < x.length; i++) {
        order[i] = i;
        scores[i] = forest.score(x[i]).score();
      }
      java.util.Arrays.sort(order, Comparator.comparingDouble((Integer i) -> -scores[i]));
      int top = (int) Math.ceil(x.length * 0.01);
      int hits = 0;
      int[] byKind = new int[3];
      for (int r = 0; r < top; r++) {
        String id = l.payments().get(order[r]).entryId();
        if (l.planted().contains(id)) {
          hits++;
          byKind[id.startsWith("planted-night") ? 0 : id.startsWith("planted-new") ? 1 : 2]++;
        }
      }
      double precision = (double) hits / top;
      double recall = (double) hits / l.planted().size();
      report.append(String.format(Locale.ROOT, "%-5d %8d %8d %6d %9.2f %7.2f  %d/%d, %d/%d, %d/%d%n", seed, x.length,
          l.planted().size(), top, precision, recall, byKind[0], PER_KIND, byKind[1], PER_KIND, byKind[2], PER_KIND));
      System.out.print(report);
      report.setLength(0);
      assertThat(recall).as("seed " + seed + ": recall of the planted entries among the top 1 %").isGreaterThanOrEqualTo(0.9);
    }
  }

  @Test
  @DisplayName("a score names its top feature: the night payment's hour, day or amount; the new pair's pair or credit account")
  void contributionsNameTheReason() {
    Ledger l = generate(1);
    double[][] x = features(l.payments());
    var forest = IsolationForest.fit(x, IsolationForest.TREES, IsolationForest.SAMPLE, 42);
    for (int i = 0; i < x.length; i++) {
      String id = l.payments().get(i).entryId();
      if (!l.planted().contains(id)) {
        continue;
      }
      var s = forest.score(x[i]);
      int best = 0;
      for (int f = 1; f < Feature.values().length; f++) {
        if (s.contributions()[f] > s.contributions()[best]) {
          best = f;
        }
      }
      Feature top = Feature.values()[best];
      if (id.startsWith("planted-night")) {
        assertThat(top).as(id).isIn(Feature.OFF_HOURS, Feature.WEEKEND, Feature.AMOUNT_VS_COUNTERPARTY, Feature.AMOUNT_VS_ACCOUNT);
      } else if (id.startsWith("planted-pair")) {
        assertThat(top).as(id).isIn(Feature.UNUSUAL_PAIR, Feature.NEW_CREDIT_ACCOUNT);
      } else {
        assertThat(top).as(id).isIn(Feature.FIRST_PAYMENT, Feature.AMOUNT_VS_ACCOUNT);
      }
      assertThat(java.util.Arrays.stream(s.contributions()).sum()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
    }
  }

  @Test
  @DisplayName("a replay gives identical scores: the same history rebuilt from the same entries, the same forest")
  void replayIsIdentical() {
    Ledger l = generate(2);
    double[][] first = features(l.payments());
    var forest = IsolationForest.fit(first, IsolationForest.TREES, IsolationForest.SAMPLE, 42);
    double[][] again = features(l.payments());
    var refit = IsolationForest.fit(again, IsolationForest.TREES, IsolationForest.SAMPLE, 42);
    for (int i = 0; i < first.length; i++) {
      assertThat(again[i]).containsExactly(first[i]);
      assertThat(refit.score(again[i]).score()).isEqualTo(forest.score(first[i]).score());
    }
  }
}
