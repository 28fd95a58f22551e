package io.carrot.core.predict.calibration;

import io.carrot.core.CarrotException;
import io.carrot.core.predict.Prediction;
import io.carrot.core.predict.Predictor;
import io.carrot.core.predict.WrappingPredictor;
import io.carrot.core.predict.TrainingSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Wraps a predictor with an isotonic map of its quality predictions, fitted on validation data so
 * that "predicted quality 0.8" means about 80% right. One map is shared by all models: a monotone
 * transform applied to every model alike keeps the ranking between models at {@code mu = 0}, while
 * making quality comparable to costs and to a user's quality floor. Tokens pass through.
 */
public final class CalibratedPredictor extends WrappingPredictor {
  public static final String KIND = "calibrated";

  private final double[] knotX; // increasing
  private final double[] knotY; // non-decreasing

  public CalibratedPredictor(Predictor base, double[] knotX, double[] knotY) {
    super(base);
    if (knotX.length == 0 || knotX.length != knotY.length) {
      throw new CarrotException("calibration needs matching, non-empty knots");
    }
    for (int i = 1; i < knotX.length; i++) {
      if (!(knotX[i] > knotX[i - 1]) || knotY[i] < knotY[i - 1]) {
        throw new CarrotException("calibration knots must be increasing in x and non-decreasing in y");
      }
    }
    this.knotX = knotX.clone();
    this.knotY = knotY.clone();
  }

  /** Fits the isotonic map on the base predictor's quality predictions for {@code validation}. */
  public static CalibratedPredictor fit(Predictor base, TrainingSet validation) {
    if (validation == null || validation.size() == 0) {
      throw new CarrotException("calibration needs a non-empty validation split");
    }
    int m = base.models().size();
    Prediction[] pr = base.predictAll(validation.embeddings());
    int n = pr.length * m;
    double[] x = new double[n];
    double[] y = new double[n];
    int c = 0;
    for (int i = 0; i < pr.length; i++) {
      for (int j = 0; j < m; j++) {
        if (validation.observed(i, j)) {
          x[c] = pr[i].quality()[j];
          y[c] = validation.quality()[i][j];
          c++;
        }
      }
    }
    x = Arrays.copyOf(x, c);
    y = Arrays.copyOf(y, c);
    double[][] knots = isotonic(x, y);
    return new CalibratedPredictor(base, knots[0], knots[1]);
  }

  /**
   * Pool-adjacent-violators on (x, y) sorted by x; returns knots (x = mean x of each block, y = the
   * block mean of y), so the map interpolates linearly between block centres.
   */
  static double[][] isotonic(double[] x, double[] y) {
    Integer[] order = new Integer[x.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Double.compare(x[a], x[b]));
    List<double[]> blocks = new ArrayList<>(); // {sumX, sumY, count}
    for (int idx : order) {
      blocks.add(new double[] {x[idx], y[idx], 1});
      while (blocks.size() > 1) {
        double[] last = blocks.get(blocks.size() - 1);
        double[] prev = blocks.get(blocks.size() - 2);
        // equal x (a block mean of equal values may round either way) must share one knot
        boolean sameX = prev[0] / prev[2] >= last[0] / last[2];
        if (sameX || prev[1] / prev[2] >= last[1] / last[2]) {
          prev[0] += last[0];
          prev[1] += last[1];
          prev[2] += last[2];
          blocks.remove(blocks.size() - 1);
        } else {
          break;
        }
      }
    }
    double[] kx = new double[blocks.size()];
    double[] ky = new double[blocks.size()];
    for (int i = 0; i < blocks.size(); i++) {
      double[] b = blocks.get(i);
      kx[i] = b[0] / b[2];
      ky[i] = b[1] / b[2];
    }
    return new double[][] {kx, ky};
  }

  /** The calibrated value of a raw quality prediction. */
  public double map(double q) {
    if (q <= knotX[0]) {
      return knotY[0];
    }
    int last = knotX.length - 1;
    if (q >= knotX[last]) {
      return knotY[last];
    }
    int hi = Arrays.binarySearch(knotX, q);
    if (hi >= 0) {
      return knotY[hi];
    }
    hi = -hi - 1;
    int lo = hi - 1;
    double f = (q - knotX[lo]) / (knotX[hi] - knotX[lo]);
    return knotY[lo] + f * (knotY[hi] - knotY[lo]);
  }

  public double[] knotX() {
    return knotX.clone();
  }

  public double[] knotY() {
    return knotY.clone();
  }

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public Prediction predict(float[] embedding) {
    return calibrated(base().predict(embedding));
  }

  /** The base predicts all prompts at once (it may do so in parallel), then each is mapped. */
  @Override
  public Prediction[] predictAll(float[][] embeddings) {
    Prediction[] p = base().predictAll(embeddings);
    Prediction[] out = new Prediction[p.length];
    for (int i = 0; i < p.length; i++) {
      out[i] = calibrated(p[i]);
    }
    return out;
  }

  private Prediction calibrated(Prediction p) {
    double[] q = p.quality();
    double[] out = new double[q.length];
    for (int j = 0; j < q.length; j++) {
      out[j] = Math.min(1, Math.max(0, map(q[j]))); // the contract, even for targets outside [0, 1]
    }
    return new Prediction(out, p.outputTokens());
  }

  @Override
  public Map<String, Object> hyperParameters() {
    Map<String, Object> h = new LinkedHashMap<>();
    h.put("calibration", "isotonic (pool-adjacent-violators) on validation, shared by all models");
    h.put("knots", knotX.length);
    h.put("base", Map.of("kind", base().kind(), "hyper_parameters", base().hyperParameters()));
    return h;
  }
}
