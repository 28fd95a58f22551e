package io.carrot.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The {@code ./carrot} script's JDK discovery, run by bash: JAVA_HOME when it is a JDK 21+, else
 * the newest JDK 21+ under /usr/lib/jvm. {@code CARROT_PRINT_JDK} stops the script before it
 * builds or runs anything.
 */
class LauncherTest {
  static final Path SCRIPT = Path.of("..", "carrot").toAbsolutePath().normalize();
  static final Path JDK17 = Path.of("/usr/lib/jvm/java-17-openjdk-amd64");

  static String pickedJdk(String javaHome) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder("bash", SCRIPT.toString()).redirectErrorStream(true);
    pb.environment().put("JAVA_HOME", javaHome);
    pb.environment().put("CARROT_PRINT_JDK", "1");
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    return out;
  }

  static int major(Path jdk) throws IOException {
    for (String line : Files.readAllLines(jdk.resolve("release"))) {
      if (line.startsWith("JAVA_VERSION=\"")) {
        return Integer.parseInt(line.substring("JAVA_VERSION=\"".length()).split("[.\"]")[0]);
      }
    }
    throw new AssertionError("no JAVA_VERSION in " + jdk.resolve("release"));
  }

  @Test
  void aJavaHomeOf21OrNewerIsUsedAsItIs() throws Exception {
    Path running = Path.of(System.getProperty("java.home"));
    assumeTrue(Files.isExecutable(running.resolve("bin/javac")) && Files.isRegularFile(running.resolve("release")));
    assertThat(pickedJdk(running.toString())).isEqualTo(running.toString());
  }

  @Test
  void aJavaHomeOf17IsPassedOverForAJdk21OrNewer() throws Exception {
    assumeTrue(Files.isExecutable(JDK17.resolve("bin/javac")), "needs a JDK 17 at " + JDK17);
    String picked = pickedJdk(JDK17.toString());
    assertThat(picked).isNotEqualTo(JDK17.toString());
    assertThat(major(Path.of(picked))).isGreaterThanOrEqualTo(21);
    assertThat(pickedJdk("/nonexistent/jdk")).isEqualTo(picked);
  }
}
