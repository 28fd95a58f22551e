package io.carrot.core.train;

import io.carrot.core.CarrotException;
import io.carrot.core.Permutations;
import io.carrot.core.ProgressListener;
import io.carrot.core.curve.EvalSet;
import io.carrot.core.curve.RouterSweep;
import io.carrot.core.data.ModelPrice;
import io.carrot.core.data.PriceTable;
import io.carrot.core.metrics.Anchors;
import io.carrot.core.metrics.Frontier;
import io.carrot.core.metrics.MetricFormulas;
import io.carrot.core.metrics.Point;
import io.carrot.core.predict.Predictor;
import io.carrot.core.predict.TrainingSet;
import io.carrot.core.route.Router;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code --estimator auto}: fits every candidate estimator on train and keeps the one whose
 * router has the highest AIQ on validation (the CARROT rule swept over mu, true validation costs).
 *
 * <p><b>Cross-fitted.</b> Every candidate but {@code knn} tunes something on validation (its
 * calibration at least; {@code ensemble} its blend weights too), so its AIQ on the same split is
 * optimistic, the more so the more it tuned, and selecting on it favours the most tuned. With
 * at least {@value #MIN_CROSS_FIT} validation prompts, validation is split in two seeded halves;
 * each candidate is tuned on one half and scored on the other, both ways, and its score is the
 * mean of the two. The winner (and {@code knn}, the reference) is then fitted again on train and
 * the whole validation split. Smaller validation splits keep the in-sample rule. About three
 * times the fitting of one pass.
 *
 * <p>Registered in {@link Estimators} like every estimator; it needs the training sets' {@link
 * TrainingSet.Costs} (prices, input tokens, recorded costs), which {@link RouterTrainer#trainingSet}
 * provides. {@link #select} also reports every candidate's validation result.
 */
public final class AutoSelect implements Estimator {
  /** The name that selects it ({@code --estimator auto}). */
  public static final String NAME = "auto";

  /**
   * The estimators {@code auto} tries, in order (ties keep the earlier). Not {@code knn-weighted}:
   * it is {@code knn-shrink} with the prior switched off (strength 0, which {@code knn-shrink}'s
   * own grid holds), and as a separate candidate it let validation drop the prior that held-out
   * sources need.
   */
  public static final List<String> CANDIDATES = List.of(
      "knn", "knn-shrink", "linear", "knn-low-rank", "knn-shrink-low-rank", "linear-low-rank", "ensemble", "mlp");

  /** Validation prompts from which candidates are scored by cross-fitting rather than in-sample. */
  public static final int MIN_CROSS_FIT = 100;

  /** Seed of the validation halves. */
  private static final long HALVES_SEED = 42;

  /**
   * One candidate's validation result.
   *
   * @param validationAiq cross-fitted (the mean of the two halves' AIQ) or in-sample, see {@link Selection#crossFitted}
   * @param predictor fitted on train and the whole validation split; null for a candidate that lost
   *     a cross-fitted selection (only the winner and {@code knn} are fitted again)
   */
  public record Trial(String estimator, double validationAiq, double validationAccuracyMu0, Predictor predictor) {}

  /** All trials (in {@link #CANDIDATES} order), the winner, and whether the scores are cross-fitted. */
  public record Selection(List<Trial> trials, Trial best, boolean crossFitted) {}

  /** The winner's predictor. */
  @Override
  public Predictor fit(TrainingSet train, TrainingSet validation, Map<String, String> settings, ProgressListener progress) {
    return select(train, validation, settings, progress).best().predictor();
  }

  /**
   * Fits every candidate on {@code train} and measures its router's AIQ on the prompts of {@code
   * validation} where every model has an entry (cross-fitted on halves when there are enough);
   * both sets need their costs.
   */
  public static Selection select(TrainingSet train, TrainingSet validation, Map<String, String> settings, ProgressListener progress) {
    if (validation == null) {
      throw new CarrotException("--estimator auto compares estimators on the validation split, which is empty");
    }
    if (EvalSet.completeOf(validation, "--estimator auto") == null) {
      throw new CarrotException(
          "--estimator auto compares estimators on validation prompts where every model has an entry; there are none");
    }
    TrainingSet.Costs costs = train.requireCosts("--estimator auto");
    Map<String, ModelPrice> priceMap = new LinkedHashMap<>();
    for (int j = 0; j < train.models().size(); j++) {
      priceMap.put(train.models().get(j), costs.prices().get(j));
    }
    Scorer scorer = new Scorer(new PriceTable(priceMap), Router.costScaleFor(costs.trueCost()));
    TrainingSet[] halves = halves(validation);
    if (halves == null) {
      // families built on the same parts (KNN, empirical-Bayes KNN, ridge, MLP) fit each part once
      List<Trial> trials = SharedFits.within(() -> {
        List<Trial> out = new ArrayList<>();
        for (String name : CANDIDATES) {
          Predictor p = Estimators.get(name).fit(train, validation, settings, progress);
          double[] s = scorer.score(p, validation);
          out.add(new Trial(name, s[0], s[1], p));
        }
        return out;
      });
      return new Selection(trials, best(trials), false);
    }
    double[][] sum = new double[CANDIDATES.size()][2];
    for (int h = 0; h < 2; h++) {
      TrainingSet tune = halves[h];
      TrainingSet held = halves[1 - h];
      SharedFits.within(() -> {
        for (int c = 0; c < CANDIDATES.size(); c++) {
          double[] s = scorer.score(Estimators.get(CANDIDATES.get(c)).fit(train, tune, settings, progress), held);
          sum[c][0] += s[0] / 2;
          sum[c][1] += s[1] / 2;
        }
        return null;
      });
    }
    List<Trial> scored = new ArrayList<>();
    for (int c = 0; c < CANDIDATES.size(); c++) {
      scored.add(new Trial(CANDIDATES.get(c), sum[c][0], sum[c][1], null));
    }
    String winner = best(scored).estimator();
    List<Trial> trials = SharedFits.within(() -> {
      List<Trial> out = new ArrayList<>();
      for (Trial t : scored) {
        boolean refit = t.estimator().equals(winner) || t.estimator().equals("knn");
        out.add(refit ? new Trial(t.estimator(), t.validationAiq(), t.validationAccuracyMu0(),
            Estimators.get(t.estimator()).fit(train, validation, settings, progress)) : t);
      }
      return out;
    });
    return new Selection(trials, trials.get(CANDIDATES.indexOf(winner)), true);
  }

  /** The trial with the highest AIQ; ties keep the earlier. */
  private static Trial best(List<Trial> trials) {
    Trial best = null;
    for (Trial t : trials) {
      if (best == null || t.validationAiq() > best.validationAiq()) {
        best = t;
      }
    }
    return best;
  }

  /**
   * Two seeded halves of {@code validation}, each with complete prompts to score on, or null when
   * it has fewer than {@value #MIN_CROSS_FIT} complete prompts.
   */
  static TrainingSet[] halves(TrainingSet validation) {
    EvalSet complete = EvalSet.completeOf(validation, "--estimator auto");
    if (complete == null || complete.size() < MIN_CROSS_FIT) {
      return null;
    }
    int n = validation.size();
    int[] perm = Permutations.seeded(n, HALVES_SEED);
    int[] a = Arrays.copyOf(perm, n / 2);
    int[] b = Arrays.copyOfRange(perm, n / 2, n);
    Arrays.sort(a);
    Arrays.sort(b);
    TrainingSet[] out = {rows(validation, a), rows(validation, b)};
    for (TrainingSet half : out) {
      if (EvalSet.completeOf(half, "--estimator auto") == null) {
        return null;
      }
    }
    return out;
  }

  /** The given rows of {@code s}, costs included. */
  static TrainingSet rows(TrainingSet s, int[] rows) {
    float[][] e = new float[rows.length][];
    double[][] q = new double[rows.length][];
    double[][] t = new double[rows.length][];
    double[][] in = new double[rows.length][];
    double[][] c = new double[rows.length][];
    for (int i = 0; i < rows.length; i++) {
      e[i] = s.embeddings()[rows[i]];
      q[i] = s.quality()[rows[i]];
      t[i] = s.outputTokens()[rows[i]];
      in[i] = s.costs().inputTokens()[rows[i]];
      c[i] = s.costs().trueCost()[rows[i]];
    }
    return new TrainingSet(s.models(), e, q, t, new TrainingSet.Costs(s.costs().prices(), in, c));
  }

  /** A candidate's router on a set's complete prompts: AIQ (over the set's single models' range) and quality at mu = 0. */
  private record Scorer(PriceTable prices, double costScale) {
    double[] score(Predictor p, TrainingSet set) {
      EvalSet es = EvalSet.completeOf(set, "--estimator auto");
      RouterSweep sweep = new RouterSweep(es, p.models(), prices, costScale, p.predictAll(EvalSet.completeEmbeddings(set)));
      List<Point> singles = new ArrayList<>();
      for (int m = 0; m < es.modelCount(); m++) {
        singles.add(new Point(Double.NaN, es.meanCost(m), es.meanQuality(m)));
      }
      return new double[] {MetricFormulas.aiq(Frontier.of(sweep.frontier(200)), Anchors.of(singles)), sweep.at(0).quality()};
    }
  }
}
