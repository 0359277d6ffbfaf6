package io.nexus.predictive.risk;

import io.nexus.contracts.predictive.Predictive.ModelKind;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.InflaterInputStream;

/**
 * A trained risk model: scores a row of features (in {@code Feature} order) and says what made
 * the score. Stored as bytes in the registry and read back exactly, so the same model gives the
 * same scores on every node and on every replay.
 */
public sealed interface RiskModel permits IsolationForest, LogisticRisk, OneClassSvm {

  /**
   * A score and what made it.
   *
   * @param score 0-1, higher is riskier
   * @param contributions per feature, summing to 1 (all 0 when nothing stood out)
   */
  record Score(double score, double[] contributions) {}

  /** The score of one row of features. */
  Score score(double[] row);

  /** The score alone, without the shares (cheaper where the shares cost extra). */
  default double value(double[] row) {
    return score(row).score();
  }

  /** The model's kind in the registry. */
  ModelKind kind();

  /** The model as bytes (compressed), for the registry. */
  default byte[] toBytes() {
    var bytes = new ByteArrayOutputStream();
    try (var out = new DataOutputStream(new DeflaterOutputStream(bytes))) {
      write(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** Writes the model's own form. */
  void write(DataOutputStream out) throws IOException;

  /** A model from its registry bytes. */
  static RiskModel fromBytes(ModelKind kind, byte[] bytes) {
    try (var in = new DataInputStream(new InflaterInputStream(new ByteArrayInputStream(bytes)))) {
      return switch (kind) {
        case ISOLATION_FOREST -> IsolationForest.read(in);
        case LOGISTIC -> LogisticRisk.read(in);
        case ONE_CLASS_SVM -> OneClassSvm.read(in);
      };
    } catch (IOException e) {
      throw new UncheckedIOException("a stored " + kind + " model could not be read", e);
    }
  }
}
