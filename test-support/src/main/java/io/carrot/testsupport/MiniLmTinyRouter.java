package io.carrot.testsupport;

import io.carrot.core.data.ModelPrice;
import io.carrot.core.data.PriceTable;
import io.carrot.core.embed.Embedder;
import io.carrot.core.io.RouterFile;
import io.carrot.core.predict.TrainingSet;
import io.carrot.core.predict.knn.KnnTrainer;
import io.carrot.core.route.Provenance;
import io.carrot.core.route.Router;
import io.carrot.embed.Embedders;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A router trained in the test on real MiniLM embeddings of eight prompts: on the four maths
 * prompts only gpt-4o is right, on the four chat prompts both models are. So maths goes to gpt-4o
 * at a moderate mu and chat goes to the cheaper gpt-4o-mini.
 *
 * <p>Needs {@code carrot-embed} on the class path (it comes with {@code carrot-api}); the
 * MiniLM model is loaded through {@code Embedders.create("minilm")}.
 */
public final class MiniLmTinyRouter {
  /** The strong model, right on every prompt. */
  public static final String STRONG = "gpt-4o-2024-08-06";
  /** The cheap model, right on the chat prompts only. */
  public static final String CHEAP = "gpt-4o-mini-2024-07-18";

  private MiniLmTinyRouter() {}

  /** Trains the router and saves it as {@code tiny.carrot} in {@code dir}; returns the file. */
  public static Path save(Path dir) {
    List<String> math = List.of("What is 17 * 23?", "Solve x^2 = 16 for x", "What is the integral of 2x dx?", "What is the square root of 144?");
    List<String> chat = List.of("Write a haiku about spring", "Say hello to my grandmother", "Suggest a name for a cat", "Tell me a joke about dogs");
    try (Embedder embedder = Embedders.create("minilm")) {
      float[][] x = embedder.embed(Stream.concat(math.stream(), chat.stream()).toList());
      double[][] quality = new double[8][];
      double[][] tokens = new double[8][];
      for (int i = 0; i < 8; i++) {
        quality[i] = i < 4 ? new double[] {1, 0} : new double[] {1, 1};
        tokens[i] = i < 4 ? new double[] {200, 150} : new double[] {100, 100};
      }
      PriceTable prices =
          new PriceTable(Map.of(STRONG, new ModelPrice(2.5, 10, "list price"), CHEAP, new ModelPrice(0.15, 0.6, "list price")));
      Provenance provenance =
          new Provenance("tiny", "none", 8, embedder.id(), "cl100k_base", 42, "example", "2025-01-01T00:00:00Z", Map.of());
      Router router =
          new Router(
              KnnTrainer.fixed(3).fit(new TrainingSet(List.of(STRONG, CHEAP), x, quality, tokens), i -> {}),
              prices,
              500,
              provenance);
      Path file = dir.resolve("tiny.carrot");
      RouterFile.save(router, file);
      return file;
    }
  }
}
