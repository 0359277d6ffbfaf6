package io.nexus.predictive.risk;

import io.nexus.contracts.predictive.Predictive.Feature;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.sgd.linear.LinearSGDTrainer;
import org.tribuo.classification.sgd.objectives.LogMulticlass;
import org.tribuo.math.optimisers.AdaGrad;
import org.tribuo.impl.ArrayExample;
import org.tribuo.provenance.SimpleDataSourceProvenance;

/**
 * The supervised risk model: a logistic regression (Tribuo's linear SGD model with log loss and
 * AdaGrad, as its {@code LogisticRegressionTrainer}) on the
 * same features as the isolation forest, learnt from what analysts decided — entries behind a
 * confirmed finding are risky, entries behind a dismissed one are not. A score is the model's
 * probability of "risky"; each feature's share of it is |weight × value|, normalised.
 */
public final class LogisticRisk implements RiskModel {
  static final String RISKY = "risky";
  static final String NORMAL = "normal";
  /** Passes over the labelled rows. */
  public static final int EPOCHS = 20;
  private static final LabelFactory LABELS = new LabelFactory();
  private static final String[] NAMES = Arrays.stream(Feature.values()).map(Feature::wire).toArray(String[]::new);

  private final Model<Label> model;
  private final double[] weights;

  private LogisticRisk(Model<Label> model) {
    this.model = model;
    this.weights = new double[NAMES.length];
    Map<String, List<com.oracle.labs.mlrg.olcut.util.Pair<String, Double>>> top = model.getTopFeatures(-1);
    for (var p : top.getOrDefault(RISKY, List.of())) {
      int i = Arrays.asList(NAMES).indexOf(p.getA());
      if (i >= 0) {
        weights[i] = p.getB();
      }
    }
  }

  /**
   * Trains on labelled rows, reproducibly.
   *
   * @param risky per row: true for an entry behind a confirmed finding, false for a dismissed one
   * @throws IllegalArgumentException when either label is missing: there is nothing to tell apart
   */
  public static LogisticRisk train(double[][] x, boolean[] risky, long seed) {
    boolean any = false;
    boolean none = false;
    for (boolean r : risky) {
      any |= r;
      none |= !r;
    }
    if (!any || !none) {
      throw new IllegalArgumentException("training needs both confirmed and dismissed findings; got only "
          + (any ? "confirmed" : "dismissed") + " ones");
    }
    var data = new MutableDataset<Label>(new SimpleDataSourceProvenance("analysts' decisions", LABELS), LABELS);
    for (int i = 0; i < x.length; i++) {
      data.add(new ArrayExample<>(new Label(risky[i] ? RISKY : NORMAL), NAMES, x[i]));
    }
    // LogisticRegressionTrainer's settings (log loss, AdaGrad 1.0/0.1), more epochs for the few labelled rows, a seed of ours
    var trainer = new LinearSGDTrainer(new LogMulticlass(), new AdaGrad(1.0, 0.1), EPOCHS, seed);
    return new LogisticRisk(trainer.train(data));
  }

  @Override
  public io.nexus.contracts.predictive.Predictive.ModelKind kind() {
    return io.nexus.contracts.predictive.Predictive.ModelKind.LOGISTIC;
  }

  /** Tribuo's own protobuf form of the model (no Java deserialisation of stored bytes). */
  @Override
  public void write(java.io.DataOutputStream out) throws java.io.IOException {
    byte[] proto = model.serialize().toByteArray();
    out.writeInt(proto.length);
    out.write(proto);
  }

  @SuppressWarnings("unchecked")
  static LogisticRisk read(java.io.DataInputStream in) throws java.io.IOException {
    byte[] proto = new byte[in.readInt()];
    in.readFully(proto);
    Model<?> m = Model.deserialize(org.tribuo.protos.core.ModelProto.parseFrom(proto));
    if (!m.validate(Label.class)) {
      throw new java.io.IOException("the stored model is not a classifier of labels");
    }
    return new LogisticRisk((Model<Label>) m);
  }

  /** The probability that the row is risky, with each feature's share. */
  @Override
  public Score score(double[] row) {
    var p = model.predict(new ArrayExample<>(LABELS.getUnknownOutput(), NAMES, row));
    double score = p.getOutputScores().get(RISKY).getScore();
    double[] contrib = new double[row.length];
    double sum = 0;
    for (int i = 0; i < row.length; i++) {
      contrib[i] = Math.abs(weights[i] * row[i]);
      sum += contrib[i];
    }
    if (sum > 0) {
      for (int i = 0; i < contrib.length; i++) {
        contrib[i] /= sum;
      }
    }
    return new Score(score, contrib);
  }
}
