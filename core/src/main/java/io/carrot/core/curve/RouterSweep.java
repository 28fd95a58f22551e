package io.carrot.core.curve;

import io.carrot.core.data.ModelPrice;
import io.carrot.core.data.PriceTable;
import io.carrot.core.metrics.MetricFormulas;
import io.carrot.core.metrics.Point;
import io.carrot.core.predict.Prediction;
import io.carrot.core.route.QualityFloor;
import io.carrot.core.route.Router;
import java.util.ArrayList;
import java.util.List;

/**
 * Evaluates the CARROT rule on an evaluation set: predictions are made once, then {@code mu} is
 * swept, each value giving the realized mean true cost and quality of the chosen models.
 */
public final class RouterSweep {
  private final EvalSet set;
  private final List<String> names;
  private final double costScale;
  private final double[][] predQuality;
  private final double[][] predCost;
  private final double[][] predTokens;

  /**
   * @param predictions one per prompt of {@code set}, in the router's model order, which must be
   *     the set's model order
   */
  public RouterSweep(EvalSet set, Router router, Prediction[] predictions) {
    this(set, router.models(), router.prices(), router.costScale(), predictions);
  }

  /**
   * The sweep of a router that is not built yet: its predictor's {@code models}, the prices and
   * the cost scale it will have.
   */
  public RouterSweep(EvalSet set, List<String> models, PriceTable priceTable, double costScale, Prediction[] predictions) {
    if (!models.equals(set.models())) {
      throw new io.carrot.core.CarrotException(
          "the router was trained on models " + models + " but the dataset has " + set.models());
    }
    this.set = set;
    this.names = set.models();
    this.costScale = costScale;
    int n = set.size();
    int m = set.modelCount();
    ModelPrice[] prices = names.stream().map(priceTable::price).toArray(ModelPrice[]::new);
    predQuality = new double[n][];
    predTokens = new double[n][];
    predCost = new double[n][m];
    for (int i = 0; i < n; i++) {
      predQuality[i] = predictions[i].quality();
      predTokens[i] = predictions[i].outputTokens();
      for (int j = 0; j < m; j++) {
        predCost[i][j] = prices[j].cost(predictions[i].inputTokens(j, set.inputTokens()[i][j]), predTokens[i][j]);
      }
    }
  }

  /** The model chosen for each prompt at {@code mu}. */
  public int[] choices(double mu) {
    int[] out = new int[set.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = Router.argmax(mu, predQuality[i], predCost[i], costScale, names, null);
    }
    return out;
  }

  /**
   * The model chosen for each prompt under a quality floor ({@link QualityFloor}: the cheapest
   * predicted to reach it, else the best predicted).
   */
  public int[] floorChoices(double floor) {
    int[] out = new int[set.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = QualityFloor.choose(floor, predQuality[i], predCost[i], names);
    }
    return out;
  }

  /** The predicted quality of {@code model} on prompt {@code prompt}. */
  public double predictedQuality(int prompt, int model) {
    return predQuality[prompt][model];
  }

  /** Realized mean cost and quality at {@code mu}. */
  public Point at(double mu) {
    int[] ch = choices(mu);
    double q = 0;
    double c = 0;
    for (int i = 0; i < ch.length; i++) {
      q += set.quality()[i][ch[i]];
      c += set.cost()[i][ch[i]];
    }
    return new Point(mu, c / ch.length, q / ch.length);
  }

  /** Points for {@code steps + 1} evenly spaced mu values in [0, 1]. */
  public List<Point> frontier(int steps) {
    List<Point> pts = new ArrayList<>(steps + 1);
    for (int s = 0; s <= steps; s++) {
      pts.add(at((double) s / steps));
    }
    return pts;
  }

  /** Mean absolute error of predicted output tokens over every prompt and model. */
  public double outputTokenMae() {
    return MetricFormulas.meanAbsoluteError(predTokens, set.outputTokens());
  }
}
