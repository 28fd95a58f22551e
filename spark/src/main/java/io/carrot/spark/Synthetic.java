package io.carrot.spark;

import io.carrot.core.data.ModelPrice;
import io.carrot.core.data.PriceTable;
import io.carrot.core.files.FloatArrays;
import io.carrot.core.linalg.VectorMath;
import io.carrot.core.predict.TrainingSet;
import io.carrot.core.predict.knn.KnnTrainer;
import io.carrot.core.route.Provenance;
import io.carrot.core.route.Router;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Seeded synthetic data for scale runs without an embedding model: prompts are unit vectors drawn
 * around a few hundred cluster centres; a synthetic router's models get a per-cluster skill, so
 * KNN has something to find and the decisions vary with mu.
 */
public final class Synthetic {
  static final int CLUSTERS = 256;

  private Synthetic() {}

  /** {@code n} unit vectors of dimension {@code d}. */
  public static float[][] vectors(long seed, int n, int d) {
    float[][] centres = centres(d);
    Random r = new Random(seed);
    float[][] x = new float[n][d];
    for (float[] row : x) {
      float[] c = centres[r.nextInt(CLUSTERS)];
      for (int i = 0; i < d; i++) {
        row[i] = c[i] + (float) (0.6 * r.nextGaussian() / Math.sqrt(d));
      }
      VectorMath.normalizeInPlace(row);
    }
    return x;
  }

  private static float[][] centres(int d) {
    Random r = new Random(12345 + d);
    float[][] c = new float[CLUSTERS][d];
    for (float[] row : c) {
      for (int i = 0; i < d; i++) {
        row[i] = (float) r.nextGaussian();
      }
      VectorMath.normalizeInPlace(row);
    }
    return c;
  }

  /** Writes {@code n} synthetic prompt vectors as {@code file} + {@code file.ids} (ids p0, p1, ...). */
  public static void writePrompts(Path file, long seed, int n, int d) {
    float[][] x = vectors(seed, n, d);
    List<String> ids = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      ids.add("p" + i);
    }
    FloatArrays.writeMatrix(file, ids, x);
  }

  /**
   * A KNN router (fixed k) over {@code n} synthetic training prompts and {@code models} models:
   * model m costs about 2^m times model 0 and is better on a seeded subset of clusters.
   */
  public static Router router(long seed, int n, int d, int models, int k) {
    float[][] x = vectors(seed, n, d);
    Random r = new Random(seed + 1);
    double[][] skill = new double[CLUSTERS][models];
    for (double[] s : skill) {
      for (int m = 0; m < models; m++) {
        s[m] = Math.min(0.95, 0.3 + 0.5 * m / Math.max(1, models - 1) + 0.3 * (r.nextDouble() - 0.5));
      }
    }
    float[][] centres = centres(d);
    double[][] q = new double[n][models];
    double[][] t = new double[n][models];
    for (int i = 0; i < n; i++) {
      int c = nearest(centres, x[i]);
      for (int m = 0; m < models; m++) {
        q[i][m] = r.nextDouble() < skill[c][m] ? 1 : 0;
        t[i][m] = 50 + r.nextInt(400) + 20 * c % 300;
      }
    }
    List<String> names = new ArrayList<>();
    Map<String, ModelPrice> prices = new LinkedHashMap<>();
    for (int m = 0; m < models; m++) {
      String name = String.format("model-%02d", m);
      names.add(name);
      double scale = Math.pow(2, m);
      prices.put(name, new ModelPrice(0.1 * scale, 0.4 * scale, "synthetic"));
    }
    var predictor = KnnTrainer.fixed(k).fit(new TrainingSet(names, x, q, t), p -> {});
    double costScale = 1 / (prices.get(names.get(models - 1)).cost(300, 250));
    Provenance prov =
        new Provenance("synthetic", "seed-" + seed, n, "synthetic-" + d, "none", seed, "synthetic", "1970-01-01T00:00:00Z", Map.of());
    return new Router(predictor, new PriceTable(prices), costScale, prov);
  }

  private static int nearest(float[][] centres, float[] v) {
    int best = 0;
    float bs = Float.NEGATIVE_INFINITY;
    for (int c = 0; c < centres.length; c++) {
      float s = 0;
      for (int i = 0; i < v.length; i++) {
        s += centres[c][i] * v[i];
      }
      if (s > bs) {
        bs = s;
        best = c;
      }
    }
    return best;
  }
}
