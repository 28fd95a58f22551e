package io.carrot.ann;

import io.carrot.core.CarrotException;
import io.carrot.core.predict.VectorIndex;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.IntConsumer;
import org.apache.lucene.codecs.hnsw.DefaultFlatVectorScorer;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.TopKnnCollector;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.hnsw.HnswGraphBuilder;
import org.apache.lucene.util.hnsw.HnswGraphSearcher;
import org.apache.lucene.util.hnsw.RandomVectorScorer;
import org.apache.lucene.util.hnsw.RandomVectorScorerSupplier;

/**
 * Approximate maximum-inner-product search over unit vectors with an HNSW graph.
 *
 * <p>The graph is searched for {@code max(k, efSearch)} candidates, which are then rescored with
 * the same float dot product (same summation order) as {@link io.carrot.core.predict.ExactKnnIndex}
 * and cut to {@code k}, best first, ties to the lower index: whatever the graph finds is ranked
 * exactly as exact search would rank it, so recall is the only difference. Immutable and
 * thread-safe.
 */
public final class HnswIndex implements VectorIndex {
  public static final String KIND = "hnsw";
  private static final VectorSimilarityFunction SIM = VectorSimilarityFunction.DOT_PRODUCT;

  private final float[][] rows;
  private final int dimension;
  private final HnswParameters parameters;
  private final FrozenGraph graph;
  private final FloatVectorValues values;

  private HnswIndex(float[][] rows, int dimension, HnswParameters parameters, FrozenGraph graph, FloatVectorValues values) {
    this.rows = rows;
    this.dimension = dimension;
    this.parameters = parameters;
    this.graph = graph;
    this.values = values;
  }

  /**
   * Builds the graph over {@code rows} (kept, not copied), one insertion at a time, so the graph is
   * reproducible for a given seed. {@code progress} receives the number of rows inserted.
   */
  public static HnswIndex build(float[][] rows, HnswParameters parameters, IntConsumer progress) {
    if (rows.length == 0) {
      throw new CarrotException("cannot build an hnsw index over an empty store");
    }
    int d = rows[0].length;
    for (int j = 0; j < rows.length; j++) {
      if (rows[j].length != d) {
        throw new CarrotException("hnsw store row " + j + " has dimension " + rows[j].length + ", expected " + d);
      }
    }
    try {
      FloatVectorValues values = FloatVectorValues.fromFloats(Arrays.asList(rows), d);
      RandomVectorScorerSupplier supplier = DefaultFlatVectorScorer.INSTANCE.getRandomVectorScorerSupplier(SIM, values);
      HnswGraphBuilder builder = HnswGraphBuilder.create(supplier, parameters.maxConn(), parameters.beamWidth(), parameters.seed(), rows.length);
      for (int i = 0; i < rows.length; i++) {
        builder.addGraphNode(i);
        if ((i & 4095) == 4095) {
          progress.accept(i + 1);
        }
      }
      FrozenGraph graph = FrozenGraph.of(builder.getCompletedGraph());
      progress.accept(rows.length);
      return new HnswIndex(rows, d, parameters, graph, values);
    } catch (IOException e) {
      throw new UncheckedIOException("in-memory hnsw build failed", e);
    }
  }

  /** The same graph searched with another {@code efSearch} (recall vs latency). */
  public HnswIndex withEfSearch(int efSearch) {
    return new HnswIndex(rows, dimension, parameters.withEfSearch(efSearch), graph, values);
  }

  public HnswParameters hnswParameters() {
    return parameters;
  }

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public Map<String, Object> parameters() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("hnsw_max_conn", parameters.maxConn());
    m.put("hnsw_beam_width", parameters.beamWidth());
    m.put("hnsw_ef_search", parameters.efSearch());
    return m;
  }

  @Override
  public int size() {
    return rows.length;
  }

  @Override
  public int dimension() {
    return dimension;
  }

  @Override
  public float[] row(int j) {
    return rows[j].clone();
  }

  @Override
  public int[] topK(float[] q, int k, boolean[] excluded) {
    if (q.length != dimension) {
      throw new IllegalArgumentException("query has dimension " + q.length + ", the index " + dimension);
    }
    if (k < 1) {
      return new int[0];
    }
    int ef = Math.max(k, parameters.efSearch());
    TopDocs found;
    try {
      RandomVectorScorer scorer = DefaultFlatVectorScorer.INSTANCE.getRandomVectorScorer(SIM, values, q);
      TopKnnCollector collector = new TopKnnCollector(ef, Integer.MAX_VALUE);
      Bits accept = excluded == null ? null : new Accept(excluded);
      HnswGraphSearcher.search(scorer, collector, graph.view(), accept);
      found = collector.topDocs();
    } catch (IOException e) {
      throw new UncheckedIOException("in-memory hnsw search failed", e);
    }
    ScoreDoc[] docs = found.scoreDocs;
    int m = docs.length;
    float[] score = new float[m];
    Integer[] order = new Integer[m];
    for (int i = 0; i < m; i++) {
      score[i] = dot(q, rows[docs[i].doc]);
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> {
      int c = Float.compare(score[b], score[a]);
      return c != 0 ? c : Integer.compare(docs[a].doc, docs[b].doc);
    });
    int out = Math.min(k, m);
    int[] result = new int[out];
    for (int i = 0; i < out; i++) {
      result[i] = docs[order[i]].doc;
    }
    return result;
  }

  /** Same arithmetic as ExactKnnIndex: one float accumulator, dimensions in order. */
  static float dot(float[] q, float[] x) {
    float acc = 0;
    for (int i = 0; i < q.length; i++) {
      acc += q[i] * x[i];
    }
    return acc;
  }

  private record Accept(boolean[] excluded) implements Bits {
    @Override
    public boolean get(int index) {
      return !excluded[index];
    }

    @Override
    public int length() {
      return excluded.length;
    }
  }
}
