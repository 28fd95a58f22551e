package io.carrot.server;

import io.carrot.api.CarrotRouter;
import io.carrot.core.data.ModelPrice;
import io.carrot.core.data.PriceTable;
import io.carrot.core.predict.Predictor;
import io.carrot.core.predict.TrainingSet;
import io.carrot.core.predict.knn.KnnTrainer;
import io.carrot.core.route.BudgetCurve;
import io.carrot.core.route.Provenance;
import io.carrot.core.route.Router;
import io.carrot.embed.Cl100kTokenCounter;
import io.carrot.server.bench.HashEmbedder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A tiny router whose predictions are the same for every prompt, so decisions can be computed by
 * hand: every training prompt has quality strong 0.875, mid 0.75, cheap 0.5 and 100 output tokens
 * (values exact in float, so KNN averages reproduce them exactly).
 *
 * <p>Prices (USD per million tokens, in / out): strong 10 / 40, mid 2 / 8, cheap 0.5 / 1. Cost
 * scale s = 100. With T input tokens: cost_strong = (10 T + 4000) / 1e6, cost_mid = (2 T + 800) / 1e6,
 * cost_cheap = (0.5 T + 100) / 1e6.
 */
final class TestRouters {
  static final List<String> MODELS = List.of("strong", "mid", "cheap");
  static final double[] QUALITY = {0.875, 0.75, 0.5};
  static final double OUT_TOKENS = 100;
  static final double COST_SCALE = 100;

  private TestRouters() {}

  static PriceTable prices() {
    Map<String, ModelPrice> m = new LinkedHashMap<>();
    m.put("strong", new ModelPrice(10, 40, "test"));
    m.put("mid", new ModelPrice(2, 8, "test"));
    m.put("cheap", new ModelPrice(0.5, 1, "test"));
    return new PriceTable(m);
  }

  static CarrotRouter tiny() {
    return tiny(null);
  }

  /** The tiny router with {@code curve} as its budget curve (null: none). */
  static CarrotRouter tiny(BudgetCurve curve) {
    HashEmbedder embedder = new HashEmbedder(8);
    TrainingSet ts = trainingSet();
    Predictor p = KnnTrainer.fixed(4).fit(ts, x -> {});
    Provenance prov = new Provenance("tiny", "0", ts.size(), embedder.id(), "cl100k_base", 42, "test", "2026-01-01T00:00:00Z", Map.of());
    return CarrotRouter.of(new Router(p, prices(), COST_SCALE, prov, curve), embedder, new Cl100kTokenCounter());
  }

  /** The tiny router's training set: 40 seeded random 8-d unit vectors with the fixed outcomes above. */
  static TrainingSet trainingSet() {
    int n = 40;
    int d = 8;
    Random rnd = new Random(42);
    float[][] e = new float[n][d];
    double[][] q = new double[n][];
    double[][] t = new double[n][];
    for (int i = 0; i < n; i++) {
      double norm = 0;
      for (int j = 0; j < d; j++) {
        e[i][j] = (float) rnd.nextGaussian();
        norm += e[i][j] * e[i][j];
      }
      for (int j = 0; j < d; j++) {
        e[i][j] /= (float) Math.sqrt(norm);
      }
      q[i] = QUALITY.clone();
      t[i] = new double[] {OUT_TOKENS, OUT_TOKENS, OUT_TOKENS};
    }
    return new TrainingSet(MODELS, e, q, t);
  }

  /** Predicted cost of a model for T input tokens (hand formula above). */
  static double cost(String model, double inputTokens) {
    ModelPrice p = prices().price(model);
    return (inputTokens * p.inputPerMtok() + OUT_TOKENS * p.outputPerMtok()) / 1e6;
  }
}
