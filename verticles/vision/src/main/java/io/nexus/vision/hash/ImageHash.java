package io.nexus.vision.hash;

import java.awt.image.BufferedImage;

/**
 * Perceptual hashes of a page: what stays the same when a receipt is rescaled, re-compressed or
 * cropped a little. pHash: the page shrunk to 32 × 32 gray, its 2-D DCT-II, and one bit per
 * coefficient of the 8 × 8 lowest frequencies (the DC term left out) — above their median or
 * not. dHash, the cheap prefilter: the page at 9 × 8, one bit per pixel brighter than its right
 * neighbour. Both are 64 bits; similar pages differ in few.
 */
public final class ImageHash {
  private static final int P_SIZE = 32;
  private static final int P_LOW = 8;
  private static final double[][] COS = new double[P_SIZE][P_SIZE];

  static {
    for (int k = 0; k < P_SIZE; k++) {
      for (int n = 0; n < P_SIZE; n++) {
        COS[k][n] = Math.cos(Math.PI / P_SIZE * (n + 0.5) * k);
      }
    }
  }

  private ImageHash() {}

  /** The page's pHash. */
  public static long phash(BufferedImage page) {
    double[][] px = pixels(page, P_SIZE, P_SIZE);
    // separable DCT-II: rows, then the columns of the low frequencies only
    double[][] rows = new double[P_SIZE][P_LOW];
    for (int y = 0; y < P_SIZE; y++) {
      for (int k = 0; k < P_LOW; k++) {
        double s = 0;
        for (int x = 0; x < P_SIZE; x++) {
          s += px[y][x] * COS[k][x];
        }
        rows[y][k] = s;
      }
    }
    double[] low = new double[P_LOW * P_LOW];
    for (int ky = 0; ky < P_LOW; ky++) {
      for (int kx = 0; kx < P_LOW; kx++) {
        double s = 0;
        for (int y = 0; y < P_SIZE; y++) {
          s += rows[y][kx] * COS[ky][y];
        }
        low[ky * P_LOW + kx] = s;
      }
    }
    double[] ac = java.util.Arrays.copyOfRange(low, 1, low.length);
    java.util.Arrays.sort(ac);
    double median = (ac[ac.length / 2] + ac[(ac.length - 1) / 2]) / 2;
    long hash = 0;
    for (int i = 1; i < low.length; i++) {
      if (low[i] > median) {
        hash |= 1L << i;
      }
    }
    return hash;
  }

  /** The page's dHash. */
  public static long dhash(BufferedImage page) {
    double[][] px = pixels(page, 9, 8);
    long hash = 0;
    int bit = 0;
    for (int y = 0; y < 8; y++) {
      for (int x = 0; x < 8; x++) {
        if (px[y][x] > px[y][x + 1]) {
          hash |= 1L << bit;
        }
        bit++;
      }
    }
    return hash;
  }

  /** Bits in which two hashes differ. */
  public static int distance(long a, long b) {
    return Long.bitCount(a ^ b);
  }

  /** The page shrunk to w × h gray values by averaging each cell's pixels (what makes the hash deaf to noise and JPEG blocks). */
  private static double[][] pixels(BufferedImage page, int w, int h) {
    int pw = page.getWidth();
    int ph = page.getHeight();
    double[][] sum = new double[h][w];
    long[][] count = new long[h][w];
    var raster = page.getRaster();
    int bands = raster.getNumBands();
    int[] row = new int[pw * bands];
    for (int y = 0; y < ph; y++) {
      raster.getPixels(0, y, pw, 1, row);
      int cy = (int) ((long) y * h / ph);
      for (int x = 0; x < pw; x++) {
        int cx = (int) ((long) x * w / pw);
        int v = bands >= 3 ? (row[x * bands] * 299 + row[x * bands + 1] * 587 + row[x * bands + 2] * 114) / 1000 : row[x * bands];
        sum[cy][cx] += v;
        count[cy][cx]++;
      }
    }
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        sum[y][x] = count[y][x] == 0 ? 255 : sum[y][x] / count[y][x];
      }
    }
    return sum;
  }
}
