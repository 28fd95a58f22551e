package io.carrot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.carrot.core.files.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI end to end on a tiny dataset whose right answers are known, with the real embedder. */
class CliTest {
  @TempDir static Path tmp;
  static Path data;

  static final String[] MATH = {
    "What is 17 times 23?", "Solve for x: 3x + 5 = 20.", "What is the derivative of x^3?",
    "Compute the integral of 2x from 0 to 3.", "Is 91 a prime number?", "What is the square root of 144?",
    "Simplify (x^2 - 1)/(x - 1).", "What is 15% of 240?", "Find the sum of the first 10 odd numbers.",
    "What is the value of 2 to the power 10?", "Solve the equation x^2 = 49.", "What is 1001 divided by 7?"
  };
  static final String[] HISTORY = {
    "Who was the first emperor of Rome?", "In which year did the Berlin Wall fall?", "What caused the First World War?",
    "Who wrote the Magna Carta and why?", "When did the French Revolution begin?", "Who was Napoleon Bonaparte?",
    "What was the Ming dynasty known for?", "Why did the Roman Empire decline?", "Who led the Mongol conquests?",
    "What was the Cold War?", "When did the Ottoman Empire end?", "Who was Queen Victoria?"
  };

  record Run(int code, String out, String err) {}

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.execute(new PrintWriter(out), new PrintWriter(err), args);
    return new Run(code, out.toString(), err.toString());
  }

  /** mathbot is right on math, histbot on history, big on everything but costs 100x. */
  @BeforeAll
  static void writeDataset() throws IOException {
    data = tmp.resolve("tiny");
    Files.createDirectories(data);
    Files.writeString(data.resolve("models.json"), """
        {"big": {"input_per_mtok": 10, "output_per_mtok": 30},
         "mathbot": {"input_per_mtok": 0.1, "output_per_mtok": 0.3},
         "histbot": {"input_per_mtok": 0.1, "output_per_mtok": 0.3}}""");
    List<String> lines = new ArrayList<>();
    List<String> train = new ArrayList<>();
    List<String> validation = new ArrayList<>();
    List<String> test = new ArrayList<>();
    for (int i = 0; i < MATH.length * 2; i++) {
      boolean math = i % 2 == 0;
      String prompt = math ? MATH[i / 2] : HISTORY[i / 2];
      String id = (math ? "m" : "h") + (i / 2);
      lines.add(Json.COMPACT.writeValueAsString(java.util.Map.of(
          "id", id, "prompt", prompt, "source", math ? "math" : "history",
          "scores", java.util.Map.of("big", 1, "mathbot", math ? 1 : 0, "histbot", math ? 0 : 1),
          "input_tokens", java.util.Map.of("big", 10, "mathbot", 10, "histbot", 10),
          "output_tokens", java.util.Map.of("big", 100, "mathbot", math ? 100 : 300, "histbot", math ? 300 : 100))));
      (i / 2 < 8 ? train : i / 2 < 10 ? validation : test).add(id);
    }
    Files.write(data.resolve("prompts.jsonl"), lines);
    Files.writeString(data.resolve("split.json"),
        Json.COMPACT.writeValueAsString(java.util.Map.of("train", train, "validation", validation, "test", test)));
  }

  @Test
  void stripBoilerplateIsRecordedAndFollowedBySupport() throws IOException {
    Path router = tmp.resolve("stripped.carrot");
    Run train = run("train", "--data", data.toString(), "--embedder", "fast", "--estimator", "knn", "--k", "3", "--strip-boilerplate",
        "--out", router.toString());
    assertThat(train.code()).as(train.err()).isZero();
    assertThat(io.carrot.core.io.RouterFile.load(router).provenance().extra())
        .containsEntry("prompts", io.carrot.core.data.Boilerplate.PROVENANCE);
    // support recomputes the section from the prompts as trained: stripped again without being told
    Run support = run("support", "--router", router.toString(), "--data", data.toString(), "--embedder", "fast", "--out",
        tmp.resolve("s2.carrot").toString());
    assertThat(support.code()).as(support.err()).isZero();
  }

  @Test
  void embedTrainEvalRouteEndToEnd() throws IOException {
    Path f32 = tmp.resolve("tiny.f32");
    Run embed = run("embed", "--data", data.toString(), "--embedder", "minilm-q:head-128", "--out", f32.toString());
    assertThat(embed.code()).as(embed.err()).isZero();
    assertThat(Files.size(f32)).isEqualTo(24L * 384 * 4);
    assertThat(Files.readAllLines(tmp.resolve("tiny.f32.ids"))).hasSize(24).startsWith("m0", "h0");

    Path router = tmp.resolve("tiny.carrot");
    Run train = run("train", "--data", data.toString(), "--embeddings", f32.toString(),
        "--embedder", "minilm-q:head-128", "--k", "3", "--out", router.toString());
    assertThat(train.code()).as(train.err()).isZero();
    // the default estimator is auto: every candidate separates the specialists on validation (AIQ 1), the first one wins the tie
    assertThat(train.out()).contains("  knn                  validation AIQ 1.0000, accuracy at mu = 0 1.0000  <- chosen")
        .contains("  knn-shrink-low-rank  validation AIQ 1.0000")
        .contains("trained auto (chose knn) on 16 prompts x 3 models of tiny (k = 3, embedder all-minilm-l6-v2-q/head-128)");
    // training on train + validation leaves nothing to choose on: the default falls back to the paper's KNN, saying so
    Run pooled = run("train", "--data", data.toString(), "--embeddings", f32.toString(), "--embedder", "minilm-q:head-128",
        "--k", "3", "--splits", "train+validation", "--out", tmp.resolve("pooled.carrot").toString());
    assertThat(pooled.code()).as(pooled.err()).isZero();
    assertThat(pooled.err()).contains("note: no validation prompts to compare estimators on, so this trains the paper's CARROT-KNN (--estimator knn)");
    assertThat(pooled.out()).contains("trained knn on 20 prompts x 3 models of tiny (k = 3,");
    Run pooledAuto = run("train", "--data", data.toString(), "--embeddings", f32.toString(), "--embedder", "minilm-q:head-128",
        "--estimator", "auto", "--splits", "train+validation", "--out", tmp.resolve("pooled2.carrot").toString());
    assertThat(pooledAuto.code()).isEqualTo(1);
    assertThat(pooledAuto.err().strip())
        .isEqualTo("carrot: error: --splits train+validation leaves no validation prompts for --estimator auto; use --splits train");

    Run eval = run("eval", "--data", data.toString(), "--router", router.toString(), "--embeddings", f32.toString(),
        "--frontier", tmp.resolve("frontier.csv").toString(), "--mu-grid", "10");
    assertThat(eval.code()).as(eval.err()).isZero();
    // test prompts: 2 math, 2 history; the router sends each to its specialist: perfect and cheap
    assertThat(eval.out()).contains("carrot-knn at mu = 0                 1.0000");
    assertThat(eval.out()).contains("oracle                               1.0000");
    List<String> csv = Files.readAllLines(tmp.resolve("frontier.csv"));
    assertThat(csv.get(0)).isEqualTo("router,mu,mean_cost_usd,mean_quality");
    assertThat(csv.stream().filter(l -> l.startsWith("carrot-knn,"))).hasSize(11)
        .allSatisfy(l -> {
          String[] f = l.split(",");
          assertThat(Double.parseDouble(f[2])).isCloseTo(3.1e-5, org.assertj.core.data.Offset.offset(1e-12));
          assertThat(Double.parseDouble(f[3])).isEqualTo(1.0);
        });

    Run route = run("route", "--router", router.toString(), "--json", "What is 12 times 12?", "Who was Julius Caesar?");
    assertThat(route.code()).as(route.err()).isZero();
    String[] lines = route.out().strip().split("\n");
    JsonNode math = Json.MAPPER.readTree(lines[0]);
    JsonNode hist = Json.MAPPER.readTree(lines[1]);
    assertThat(math.get("model").asText()).isEqualTo("mathbot");
    assertThat(hist.get("model").asText()).isEqualTo("histbot");
    assertThat(math.get("mu").asDouble()).isZero();
    JsonNode c = math.get("candidates");
    assertThat(c).hasSize(3);
    assertThat(c.get(0).get("model").asText()).isEqualTo("mathbot");
    assertThat(c.get(0).get("quality").asDouble()).isEqualTo(1.0);
    assertThat(c.get(0).get("output_tokens").asDouble()).isEqualTo(100.0);
    // scores are sorted best first
    assertThat(c.get(0).get("score").asDouble()).isGreaterThanOrEqualTo(c.get(1).get("score").asDouble());
    assertThat(c.get(1).get("score").asDouble()).isGreaterThanOrEqualTo(c.get(2).get("score").asDouble());
    // input tokens counted with cl100k: cost = (in * 0.1 + 100 * 0.3) / 1e6
    long in = math.get("input_tokens").asLong();
    assertThat(in).isEqualTo(8); // What| is| |12| times| |12|? (js-tiktoken agrees)
    assertThat(c.get(0).get("cost_usd").asDouble()).isCloseTo((in * 0.1 + 100 * 0.3) / 1e6, org.assertj.core.data.Offset.offset(1e-15));

    Run plain = run("route", "--router", router.toString(), "--models", "big,histbot", "What is 12 times 12?");
    assertThat(plain.out().strip()).isEqualTo("big");

    // knobs: a denied specialist leaves big (quality 1) ahead of histbot (quality 0) at mu = 0
    assertThat(run("route", "--router", router.toString(), "--deny", "mathbot", "What is 12 times 12?").out().strip()).isEqualTo("big");
    // a quality floor nobody but the specialist and big reach: the cheaper of them
    assertThat(run("route", "--router", router.toString(), "--min-quality", "0.9", "What is 12 times 12?").out().strip()).isEqualTo("mathbot");
    // a cost ceiling below every model keeps only the cheapest (mathbot and histbot cost the same; name decides)
    assertThat(run("route", "--router", router.toString(), "--max-cost-usd", "1e-9", "Who was Julius Caesar?").out().strip()).isEqualTo("histbot");
    // the stored validation spend curve: the specialists are cheapest at every mu, so any budget maps to mu = 0
    JsonNode b = Json.MAPPER.readTree(run("route", "--router", router.toString(), "--budget", "1000", "--json", "What is 12 times 12?").out());
    assertThat(b.get("mu").asDouble()).isZero();
    assertThat(b.get("model").asText()).isEqualTo("mathbot");
    Run badBudget = run("route", "--router", router.toString(), "--budget", "-1", "x");
    assertThat(badBudget.err().strip()).isEqualTo("carrot: error: --budget must be a spend in USD per 1000 requests > 0, got -1.0");
    Run badFloor = run("route", "--router", router.toString(), "--min-quality", "1.5", "x");
    assertThat(badFloor.err().strip()).isEqualTo("carrot: error: --min-quality must be a predicted quality in [0, 1], got 1.5");
    assertThat(run("route", "--router", router.toString(), "--max-cost-usd", "-2", "x").err().strip())
        .isEqualTo("carrot: error: --max-cost-usd must be a cost in USD > 0, got -2.0");
    Run unknownAllowed = run("route", "--router", router.toString(), "--models", "big,gpt-9", "x");
    assertThat(unknownAllowed.code()).isEqualTo(1);
    assertThat(unknownAllowed.err().strip()).startsWith("carrot: error: unknown model 'gpt-9' in the allow list; the router knows [");
  }

  @Test
  void aConcatenatedFeatureSetIsRecordedInTheRouterAndRecreatedToRoute() throws IOException {
    Path f32 = tmp.resolve("concat.f32");
    Run embed = run("embed", "--data", data.toString(), "--embedder", "concat:fast+features", "--out", f32.toString());
    assertThat(embed.code()).as(embed.err()).isZero();
    assertThat(Files.size(f32)).isEqualTo(24L * (256 + 14) * 4);
    Path router = tmp.resolve("concat.carrot");
    Run train = run("train", "--data", data.toString(), "--embeddings", f32.toString(),
        "--embedder", "concat:fast+features", "--estimator", "knn", "--k", "1", "--out", router.toString());
    assertThat(train.code()).as(train.err()).isZero();
    assertThat(train.out()).contains("embedder concat(static-minilm-256+features-v1)");
    // training prompts: with k = 1 each is its own neighbour when route recreates the same embedder from the file
    Run route = run("route", "--router", router.toString(), MATH[0], HISTORY[0]);
    assertThat(route.code()).as(route.err()).isZero();
    assertThat(route.out().strip().split("\n")).containsExactly("mathbot", "histbot");
    Run bad = run("embed", "--data", data.toString(), "--embedder", "concat:fast", "--out", tmp.resolve("c.f32").toString());
    assertThat(bad.code()).isEqualTo(1);
    assertThat(bad.err().strip()).startsWith("carrot: error: embedder: 'concat:fast' is not a valid concatenation (it has one part)")
        .doesNotContain("Exception").doesNotContain("\n");
  }

  @Test
  void badInputIsOneClearLineAndNonZeroExit() {
    Run mu = run("route", "--mu", "1.5", "--router", tmp.resolve("nope.carrot").toString(), "x");
    assertThat(mu.code()).isEqualTo(1);
    assertThat(mu.err().strip()).isEqualTo("carrot: error: --mu must be in [0, 1], got 1.5");

    Run missing = run("train", "--data", tmp.resolve("missing").toString(), "--out", tmp.resolve("x.carrot").toString());
    assertThat(missing.code()).isEqualTo(1);
    assertThat(missing.err()).startsWith("carrot: error: dataset folder").contains("does not exist").doesNotContain("Exception");

    Run unknown = run("route", "--frob");
    assertThat(unknown.code()).isEqualTo(2);
    assertThat(unknown.err()).contains("Unknown option: '--frob'").contains("carrot route --help");

    Run badK = run("train", "--data", data.toString(), "--out", tmp.resolve("x.carrot").toString(), "--k", "many");
    assertThat(badK.err().strip()).isEqualTo("carrot: error: k must be 'auto' or a whole number >= 1, got 'many'");

    Run badModel = run("eval", "--data", data.toString(), "--models", "big,gpt-9");
    assertThat(badModel.err().strip()).isEqualTo("carrot: error: dataset 'tiny' has no model 'gpt-9'; it has [big, mathbot, histbot]");

    Run badEmbedder = run("embed", "--data", data.toString(), "--embedder", "word2vec", "--out", tmp.resolve("e.f32").toString());
    assertThat(badEmbedder.code()).isEqualTo(1);
    assertThat(badEmbedder.err()).startsWith("carrot: error: embedder: 'word2vec' is not a known embedder name");
  }
}
