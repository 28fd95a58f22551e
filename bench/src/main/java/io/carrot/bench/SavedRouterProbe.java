package io.carrot.bench;

import io.carrot.ann.HnswIndex;
import io.carrot.ann.HnswParameters;
import io.carrot.core.io.RouterFile;
import io.carrot.core.io.VectorEncoding;
import io.carrot.core.predict.knn.KnnPredictor;
import io.carrot.core.route.RouteOptions;
import io.carrot.core.route.Router;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * A large router as users get it: {@code save <n> <file>} builds an HNSW KNN router over {@code n}
 * synthetic 384-d rows (11 models) and saves it with float16 embeddings and the graph; {@code
 * measure <file> <label>} loads it (no rebuild) and prints the load time and decision
 * percentiles as CSV rows, so the same router can be timed in JVMs with different flags.
 */
public final class SavedRouterProbe {
  public static void main(String[] args) throws Exception {
    if (args[0].equals("save")) {
      int n = Integer.parseInt(args[1]);
      Path file = Path.of(args[2]);
      int m = 11;
      float[][] rows = Stores.clustered(42, n, 384);
      float[] quality = new float[n * m];
      float[] tokens = new float[n * m];
      Random r = new Random(1);
      for (int i = 0; i < quality.length; i++) {
        quality[i] = r.nextInt(2);
        tokens[i] = r.nextInt(800);
      }
      long t0 = System.nanoTime();
      HnswIndex h = HnswIndex.build(rows, HnswParameters.DEFAULT, Runtime.getRuntime().availableProcessors(), x -> {});
      double build = (System.nanoTime() - t0) / 1e9;
      Router router = ScaleProbe.router(h, quality, tokens, m, 32);
      t0 = System.nanoTime();
      RouterFile.save(router, file, VectorEncoding.F16);
      System.out.printf(Locale.ROOT, "%d,hnsw,build_seconds,%.1f,s%n%d,hnsw-f16-file,save_seconds,%.1f,s%n%d,hnsw-f16-file,file_bytes,%d,B%n",
          n, build, n, (System.nanoTime() - t0) / 1e9, n, Files.size(file));
      return;
    }
    Path file = Path.of(args[1]);
    String label = args[2];
    long t0 = System.nanoTime();
    Router router = RouterFile.load(file);
    double load = (System.nanoTime() - t0) / 1e9;
    int n = ((KnnPredictor) router.predictor()).index().size();
    String kind = ((KnnPredictor) router.predictor()).index().kind();
    float[][] qs = Stores.clustered(7, 2000, 384);
    for (int i = 0; i < 100; i++) {
      router.route(qs[i], 300, RouteOptions.mu(0.1));
    }
    double[] lat = new double[qs.length];
    for (int i = 0; i < qs.length; i++) {
      long s = System.nanoTime();
      router.route(qs[i], 300, RouteOptions.mu(0.1));
      lat[i] = (System.nanoTime() - s) / 1e6;
    }
    Arrays.sort(lat);
    System.out.printf(Locale.ROOT, "%d,%s,load_seconds,%.1f,s%n", n, label, load);
    for (double p : new double[] {0.5, 0.9, 0.99}) {
      System.out.printf(Locale.ROOT, "%d,%s,decision_p%d_ms,%.4f,ms%n", n, label, (int) Math.round(p * 100), lat[(int) Math.floor(p * lat.length)]);
    }
    System.err.println("index: " + kind);
  }
}
