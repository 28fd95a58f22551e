package example.library;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.carrot.api.CarrotRouter;
import io.carrot.testsupport.MiniLmTinyRouter;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LibraryExampleTest {
  @TempDir Path dir;

  private static String runMain(String... args) {
    PrintStream original = System.out;
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
    try {
      LibraryExample.main(args);
    } finally {
      System.setOut(original);
    }
    return buffer.toString(StandardCharsets.UTF_8);
  }

  @Test
  void routesMathsToTheStrongModelAndChatToTheCheapOne() {
    String out = runMain(MiniLmTinyRouter.save(dir).toString());
    assertThat(out)
        .contains("What is the value of i^i? -> " + MiniLmTinyRouter.STRONG + "\n")
        .contains("Write a two-line poem about the sea -> " + MiniLmTinyRouter.CHEAP + "\n")
        .contains("Solve 3x + 7 = 22 for x -> " + MiniLmTinyRouter.STRONG + "\n");
    // both candidates are listed with their predictions, the chosen one first
    assertThat(out.lines().skip(1).limit(2)).satisfiesExactly(
        first -> assertThat(first).startsWith("  " + MiniLmTinyRouter.STRONG),
        second -> assertThat(second).startsWith("  " + MiniLmTinyRouter.CHEAP));
  }

  @Test
  void routesWithTheShippedDefaultRouter() {
    assumeTrue(CarrotRouter.hasDefault(), "the default router is not in this build of carrot-api");
    String out = runMain();
    try (CarrotRouter router = CarrotRouter.loadDefault()) {
      String chosen = out.lines().findFirst().orElseThrow().replace("What is the value of i^i? -> ", "");
      assertThat(router.models()).contains(chosen);
    }
  }
}
