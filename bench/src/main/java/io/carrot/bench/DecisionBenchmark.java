package io.carrot.bench;

import io.carrot.core.index.ExactKnnIndex;
import io.carrot.core.predict.Prediction;
import io.carrot.core.route.Decision;
import io.carrot.core.route.RouteOptions;
import io.carrot.core.route.Router;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The routing decision against model count: {@code decide} is the rule alone (cost per model,
 * score, sort); {@code route} adds the KNN prediction over a 10k-row exact store (search plus
 * averaging k rows of M targets), i.e. everything after the embedding.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class DecisionBenchmark {
  @Param({"2", "11", "32", "128"})
  public int models;

  @Param("10000")
  public int store;

  Router router;
  float[][] queries;
  Prediction[] predictions;
  int next;

  @Setup(Level.Trial)
  public void setUp() {
    int d = 384;
    int m = models;
    float[] quality = new float[store * m];
    float[] tokens = new float[store * m];
    Random r = new Random(1);
    for (int i = 0; i < quality.length; i++) {
      quality[i] = r.nextInt(2);
      tokens[i] = r.nextInt(800);
    }
    router = ScaleProbe.router(new ExactKnnIndex(Stores.clustered(42, store, d)), quality, tokens, m, 32);
    queries = Stores.clustered(7, 256, d);
    predictions = router.predictor().predictAll(queries);
  }

  @Benchmark
  public Decision decide() {
    int i = next++ & 255;
    return router.decide(predictions[i], 300, RouteOptions.mu(0.1));
  }

  @Benchmark
  public Decision route() {
    int i = next++ & 255;
    return router.route(queries[i], 300, RouteOptions.mu(0.1));
  }
}
