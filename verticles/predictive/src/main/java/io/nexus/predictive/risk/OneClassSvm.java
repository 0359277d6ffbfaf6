package io.nexus.predictive.risk;

import io.nexus.contracts.predictive.Predictive.Feature;
import io.nexus.contracts.predictive.Predictive.ModelKind;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Random;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.anomaly.AnomalyFactory;
import org.tribuo.anomaly.Event;
import org.tribuo.anomaly.libsvm.LibSVMAnomalyTrainer;
import org.tribuo.anomaly.libsvm.SVMAnomalyType;
import org.tribuo.common.libsvm.KernelType;
import org.tribuo.common.libsvm.SVMParameters;
import org.tribuo.impl.ArrayExample;
import org.tribuo.provenance.SimpleDataSourceProvenance;

/**
 * A one-class SVM (Schölkopf et al. 2001; libsvm through Tribuo 4.3.2's {@code
 * tribuo-anomaly-libsvm}) with an RBF kernel on standardised features: the boundary around
 * the ordinary entries, learnt without labels. Its decision value is positive inside and
 * negative outside; the score is {@code 1 / (1 + exp(d / s))}, {@code s} the spread of the
 * training rows' decision values, so it is 0.5 on the boundary and near 1 far outside.
 *
 * <p>An SVM does not say which feature put a point outside, so each feature's share is measured:
 * how much the score falls when that feature alone is set to its training mean, normalised.
 * Training uses at most {@value #MAX_ROWS} rows (a seeded sample): a kernel method's cost grows
 * with the square of the rows.
 */
public final class OneClassSvm implements RiskModel {
  /** Rows trained on at most. */
  public static final int MAX_ROWS = 5000;
  /** The share of training rows allowed outside the boundary (libsvm's nu). */
  public static final double NU = 0.05;
  private static final AnomalyFactory EVENTS = new AnomalyFactory();
  private static final String[] NAMES = Arrays.stream(Feature.values()).map(Feature::wire).toArray(String[]::new);

  private final Model<Event> model;
  private final double[] mean;
  private final double[] sd;
  private final double spread;

  private OneClassSvm(Model<Event> model, double[] mean, double[] sd, double spread) {
    this.model = model;
    this.mean = mean;
    this.sd = sd;
    this.spread = spread;
  }

  /** Trains on (a seeded sample of) the rows, reproducibly. */
  public static OneClassSvm train(double[][] x, long seed) {
    if (x.length == 0) {
      throw new IllegalArgumentException("no rows to train on");
    }
    int d = x[0].length;
    double[] mean = new double[d];
    double[] sd = new double[d];
    for (double[] row : x) {
      for (int j = 0; j < d; j++) {
        mean[j] += row[j] / x.length;
      }
    }
    for (double[] row : x) {
      for (int j = 0; j < d; j++) {
        sd[j] += (row[j] - mean[j]) * (row[j] - mean[j]) / x.length;
      }
    }
    for (int j = 0; j < d; j++) {
      // a feature that never varies (a ledger without documents) carries nothing; keep it finite
      sd[j] = Math.max(Math.sqrt(sd[j]), 1e-3);
    }
    int[] rows = sample(x.length, Math.min(MAX_ROWS, x.length), new Random(seed));
    var data = new MutableDataset<Event>(new SimpleDataSourceProvenance("ledger entries", EVENTS), EVENTS);
    for (int i : rows) {
      data.add(new ArrayExample<>(new Event(Event.EventType.EXPECTED), NAMES, standardise(x[i], mean, sd)));
    }
    var params = new SVMParameters<>(new SVMAnomalyType(SVMAnomalyType.SVMMode.ONE_CLASS), KernelType.RBF);
    params.setGamma(1.0 / d);
    params.setNu(NU);
    Model<Event> model = new LibSVMAnomalyTrainer(params, seed).train(data);
    double[] decisions = new double[rows.length];
    for (int k = 0; k < rows.length; k++) {
      decisions[k] = decision(model, standardise(x[rows[k]], mean, sd));
    }
    double m = Arrays.stream(decisions).average().orElse(0);
    double spread = Math.sqrt(Arrays.stream(decisions).map(v -> (v - m) * (v - m)).average().orElse(1));
    return new OneClassSvm(model, mean, sd, Math.max(spread, 1e-6));
  }

  @Override
  public Score score(double[] row) {
    double s = scoreOf(standardise(row, mean, sd));
    double[] contrib = new double[row.length];
    double sum = 0;
    for (int j = 0; j < row.length; j++) {
      double[] z = standardise(row, mean, sd);
      z[j] = 0; // the feature at its training mean
      contrib[j] = Math.max(0, s - scoreOf(z));
      sum += contrib[j];
    }
    if (sum > 0) {
      for (int j = 0; j < contrib.length; j++) {
        contrib[j] /= sum;
      }
    }
    return new Score(s, contrib);
  }

  @Override
  public double value(double[] row) {
    return scoreOf(standardise(row, mean, sd));
  }

  private double scoreOf(double[] z) {
    return 1 / (1 + Math.exp(decision(model, z) / spread));
  }

  private static double decision(Model<Event> model, double[] z) {
    return model.predict(new ArrayExample<>(EVENTS.getUnknownOutput(), NAMES, z)).getOutput().getScore();
  }

  private static double[] standardise(double[] row, double[] mean, double[] sd) {
    double[] z = new double[row.length];
    for (int j = 0; j < row.length; j++) {
      z[j] = (row[j] - mean[j]) / sd[j];
    }
    return z;
  }

  private static int[] sample(int n, int k, Random random) {
    int[] all = new int[n];
    for (int i = 0; i < n; i++) {
      all[i] = i;
    }
    for (int i = 0; i < k; i++) {
      int j = i + random.nextInt(n - i);
      int t = all[i];
      all[i] = all[j];
      all[j] = t;
    }
    int[] out = Arrays.copyOf(all, k);
    Arrays.sort(out);
    return out;
  }

  @Override
  public ModelKind kind() {
    return ModelKind.ONE_CLASS_SVM;
  }

  /** The scaling, the spread and Tribuo's own protobuf form of the SVM. */
  @Override
  public void write(DataOutputStream out) throws IOException {
    out.writeInt(mean.length);
    for (int j = 0; j < mean.length; j++) {
      out.writeDouble(mean[j]);
      out.writeDouble(sd[j]);
    }
    out.writeDouble(spread);
    byte[] proto = model.serialize().toByteArray();
    out.writeInt(proto.length);
    out.write(proto);
  }

  @SuppressWarnings("unchecked")
  static OneClassSvm read(DataInputStream in) throws IOException {
    int d = in.readInt();
    if (d != NAMES.length) {
      throw new IOException("the stored model has " + d + " features, not " + NAMES.length);
    }
    double[] mean = new double[d];
    double[] sd = new double[d];
    for (int j = 0; j < d; j++) {
      mean[j] = in.readDouble();
      sd[j] = in.readDouble();
    }
    double spread = in.readDouble();
    byte[] proto = new byte[in.readInt()];
    in.readFully(proto);
    Model<?> m = Model.deserialize(org.tribuo.protos.core.ModelProto.parseFrom(proto));
    if (!m.validate(Event.class)) {
      throw new IOException("the stored model is not an anomaly detector");
    }
    return new OneClassSvm((Model<Event>) m, mean, sd, spread);
  }
}
