package io.carrot.bench;

import io.carrot.ann.HnswIndex;
import io.carrot.ann.HnswParameters;
import io.carrot.core.data.ModelPrice;
import io.carrot.core.data.PriceTable;
import io.carrot.core.files.CsvTable;
import io.carrot.core.index.ExactKnnIndex;
import io.carrot.core.index.VectorIndex;
import io.carrot.core.predict.knn.KnnPredictor;
import io.carrot.core.route.Provenance;
import io.carrot.core.route.RouteOptions;
import io.carrot.core.route.Router;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * One-shot measurement of a large store: builds exact and HNSW indices over {@code n} synthetic
 * 384-d rows, then times single routing decisions (embedding given: KNN search + averaging + the
 * rule over 11 models) one query at a time, and reports p50/p90/p99, HNSW build time and recall@32.
 * A plain loop rather than JMH because one HNSW build over 1M rows takes minutes and JMH would
 * repeat it per fork. Usage: {@code ScaleProbe <n> <out.csv> [queries]}.
 */
public final class ScaleProbe {
  public static void main(String[] args) {
    int n = Integer.parseInt(args[0]);
    Path out = Path.of(args[1]);
    int queries = args.length > 2 ? Integer.parseInt(args[2]) : 2000;
    int d = 384;
    int m = 11;
    int k = 32;
    long t0 = System.nanoTime();
    float[][] rows = Stores.clustered(42, n, d);
    float[][] qs = Stores.clustered(7, queries, d);
    System.err.printf(Locale.ROOT, "store %d x %d generated in %.1f s%n", n, d, secs(t0));
    float[] quality = new float[n * m];
    float[] tokens = new float[n * m];
    Random r = new Random(1);
    for (int i = 0; i < quality.length; i++) {
      quality[i] = r.nextInt(2);
      tokens[i] = r.nextInt(800);
    }
    CsvTable csv = new CsvTable("store_rows", "index", "metric", "value", "unit");
    t0 = System.nanoTime();
    long start = t0;
    long[] last = {t0};
    int threads = Integer.getInteger("carrot.hnsw.buildThreads", Runtime.getRuntime().availableProcessors());
    System.err.printf(Locale.ROOT, "building hnsw with %d threads%n", threads);
    HnswIndex hnsw =
        HnswIndex.build(rows, HnswParameters.DEFAULT, threads, done -> {
          if (System.nanoTime() - last[0] > 30e9) {
            last[0] = System.nanoTime();
            System.err.printf(Locale.ROOT, "hnsw: %d / %d rows after %.0f s%n", done, n, secs(start));
          }
        });
    double build = secs(t0);
    System.err.printf(Locale.ROOT, "hnsw built in %.1f s%n", build);
    row(csv, n, "hnsw", "build_seconds", build, "s");
    row(csv, n, "hnsw", "build_threads", threads, "");
    ExactKnnIndex exact = new ExactKnnIndex(rows);
    rows = null; // the exact index holds its own transposed copy; HNSW keeps the row arrays
    int exactQueries = Math.min(queries, n >= 500_000 ? 100 : 500);
    List<VectorIndex> indices = new java.util.ArrayList<>();
    List<String> labels = new java.util.ArrayList<>();
    for (int ef : new int[] {100, 200, 400}) {
      HnswIndex h = hnsw.withEfSearch(ef);
      String label = "hnsw-ef" + ef;
      row(csv, n, label, "recall_at_32", recall(h, exact, qs, k, Math.min(200, queries)), "");
      indices.add(h);
      labels.add(label);
    }
    indices.add(exact);
    labels.add("exact");
    for (int x = 0; x < indices.size(); x++) {
      VectorIndex index = indices.get(x);
      String label = labels.get(x);
      Router router = router(index, quality, tokens, m, k);
      int count = index == exact ? exactQueries : queries;
      double[] lat = new double[count];
      for (int w = 0; w < Math.min(count, 50); w++) {
        router.route(qs[w], 300, RouteOptions.mu(0.1));
      }
      for (int i = 0; i < count; i++) {
        long s = System.nanoTime();
        router.route(qs[i], 300, RouteOptions.mu(0.1));
        lat[i] = (System.nanoTime() - s) / 1e6;
      }
      Arrays.sort(lat);
      for (double p : new double[] {0.5, 0.9, 0.99}) {
        row(csv, n, label, "decision_p" + (int) Math.round(p * 100) + "_ms", lat[(int) Math.min(count - 1, Math.floor(p * count))], "ms");
      }
      System.err.printf(Locale.ROOT, "%s: decision p50 %.3f ms over %d queries%n", label, lat[count / 2], count);
    }
    csv.write(out);
    System.out.print(csv);
  }

  static double recall(VectorIndex approx, ExactKnnIndex exact, float[][] qs, int k, int count) {
    long hit = 0;
    long total = 0;
    for (int i = 0; i < count; i++) {
      int[] want = exact.topK(qs[i], k, null);
      int[] got = approx.topK(qs[i], k, null);
      for (int g : got) {
        for (int w : want) {
          if (g == w) {
            hit++;
            break;
          }
        }
      }
      total += want.length;
    }
    return (double) hit / total;
  }

  static Router router(VectorIndex index, float[] quality, float[] tokens, int m, int k) {
    List<String> models = new java.util.ArrayList<>();
    Map<String, ModelPrice> prices = new LinkedHashMap<>();
    for (int j = 0; j < m; j++) {
      String name = "model-" + j;
      models.add(name);
      prices.put(name, new ModelPrice(0.1 * (j + 1), 0.4 * (j + 1), "synthetic"));
    }
    KnnPredictor p = new KnnPredictor(models, index, quality, tokens, k, Map.of());
    Provenance prov = new Provenance("synthetic", "", index.size(), "synthetic", "none", 42, "bench", "1970-01-01T00:00:00Z", Map.of());
    return new Router(p, new PriceTable(prices), 100, prov);
  }

  private static double secs(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }

  private static void row(CsvTable csv, int n, String index, String metric, double v, String unit) {
    csv.row(n, index, metric, String.format(Locale.ROOT, "%.6g", v), unit);
  }
}
