package io.carrot.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SparkCommandTest {
  @TempDir Path tmp;

  @Test
  void findsTheBuiltJobAndItsRecordedClasspath() throws Exception {
    Path target = Files.createDirectories(tmp.resolve("spark/target"));
    Files.writeString(target.resolve("carrot-spark-0.1.0-SNAPSHOT.jar"), "");
    Files.writeString(target.resolve("carrot-spark-0.1.0-SNAPSHOT-job.jar"), "");
    Files.writeString(target.resolve("carrot-spark-0.1.0-SNAPSHOT-javadoc.jar"), "");
    Files.writeString(target.resolve("carrot-spark-0.1.0-SNAPSHOT-sources.jar"), "");
    Files.writeString(target.resolve("spark-classpath.txt"), "/m2/a.jar:/m2/b.jar\n");
    assertThat(SparkCommand.classpath(tmp))
        .isEqualTo(target.resolve("carrot-spark-0.1.0-SNAPSHOT.jar") + java.io.File.pathSeparator + "/m2/a.jar:/m2/b.jar");
  }

  @Test
  void anUnbuiltTreeGetsTheBuildCommand() {
    assertThatThrownBy(() -> SparkCommand.classpath(tmp))
        .hasMessageContaining("the Spark jobs are not built under")
        .hasMessageContaining("run './carrot spark --help' there (the launcher builds them)");
  }

  @Test
  void sparkLogsAtWarnUnlessAskedForAnotherLevel() {
    assertThat(SparkCommand.logFlags(null))
        .containsExactly("-Dlog4j2.configurationFile=io/carrot/spark/log4j2-local.properties", "-Dcarrot.spark.logLevel=WARN");
    assertThat(SparkCommand.logFlags(" info ")).contains("-Dcarrot.spark.logLevel=INFO");
    assertThatThrownBy(() -> SparkCommand.logFlags("chatty"))
        .hasMessage("CARROT_SPARK_LOG_LEVEL must be one of OFF, ERROR, WARN, INFO, DEBUG, TRACE, got 'chatty'");
  }

  @Test
  void onlyLocalMastersArePinnedToLoopback() {
    assertThat(SparkCommand.localMaster(List.of("route", "--mu", "0.1"))).isTrue();
    assertThat(SparkCommand.localMaster(List.of("route", "--master", "local[2]"))).isTrue();
    assertThat(SparkCommand.localMaster(List.of("route", "--master=spark://h:7077"))).isFalse();
    assertThat(SparkCommand.localMaster(List.of("route", "--master", "yarn"))).isFalse();
  }
}
