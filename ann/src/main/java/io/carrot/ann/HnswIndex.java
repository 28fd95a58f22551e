package io.carrot.ann;

import io.carrot.core.CarrotException;
import io.carrot.core.index.VectorIndex;
import io.carrot.core.linalg.VectorMath;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.IntConsumer;
import org.apache.lucene.codecs.hnsw.DefaultFlatVectorScorer;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TaskExecutor;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.TopKnnCollector;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.hnsw.HnswConcurrentMergeBuilder;
import org.apache.lucene.util.hnsw.HnswGraphBuilder;
import org.apache.lucene.util.hnsw.HnswGraphSearcher;
import org.apache.lucene.util.hnsw.OnHeapHnswGraph;
import org.apache.lucene.util.hnsw.RandomVectorScorer;
import org.apache.lucene.util.hnsw.RandomVectorScorerSupplier;

/**
 * Approximate maximum-inner-product search over unit vectors with an HNSW graph.
 *
 * <p>The graph is searched for {@code max(k, efSearch)} candidates, which are then rescored with
 * the same float dot product (same summation order) as {@link io.carrot.core.index.ExactKnnIndex}
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
    return build(rows, parameters, 1, progress);
  }

  /**
   * Builds the graph with {@code threads} workers (Lucene's concurrent builder) when more than one:
   * faster, but the graph then depends on thread timing, so searches are not reproducible across
   * builds. Progress is only reported at the end of a concurrent build.
   */
  public static HnswIndex build(float[][] rows, HnswParameters parameters, int threads, IntConsumer progress) {
    if (rows.length == 0) {
      throw new CarrotException("cannot build an hnsw index over an empty store");
    }
    if (threads < 1) {
      throw new CarrotException("hnsw build threads must be >= 1, got " + threads);
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
      OnHeapHnswGraph graph;
      if (threads > 1) {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
          // the empty, pre-sized graph comes from the single-threaded builder: its constructor is not public
          graph =
              new HnswConcurrentMergeBuilder(
                      new TaskExecutor(pool), threads, supplier, parameters.maxConn(), parameters.beamWidth(), builder.getGraph(), null)
                  .build(rows.length);
        } finally {
          pool.shutdown();
        }
      } else {
        for (int i = 0; i < rows.length; i++) {
          builder.addGraphNode(i);
          if ((i & 4095) == 4095) {
            progress.accept(i + 1);
          }
        }
        graph = builder.getCompletedGraph();
      }
      FrozenGraph frozen = FrozenGraph.of(graph);
      progress.accept(rows.length);
      return new HnswIndex(rows, d, parameters, frozen, values);
    } catch (IOException e) {
      throw new UncheckedIOException("in-memory hnsw build failed", e);
    }
  }

  /** The graph and parameters as bytes (the rows are not included). */
  public byte[] encode() {
    byte[] g = graph.encode();
    ByteBuffer b = ByteBuffer.allocate(4 * 4 + 8 + g.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(dimension).putInt(parameters.maxConn()).putInt(parameters.beamWidth()).putInt(parameters.efSearch()).putLong(parameters.seed());
    b.put(g);
    return b.array();
  }

  /**
   * Restores an index from {@link #encode()}'s bytes over the rows it was built on. The efSearch
   * in force is the system property {@code carrot.hnsw.efSearch} when set, else the stored one.
   */
  public static HnswIndex decode(float[][] rows, byte[] bytes) {
    if (bytes.length < 24) {
      throw new CarrotException("router file: knn/index.hnsw is truncated (" + bytes.length + " bytes)");
    }
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    int d = b.getInt();
    if (rows.length == 0 || rows[0].length != d) {
      throw new CarrotException("router file: the hnsw graph was built on " + d + "-d rows, the store has " + (rows.length == 0 ? 0 : rows[0].length));
    }
    HnswParameters stored = new HnswParameters(b.getInt(), b.getInt(), b.getInt(), b.getLong());
    String ef = System.getProperty("carrot.hnsw.efSearch");
    HnswParameters p = ef == null || ef.isBlank() ? stored : stored.withEfSearch(HnswParameters.fromSystemProperties().efSearch());
    byte[] g = java.util.Arrays.copyOfRange(bytes, b.position(), bytes.length);
    return new HnswIndex(rows, d, p, FrozenGraph.decode(g, rows.length), FloatVectorValues.fromFloats(Arrays.asList(rows), d));
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
      throw new CarrotException("query has dimension " + q.length + ", the index " + dimension);
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
      score[i] = VectorMath.dot(q, rows[docs[i].doc]); // the exact scan's arithmetic, so both rank alike
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
