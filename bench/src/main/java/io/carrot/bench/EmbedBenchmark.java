package io.carrot.bench;

import io.carrot.api.CarrotRouter;
import io.carrot.core.cost.TokenCounter;
import io.carrot.core.data.DatasetReader;
import io.carrot.core.data.PromptRecord;
import io.carrot.core.data.Split;
import io.carrot.core.embed.Embedder;
import io.carrot.core.index.ExactKnnIndex;
import io.carrot.core.route.Decision;
import io.carrot.core.route.Router;
import io.carrot.embed.Cl100kTokenCounter;
import io.carrot.embed.Embedders;
import java.nio.file.Path;
import java.util.List;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The in-process embedder (all-MiniLM-L6-v2, ONNX Runtime) on real prompts from a shipped dataset:
 * one prompt, a batch of 32, and an end-to-end route (count tokens, embed, KNN over a 10k store, 11
 * models, decide). Prompts cycle through 512 distinct ones and no cache is used.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 4, time = 3)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class EmbedBenchmark {
  @Param("minilm")
  public String embedder;

  /** A dataset directory, relative to where the benchmark runs (the project root). */
  @Param("data/mmlu_pro")
  public String data;

  Embedder e;
  CarrotRouter router;
  List<String> prompts;
  int next;

  @Setup(Level.Trial)
  public void setUp() {
    List<PromptRecord> rows = DatasetReader.read(Path.of(data)).rows(Split.TEST);
    prompts = rows.subList(0, Math.min(512, rows.size())).stream().map(PromptRecord::prompt).toList();
    e = Embedders.create(embedder);
    int n = 10_000;
    int m = 11;
    float[] q = new float[n * m];
    float[] t = new float[n * m];
    Random r = new Random(1);
    for (int i = 0; i < q.length; i++) {
      q[i] = r.nextInt(2);
      t[i] = r.nextInt(800);
    }
    Router rt = ScaleProbe.router(new ExactKnnIndex(Stores.clustered(42, n, e.dimension())), q, t, m, 32);
    TokenCounter tc = new Cl100kTokenCounter();
    router = CarrotRouter.of(rt, e, tc);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    e.close();
  }

  @Benchmark
  public float[] embedOne() {
    return e.embed(prompts.get(next++ & 511));
  }

  /** Throughput in prompts per second = 32 / this time. */
  @Benchmark
  public float[][] embedBatch32() {
    int from = (next += 32) & 511;
    return e.embed(prompts.subList(from, Math.min(512, from + 32)));
  }

  @Benchmark
  public Decision routeEndToEnd() {
    return router.route(prompts.get(next++ & 511), 0.1);
  }
}
