package io.carrot.core.metrics;

import io.carrot.core.CarrotException;
import java.util.ArrayList;
import java.util.List;

/**
 * How well predicted qualities match realized scores: a reliability table over equal-width bins of
 * the prediction, the expected calibration error and the Brier score.
 *
 * <ul>
 *   <li>Bins: {@code [0, 1/B), [1/B, 2/B), ..., [(B-1)/B, 1]}; a prediction p falls in bin {@code
 *       min(B - 1, floor(p * B))}.
 *   <li>ECE: {@code sum_b (n_b / n) * |mean predicted_b - mean observed_b|} over non-empty bins.
 *   <li>Brier score: {@code mean (p - y)^2} (the mean squared error when scores are not 0/1).
 *   <li>Bias: {@code mean p - mean y}; positive = over-confident on average.
 * </ul>
 *
 * @param bins one per bin, empty ones included (count 0, means NaN)
 * @param n number of (prediction, score) pairs
 * @param ece expected calibration error
 * @param brier Brier score
 * @param meanPredicted mean prediction
 * @param meanObserved mean realized score
 */
public record Calibration(List<Bin> bins, int n, double ece, double brier, double meanPredicted, double meanObserved) {
  /** Bins of the reliability table unless a caller asks otherwise. */
  public static final int DEFAULT_BINS = 10;

  /** Copies the bins. */
  public Calibration {
    bins = List.copyOf(bins);
  }

  /**
   * One bin of the reliability table.
   *
   * @param lo lower edge (inclusive)
   * @param hi upper edge (exclusive, but 1 is included in the last bin)
   * @param count pairs whose prediction falls in the bin
   * @param meanPredicted mean prediction in the bin (NaN when empty)
   * @param meanObserved mean realized score in the bin (NaN when empty)
   */
  public record Bin(double lo, double hi, int count, double meanPredicted, double meanObserved) {}

  /** {@code mean predicted - mean observed}: positive when the predictions promise too much. */
  public double bias() {
    return meanPredicted - meanObserved;
  }

  /** Calibration of {@code predicted} against {@code observed} over {@link #DEFAULT_BINS} bins. */
  public static Calibration of(double[] predicted, double[] observed) {
    return of(predicted, observed, DEFAULT_BINS);
  }

  /**
   * Calibration of {@code predicted} (in [0, 1]) against {@code observed} over {@code binCount}
   * equal-width bins.
   */
  public static Calibration of(double[] predicted, double[] observed, int binCount) {
    if (binCount < 1) {
      throw new CarrotException("calibration needs at least 1 bin, got " + binCount);
    }
    if (predicted.length != observed.length || predicted.length == 0) {
      throw new CarrotException(
          "calibration needs equally many predictions and scores, at least one, got " + predicted.length + " and " + observed.length);
    }
    int[] count = new int[binCount];
    double[] sumP = new double[binCount];
    double[] sumY = new double[binCount];
    double sq = 0;
    double allP = 0;
    double allY = 0;
    for (int i = 0; i < predicted.length; i++) {
      double p = predicted[i];
      if (!(p >= 0 && p <= 1)) {
        throw new CarrotException("predicted quality " + i + " must be in [0, 1], got " + p);
      }
      int b = Math.min(binCount - 1, (int) (p * binCount));
      count[b]++;
      sumP[b] += p;
      sumY[b] += observed[i];
      sq += (p - observed[i]) * (p - observed[i]);
      allP += p;
      allY += observed[i];
    }
    int n = predicted.length;
    List<Bin> bins = new ArrayList<>(binCount);
    double ece = 0;
    for (int b = 0; b < binCount; b++) {
      double mp = count[b] == 0 ? Double.NaN : sumP[b] / count[b];
      double my = count[b] == 0 ? Double.NaN : sumY[b] / count[b];
      if (count[b] > 0) {
        ece += (double) count[b] / n * Math.abs(mp - my);
      }
      bins.add(new Bin((double) b / binCount, (double) (b + 1) / binCount, count[b], mp, my));
    }
    return new Calibration(bins, n, ece, sq / n, allP / n, allY / n);
  }

  /** Calibration of every cell of two equally shaped matrices ({@code [prompt][model]}). */
  public static Calibration ofAll(double[][] predicted, double[][] observed) {
    if (predicted.length != observed.length) {
      throw new CarrotException("calibration needs one prediction row per score row, got " + predicted.length + " and " + observed.length);
    }
    int cells = 0;
    for (int i = 0; i < predicted.length; i++) {
      if (predicted[i].length != observed[i].length) {
        throw new CarrotException("calibration row " + i + " has " + predicted[i].length + " predictions for " + observed[i].length + " scores");
      }
      cells += predicted[i].length;
    }
    double[] p = new double[cells];
    double[] y = new double[cells];
    int c = 0;
    for (int i = 0; i < predicted.length; i++) {
      System.arraycopy(predicted[i], 0, p, c, predicted[i].length);
      System.arraycopy(observed[i], 0, y, c, observed[i].length);
      c += predicted[i].length;
    }
    return of(p, y);
  }

  /** Calibration of column {@code model} of two {@code [prompt][model]} matrices. */
  public static Calibration ofColumn(double[][] predicted, double[][] observed, int model) {
    double[] p = new double[predicted.length];
    double[] y = new double[predicted.length];
    for (int i = 0; i < p.length; i++) {
      p[i] = predicted[i][model];
      y[i] = observed[i][model];
    }
    return of(p, y);
  }
}
