package io.carrot.bench;

import io.carrot.ann.HnswIndex;
import io.carrot.ann.HnswParameters;
import io.carrot.core.curve.EvalSet;
import io.carrot.core.curve.RouterSweep;
import io.carrot.core.curve.SingleModels;
import io.carrot.core.data.Dataset;
import io.carrot.core.data.DatasetReader;
import io.carrot.core.data.PromptRecord;
import io.carrot.core.data.Split;
import io.carrot.core.files.CsvTable;
import io.carrot.core.files.FloatArrays;
import io.carrot.core.index.VectorIndex;
import io.carrot.core.io.RouterFile;
import io.carrot.core.io.VectorEncoding;
import io.carrot.core.metrics.Anchors;
import io.carrot.core.metrics.MetricFormulas;
import io.carrot.core.metrics.Point;
import io.carrot.core.metrics.RouterMetrics;
import io.carrot.core.predict.knn.KnnPredictor;
import io.carrot.core.predict.knn.KnnTrainer;
import io.carrot.core.route.Router;
import io.carrot.core.train.RouterTrainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The effect of approximate search and compact embedding storage on routing quality: trains
 * CARROT-KNN (k by 5-fold CV) on a shipped dataset's train split with precomputed embeddings, then
 * evaluates on test with exact search over float32 (the reference), HNSW (default and a deliberately
 * weak graph), and stores decoded from float16 and int8 router files. Usage: {@code QualityProbe
 * <dataset dir> <embeddings.f32> <out.csv>}.
 */
public final class QualityProbe {
  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    Dataset data = DatasetReader.read(dir);
    FloatArrays.Matrix m = FloatArrays.readMatrix(Path.of(args[1]));
    Map<String, float[]> byId = new HashMap<>();
    for (int i = 0; i < m.ids().size(); i++) {
      byId.put(m.ids().get(i), m.rows()[i]);
    }
    List<PromptRecord> train = data.requireRows(Split.TRAIN);
    List<PromptRecord> test = data.requireRows(Split.TEST);
    float[][] trainE = train.stream().map(p -> byId.get(p.id())).toArray(float[][]::new);
    float[][] testE = test.stream().map(p -> byId.get(p.id())).toArray(float[][]::new);
    Router exact = RouterTrainer.train(data, train, trainE, KnnTrainer.auto(), "all-minilm-l6-v2/head-tail-256", "cl100k_base", Map.of(), x -> {});
    KnnPredictor knn = (KnnPredictor) exact.predictor();
    int k = knn.k();
    Map<String, Router> variants = new LinkedHashMap<>();
    Map<String, Long> sizes = new LinkedHashMap<>();
    variants.put("exact-f32", exact);
    Path tmp = Files.createTempDirectory("quality-probe");
    for (VectorEncoding e : VectorEncoding.values()) {
      Path f = tmp.resolve(e.id() + ".carrot");
      RouterFile.save(exact, f, e);
      sizes.put(e == VectorEncoding.F32 ? "exact-f32" : "exact-" + e.id(), Files.size(f));
      if (e != VectorEncoding.F32) {
        variants.put("exact-" + e.id(), RouterFile.load(f));
      }
    }
    variants.put("hnsw-default", new Router(knn.withIndex(HnswIndex.build(trainE, HnswParameters.DEFAULT, x -> {})), exact.prices(), exact.costScale(), exact.provenance()));
    variants.put("hnsw-weak(M=4,beam=8,ef=k)", new Router(knn.withIndex(HnswIndex.build(trainE, new HnswParameters(4, 8, 1, 42), x -> {})), exact.prices(), exact.costScale(), exact.provenance()));
    EvalSet set = EvalSet.of(data, test);
    Anchors anchors = Anchors.of(SingleModels.points(set, null));
    RouterSweep ref = new RouterSweep(set, exact, exact.predictor().predictAll(testE));
    CsvTable csv = new CsvTable("dataset", "variant", "k", "recall_at_k", "accuracy_mu0", "auc", "aiq", "output_token_mae",
        "agree_mu0", "agree_mu0.05", "agree_mu0.2", "file_bytes");
    for (var v : variants.entrySet()) {
      Router r = v.getValue();
      RouterSweep sweep = new RouterSweep(set, r, r.predictor().predictAll(testE));
      List<Point> pts = sweep.frontier(1000);
      RouterMetrics rm = RouterMetrics.of(pts, anchors, pts.get(0).quality());
      VectorIndex idx = ((KnnPredictor) r.predictor()).index();
      double recall = recall(idx, knn.index(), testE, k);
      List<String> agree = new ArrayList<>();
      for (double mu : new double[] {0, 0.05, 0.2}) {
        int[] a = ref.choices(mu);
        int[] b = sweep.choices(mu);
        int same = 0;
        for (int i = 0; i < a.length; i++) {
          same += a[i] == b[i] ? 1 : 0;
        }
        agree.add(String.format(Locale.ROOT, "%.4f", (double) same / a.length));
      }
      csv.row(data.name(), v.getKey(), k, f4(recall), f4(pts.get(0).quality()), f4(MetricFormulas.normalizedAuc(pts)), f4(rm.aiq()),
          String.format(Locale.ROOT, "%.1f", sweep.outputTokenMae()), agree.get(0), agree.get(1), agree.get(2),
          sizes.containsKey(v.getKey()) ? sizes.get(v.getKey()).toString() : "");
    }
    csv.write(Path.of(args[2]));
    System.out.print(csv);
  }

  private static String f4(double x) {
    return String.format(Locale.ROOT, "%.4f", x);
  }

  /** Mean share of the exact top-k of a query that the index returns (the store's own vectors as queries are excluded by using test prompts). */
  static double recall(VectorIndex index, VectorIndex exact, float[][] queries, int k) {
    long hit = 0;
    long total = 0;
    for (float[] q : queries) {
      int[] want = exact.topK(q, k, null);
      int[] got = index.topK(q, k, null);
      java.util.Set<Integer> w = new java.util.HashSet<>();
      for (int x : want) {
        w.add(x);
      }
      for (int g : got) {
        hit += w.contains(g) ? 1 : 0;
      }
      total += want.length;
    }
    return (double) hit / total;
  }
}
