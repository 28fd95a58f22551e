package io.carrot.bench;

import io.carrot.ann.HnswIndex;
import io.carrot.ann.HnswParameters;
import io.carrot.core.index.ExactKnnIndex;
import io.carrot.core.index.VectorIndex;
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
 * Top-32 search over a store of 384-d unit vectors: exact (dimension-major scan, auto-vectorized by
 * HotSpot) vs HNSW, against store size. Sample-time mode, so percentiles are recorded.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx6g"})
public class KnnSearchBenchmark {
  @Param({"10000", "100000"})
  public int size;

  @Param({"exact", "hnsw"})
  public String index;

  @Param("384")
  public int dimension;

  @Param("32")
  public int k;

  VectorIndex store;
  float[][] queries;
  int next;

  @Setup(Level.Trial)
  public void setUp() {
    float[][] rows = Stores.clustered(42, size, dimension);
    store = index.equals("exact") ? new ExactKnnIndex(rows) : HnswIndex.build(rows, HnswParameters.DEFAULT, n -> {});
    queries = Stores.clustered(7, 1024, dimension);
  }

  @Benchmark
  public int[] topK() {
    float[] q = queries[next++ & 1023];
    return store.topK(q, k, null);
  }
}
