package io.nexus.llm.index;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The in-process sentence embedding: all-MiniLM-L6-v2, quantised, from the model inside its
 * Maven jar (nothing is downloaded). Loaded once per JVM on first use — call it off the event
 * loop — and shared by every service instance in the JVM; texts are embedded in batches.
 * Vectors are 384 floats of unit length, so cosine similarity is their dot product.
 */
public final class Embedder {
  /** The model's name as chunks record it: a chunk embedded by another model is embedded again. */
  public static final String MODEL = "all-minilm-l6-v2-q";
  public static final int DIMENSIONS = 384;
  private static final Logger LOG = LoggerFactory.getLogger(Embedder.class);
  private static volatile Embedder shared;

  private final EmbeddingModel model;

  private Embedder(EmbeddingModel model) {
    this.model = model;
  }

  /** The JVM's embedder, loading the model the first time (blocking: a few hundred milliseconds). */
  public static Embedder shared() {
    Embedder e = shared;
    if (e == null) {
      synchronized (Embedder.class) {
        e = shared;
        if (e == null) {
          long t = System.nanoTime();
          e = new Embedder(new AllMiniLmL6V2QuantizedEmbeddingModel());
          LOG.info("embedding model loaded [model: {}, ms: {}]", MODEL, (System.nanoTime() - t) / 1_000_000);
          shared = e;
        }
      }
    }
    return e;
  }

  /** Embeds texts in one batch (blocking). */
  public float[][] embed(List<String> texts) {
    var segments = new ArrayList<TextSegment>(texts.size());
    for (String t : texts) {
      segments.add(TextSegment.from(t.isBlank() ? "-" : t));
    }
    List<Embedding> out = model.embedAll(segments).content();
    float[][] vectors = new float[out.size()][];
    for (int i = 0; i < vectors.length; i++) {
      vectors[i] = normalised(out.get(i).vector());
    }
    return vectors;
  }

  /** One text's vector (blocking). */
  public float[] embed(String text) {
    return embed(List.of(text))[0];
  }

  private static float[] normalised(float[] v) {
    double n = 0;
    for (float x : v) {
      n += x * x;
    }
    if (n == 0) {
      return v;
    }
    float inv = (float) (1 / Math.sqrt(n));
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = v[i] * inv;
    }
    return out;
  }

  /** float32 little-endian, as chunks store it. */
  public static byte[] bytes(float[] v) {
    var b = java.nio.ByteBuffer.allocate(v.length * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    for (float x : v) {
      b.putFloat(x);
    }
    return b.array();
  }

  public static float[] floats(byte[] bytes) {
    var b = java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    float[] v = new float[bytes.length / 4];
    for (int i = 0; i < v.length; i++) {
      v[i] = b.getFloat();
    }
    return v;
  }
}
