package io.carrot.testsupport;

import io.carrot.core.cost.TokenCounter;
import io.carrot.core.data.ModelPrice;
import io.carrot.core.data.PriceTable;
import io.carrot.core.embed.Embedder;
import io.carrot.core.predict.TrainingSet;
import io.carrot.core.predict.knn.KnnTrainer;
import io.carrot.core.route.BudgetCurve;
import io.carrot.core.route.Provenance;
import io.carrot.core.route.Router;
import java.util.List;
import java.util.Map;

/**
 * A router whose answers can be worked out by hand. Two clusters of training prompts in 2-d:
 * "math" at (1, 0), where {@code strong} is right (quality 1, 100 output tokens) and {@code cheap}
 * is wrong (quality 0, 50 tokens), and "chat" at (0, 1), where both are right with 100 tokens. k = 1.
 * Prices per Mtok: strong 10 in / 30 out, cheap 0.1 in / 0.4 out; cost scale 1000 / 3.
 *
 * <p>The fake embedder sends a prompt containing "math" to (1, 0), anything else to (0, 1); the
 * token counter counts words. So for the 2-word "math: 2+2" strong costs 3.02e-3 USD, cheap
 * 2.02e-5 USD, and strong wins exactly when mu &lt; 0.50002.
 */
public final class TinyRouter {
  /** The cost scale s of the rule. */
  public static final double COST_SCALE = 1000.0 / 3;

  private TinyRouter() {}

  /** The router (no support section, no budget curve). */
  public static Router router() {
    float[][] x = {{1, 0}, {1, 0}, {0, 1}, {0, 1}};
    double[][] q = {{1, 0}, {1, 0}, {1, 1}, {1, 1}};
    double[][] t = {{100, 50}, {100, 50}, {100, 100}, {100, 100}};
    List<String> models = List.of("strong", "cheap");
    PriceTable prices =
        new PriceTable(Map.of("strong", new ModelPrice(10, 30, "test"), "cheap", new ModelPrice(0.1, 0.4, "test")));
    Provenance prov = new Provenance("tiny", "0", 4, "fake-2d", "words", 42, "test", "2025-01-01T00:00:00Z", Map.of());
    return new Router(KnnTrainer.fixed(1).fit(new TrainingSet(models, x, q, t), i -> {}), prices, COST_SCALE, prov);
  }

  /**
   * With a budget curve for math traffic: strong (3.02e-3 USD) at mu = 0, cheap (2.02e-5) at 0.6.
   * A budget of 1.52 per 1000 then sends a share 1.5 / 2.9998 = 0.50003 of prompts, those whose
   * hash is below it, to mu = 0.6. SHA-256 hashes: "math: 2+2" 0.903, "math: 3+3" 0.622, "math: 4+4"
   * 0.219, "math: 6+6" 0.450.
   */
  public static Router routerWithCurve() {
    return router().withBudgetCurve(new BudgetCurve(new double[] {0, 0.6}, new double[] {3.02e-3, 2.02e-5}));
  }

  /** Sends a text containing "math" to (1, 0), anything else to (0, 1). */
  public static class FakeEmbedder implements Embedder {
    @Override
    public String id() {
      return "fake-2d";
    }

    @Override
    public int dimension() {
      return 2;
    }

    @Override
    public float[][] embed(List<String> texts) {
      float[][] out = new float[texts.size()][];
      for (int i = 0; i < texts.size(); i++) {
        out[i] = texts.get(i).contains("math") ? new float[] {1, 0} : new float[] {0, 1};
      }
      return out;
    }
  }

  /** Counts whitespace-separated words. */
  public static final class WordCounter implements TokenCounter {
    @Override
    public String id() {
      return "words";
    }

    @Override
    public int count(String text) {
      return text.isBlank() ? 0 : text.trim().split("\\s+").length;
    }
  }
}
