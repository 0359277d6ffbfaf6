package io.nexus.predictive.risk;

import java.util.Arrays;
import java.util.Random;

/**
 * An isolation forest (Liu, Ting and Zhou 2008): trees that split a random feature at a random
 * value between its minimum and maximum, each grown on a subsample until every point stands
 * alone or the height limit {@code ⌈log2 ψ⌉} is reached. Anomalies are isolated near the root:
 * the score {@code 2^(−E[h(x)] / c(ψ))} is near 1 for them and below 0.5 for ordinary points.
 *
 * <p>Each score also says which features isolated the point: along its path in every tree, a
 * split on feature {@code f} that sent it into a child holding {@code k} of the node's {@code n}
 * training points adds {@code log2(n / k)} to {@code f} — a split that cut it off from almost
 * all the others weighs most, one that kept it with the crowd almost nothing — and the sums are
 * normalised to add up to 1.
 *
 * <p>A forest is plain arrays, so it is stored and read back exactly: the same forest gives the
 * same scores.
 *
 * @param feature per tree, per node: the feature split on, or −1 for a leaf
 * @param threshold per tree, per node: the split value (left when below)
 * @param left per tree, per node: the left child's index
 * @param right per tree, per node: the right child's index
 * @param size per tree, per node: training points that reached it
 * @param sampleSize ψ, the subsample each tree grew on
 */
public record IsolationForest(int[][] feature, double[][] threshold, int[][] left, int[][] right, int[][] size, int sampleSize)
    implements RiskModel {
  /** Trees grown by default. */
  public static final int TREES = 200;
  /**
   * Subsample per tree by default: larger than the paper's 256, because a ledger's anomalies are
   * rare (well under 1 %) and many differ from the rest in one or two features only (an account
   * pair never used): a subsample of 256 often holds none of them, and a tree that never saw the
   * feature vary cannot isolate on it (measured in {@code PlantedRiskTest}: recall of the planted
   * pairs 5 of 15 at 256, 15 of 15 at 1,024).
   */
  public static final int SAMPLE = 1024;

  @Override
  public io.nexus.contracts.predictive.Predictive.ModelKind kind() {
    return io.nexus.contracts.predictive.Predictive.ModelKind.ISOLATION_FOREST;
  }

  @Override
  public void write(java.io.DataOutputStream out) throws java.io.IOException {
    out.writeInt(sampleSize);
    out.writeInt(feature.length);
    for (int t = 0; t < feature.length; t++) {
      out.writeInt(feature[t].length);
      for (int n = 0; n < feature[t].length; n++) {
        out.writeInt(feature[t][n]);
        out.writeDouble(threshold[t][n]);
        out.writeInt(left[t][n]);
        out.writeInt(right[t][n]);
        out.writeInt(size[t][n]);
      }
    }
  }

  static IsolationForest read(java.io.DataInputStream in) throws java.io.IOException {
    int psi = in.readInt();
    int trees = in.readInt();
    int[][] feature = new int[trees][];
    double[][] threshold = new double[trees][];
    int[][] left = new int[trees][];
    int[][] right = new int[trees][];
    int[][] size = new int[trees][];
    for (int t = 0; t < trees; t++) {
      int nodes = in.readInt();
      feature[t] = new int[nodes];
      threshold[t] = new double[nodes];
      left[t] = new int[nodes];
      right[t] = new int[nodes];
      size[t] = new int[nodes];
      for (int n = 0; n < nodes; n++) {
        feature[t][n] = in.readInt();
        threshold[t][n] = in.readDouble();
        left[t][n] = in.readInt();
        right[t][n] = in.readInt();
        size[t][n] = in.readInt();
      }
    }
    return new IsolationForest(feature, threshold, left, right, size, psi);
  }

  /** Grows a forest on the rows of x, reproducibly from {@code seed}. */
  public static IsolationForest fit(double[][] x, int trees, int sample, long seed) {
    if (x.length == 0) {
      throw new IllegalArgumentException("no rows to train on");
    }
    var random = new Random(seed);
    int psi = Math.min(sample, x.length);
    int limit = (int) Math.ceil(Math.log(Math.max(2, psi)) / Math.log(2));
    int[][] feature = new int[trees][];
    double[][] threshold = new double[trees][];
    int[][] left = new int[trees][];
    int[][] right = new int[trees][];
    int[][] size = new int[trees][];
    for (int t = 0; t < trees; t++) {
      int[] rows = shuffledPrefix(x.length, psi, random);
      var b = new Builder(x, random, limit, 2 * psi);
      b.grow(rows, 0, rows.length, 0);
      feature[t] = Arrays.copyOf(b.feature, b.count);
      threshold[t] = Arrays.copyOf(b.threshold, b.count);
      left[t] = Arrays.copyOf(b.left, b.count);
      right[t] = Arrays.copyOf(b.right, b.count);
      size[t] = Arrays.copyOf(b.size, b.count);
    }
    return new IsolationForest(feature, threshold, left, right, size, psi);
  }

  /** The score of one row. */
  @Override
  public Score score(double[] row) {
    double total = 0;
    double[] contrib = new double[row.length];
    for (int t = 0; t < feature.length; t++) {
      int node = 0;
      int depth = 0;
      while (feature[t][node] >= 0) {
        int f = feature[t][node];
        int next = row[f] < threshold[t][node] ? left[t][node] : right[t][node];
        // how much this split cut the point off from the others: log2 of the share it kept
        contrib[f] += Math.log((double) Math.max(1, size[t][node]) / Math.max(1, size[t][next])) / Math.log(2);
        node = next;
        depth++;
      }
      total += depth + c(size[t][node]);
    }
    double mean = total / feature.length;
    double score = Math.pow(2, -mean / c(sampleSize));
    double sum = Arrays.stream(contrib).sum();
    if (sum > 0) {
      for (int i = 0; i < contrib.length; i++) {
        contrib[i] /= sum;
      }
    }
    return new Score(score, contrib);
  }

  /** The average path length of an unsuccessful search in a binary search tree of n points. */
  static double c(int n) {
    if (n <= 1) {
      return 0;
    }
    if (n == 2) {
      return 1;
    }
    return 2 * (Math.log(n - 1) + 0.5772156649) - 2.0 * (n - 1) / n;
  }

  /** The first k of 0..n−1 in a random order (a partial Fisher–Yates shuffle): a sample without replacement. */
  private static int[] shuffledPrefix(int n, int k, Random random) {
    int[] all = new int[n];
    for (int i = 0; i < n; i++) {
      all[i] = i;
    }
    for (int i = 0; i < k; i++) {
      int j = i + random.nextInt(n - i);
      int tmp = all[i];
      all[i] = all[j];
      all[j] = tmp;
    }
    return Arrays.copyOf(all, k);
  }

  /** Grows one tree into flat arrays. */
  private static final class Builder {
    final double[][] x;
    final Random random;
    final int limit;
    int[] feature;
    double[] threshold;
    int[] left;
    int[] right;
    int[] size;
    int count;

    Builder(double[][] x, Random random, int limit, int capacity) {
      this.x = x;
      this.random = random;
      this.limit = limit;
      feature = new int[capacity];
      threshold = new double[capacity];
      left = new int[capacity];
      right = new int[capacity];
      size = new int[capacity];
    }

    int grow(int[] rows, int from, int to, int depth) {
      int node = count++;
      ensure();
      int n = to - from;
      feature[node] = -1;
      size[node] = n;
      if (n <= 1 || depth >= limit) {
        return node;
      }
      int features = x[0].length;
      // the features in a random order, the first on which these rows differ split them; none: they cannot be told apart
      for (int f : shuffledPrefix(features, features, random)) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (int r = from; r < to; r++) {
          double v = x[rows[r]][f];
          min = Math.min(min, v);
          max = Math.max(max, v);
        }
        if (max > min) {
          double split = min + random.nextDouble() * (max - min);
          if (split <= min) {
            split = Math.nextUp(min);
          }
          int mid = partition(rows, from, to, f, split);
          feature[node] = f;
          threshold[node] = split;
          int l = grow(rows, from, mid, depth + 1);
          int r = grow(rows, mid, to, depth + 1);
          left[node] = l;
          right[node] = r;
          return node;
        }
      }
      return node;
    }

    private int partition(int[] rows, int from, int to, int f, double split) {
      int i = from;
      for (int r = from; r < to; r++) {
        if (x[rows[r]][f] < split) {
          int tmp = rows[i];
          rows[i] = rows[r];
          rows[r] = tmp;
          i++;
        }
      }
      return i;
    }

    private void ensure() {
      if (count >= feature.length) {
        int cap = feature.length * 2;
        feature = Arrays.copyOf(feature, cap);
        threshold = Arrays.copyOf(threshold, cap);
        left = Arrays.copyOf(left, cap);
        right = Arrays.copyOf(right, cap);
        size = Arrays.copyOf(size, cap);
      }
    }
  }
}
