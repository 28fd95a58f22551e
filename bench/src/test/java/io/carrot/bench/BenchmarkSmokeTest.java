package io.carrot.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.carrot.core.index.ExactKnnIndex;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs each benchmark's code path once on tiny inputs (no JMH, no timing). */
class BenchmarkSmokeTest {
  @TempDir Path tmp;

  @Test
  void knnSearchBenchmarkSearchesBothIndices() {
    for (String kind : List.of("exact", "hnsw")) {
      KnnSearchBenchmark b = new KnnSearchBenchmark();
      b.size = 500;
      b.index = kind;
      b.dimension = 16;
      b.k = 8;
      b.setUp();
      assertThat(b.store.kind()).isEqualTo(kind);
      int[] got = b.topK();
      assertThat(got).hasSize(8).doesNotHaveDuplicates();
      // HNSW finds the exact nearest row of a query on this small store
      assertThat(got[0]).isEqualTo(new ExactKnnIndex(Stores.clustered(42, 500, 16)).topK(b.queries[0], 1, null)[0]);
    }
  }

  @Test
  void decisionBenchmarkDecidesOverEveryModel() {
    DecisionBenchmark b = new DecisionBenchmark();
    b.models = 11;
    b.store = 300;
    b.setUp();
    assertThat(b.decide().candidates()).hasSize(11);
    assertThat(b.route().candidates()).hasSize(11);
  }

  @Test
  void runnerWritesCsvAndPlotsFromResults() throws Exception {
    List<BenchRunner.Row> rows =
        List.of(
            new BenchRunner.Row("KnnSearchBenchmark.topK", Map.of("index", "exact", "size", "10000"), "sample", 900, 5, "us/op", 850, 1000, 1200),
            new BenchRunner.Row("KnnSearchBenchmark.topK", Map.of("index", "exact", "size", "100000"), "sample", 9000, 50, "us/op", 8500, 10000, 12000),
            new BenchRunner.Row("DecisionBenchmark.decide", Map.of("models", "2"), "sample", 0.5, 0.1, "us/op", 0.4, 0.6, 1.0));
    Files.writeString(tmp.resolve("scale-1m.csv"), "store_rows,index,metric,value,unit\n1000000,hnsw,decision_p50_ms,0.9,ms\n");
    BenchRunner.writeCsv(tmp.resolve("results.csv"), rows);
    BenchRunner.plots(tmp, rows);
    assertThat(Files.readAllLines(tmp.resolve("results.csv")))
        .element(1)
        .isEqualTo("KnnSearchBenchmark.topK,index=exact;size=10000,sample,900.0000,5.0000,us/op,850.0000,1000.0000,1200.0000");
    assertThat(tmp.resolve("knn-search-vs-store-size.png")).isNotEmptyFile();
    assertThat(tmp.resolve("decision-vs-models.png")).isNotEmptyFile();
    assertThat(BenchRunner.toMillis(850, "us/op")).isEqualTo(0.85);
    assertThat(BenchRunner.readCsv(tmp.resolve("results.csv"))).isEqualTo(rows);
  }

  @Test
  void theRunnerTakesPicocliOptionsAndRefusesUnknownOnes() {
    BenchRunner r = new BenchRunner();
    new picocli.CommandLine(r).parseArgs("--quick", "--sizes", "10,20", "--out", tmp.toString(), "--only", "X.*");
    assertThat(r.quick).isTrue();
    assertThat(r.sizes).isEqualTo("10,20");
    assertThat(r.out).isEqualTo(tmp);
    assertThat(r.only).isEqualTo("X.*");
    BenchRunner defaults = new BenchRunner();
    new picocli.CommandLine(defaults).parseArgs();
    assertThat(defaults.sizes).isEqualTo("10000,30000,100000,300000");
    assertThat(defaults.only).isEqualTo(BenchRunner.ALL);
    java.io.StringWriter err = new java.io.StringWriter();
    picocli.CommandLine cl = new picocli.CommandLine(new BenchRunner()).setErr(new java.io.PrintWriter(err));
    assertThat(cl.execute("--bogus")).isEqualTo(2);
    assertThat(err.toString()).contains("Unknown option: '--bogus'");
  }
}
