package io.carrot.cli;

import io.carrot.core.CarrotException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/**
 * {@code carrot spark route|eval|synth ...}: runs the Spark jobs of the carrot-spark module in a
 * child JVM on {@code local[*]} (or {@code --master}). Spark and Hadoop are a few hundred
 * megabytes of jars, so they stay off the CLI's own classpath: the child JVM gets the spark
 * module's jar and the classpath its build recorded in {@code spark/target/spark-classpath.txt}.
 * On a cluster, submit {@code spark/target/carrot-spark-<version>-job.jar} with spark-submit.
 */
@Command(
    name = "spark",
    description = {
      "Batch routing and evaluation on Apache Spark (local[*] by default); run 'carrot spark --help' for the jobs.",
      "The ./carrot launcher builds the jobs on first use; Spark logs at WARN unless CARROT_SPARK_LOG_LEVEL says otherwise (e.g. INFO)."
    })
final class SparkCommand implements Callable<Integer> {
  static final String MAIN = "io.carrot.spark.SparkMain";
  /** In the spark module's jar; named so that log4j2 never picks it up by itself (e.g. on a cluster). */
  static final String LOG_CONFIG = "io/carrot/spark/log4j2-local.properties";
  static final String LOG_LEVEL_PROPERTY = "carrot.spark.logLevel";

  /** Spark 4 reflects into these JDK packages (the list Spark's own launcher passes). */
  static final List<String> JVM_FLAGS =
      List.of(
          "-XX:+IgnoreUnrecognizedVMOptions",
          "--add-opens=java.base/java.lang=ALL-UNNAMED",
          "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
          "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
          "--add-opens=java.base/java.io=ALL-UNNAMED",
          "--add-opens=java.base/java.net=ALL-UNNAMED",
          "--add-opens=java.base/java.nio=ALL-UNNAMED",
          "--add-opens=java.base/java.util=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
          "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED",
          "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
          "--add-opens=java.base/sun.nio.cs=ALL-UNNAMED",
          "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED",
          "--enable-native-access=ALL-UNNAMED",
          "-Djdk.reflect.useDirectMethodHandle=false",
          // Spark's Platform uses sun.misc.Unsafe, which JDK 24+ reports on stderr; as a property
          // (the form of --sun-misc-unsafe-memory-access=allow that JDK 21 ignores instead of failing)
          "-Dsun.misc.unsafe.memory.access=allow",
          "-Dio.netty.tryReflectionSetAccessible=true");

  @Unmatched List<String> args = new ArrayList<>();

  @Override
  public Integer call() throws IOException, InterruptedException {
    String classpath = classpath(projectRoot());
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(JVM_FLAGS);
    cmd.addAll(logFlags(System.getenv("CARROT_SPARK_LOG_LEVEL")));
    String extra = System.getenv("CARROT_SPARK_JAVA_OPTS");
    if (extra != null && !extra.isBlank()) {
      cmd.addAll(List.of(extra.trim().split("\\s+")));
    }
    cmd.add("-cp");
    cmd.add(classpath);
    cmd.add(MAIN);
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd).inheritIO();
    if (localMaster(args) && System.getenv("SPARK_LOCAL_IP") == null) {
      // a local run needs no network beyond loopback
      pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    }
    return pb.start().waitFor();
  }

  /**
   * Spark's own INFO logging (about 40 lines a job) would bury the job's output: WARN unless
   * {@code level} (CARROT_SPARK_LOG_LEVEL) asks for another level. Placed before
   * CARROT_SPARK_JAVA_OPTS, so a {@code -Dlog4j2.configurationFile} there still wins.
   */
  static List<String> logFlags(String level) {
    String l = level == null || level.isBlank() ? "WARN" : level.trim().toUpperCase(java.util.Locale.ROOT);
    if (!List.of("OFF", "FATAL", "ERROR", "WARN", "INFO", "DEBUG", "TRACE", "ALL").contains(l)) {
      throw new CarrotException("CARROT_SPARK_LOG_LEVEL must be one of OFF, ERROR, WARN, INFO, DEBUG, TRACE, got '" + level + "'");
    }
    return List.of("-Dlog4j2.configurationFile=" + LOG_CONFIG, "-D" + LOG_LEVEL_PROPERTY + "=" + l);
  }

  static boolean localMaster(List<String> args) {
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      if (a.equals("--master") && i + 1 < args.size()) {
        return args.get(i + 1).startsWith("local");
      }
      if (a.startsWith("--master=")) {
        return a.substring("--master=".length()).startsWith("local");
      }
    }
    return true;
  }

  /** The source tree the running CLI jar was built in ({@code <root>/cli/target/carrot-cli.jar}). */
  static Path projectRoot() {
    String env = System.getenv("CARROT_HOME");
    if (env != null && !env.isBlank()) {
      return Path.of(env);
    }
    try {
      Path jar = Path.of(SparkCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      Path target = jar.getParent();
      return target != null && target.getParent() != null && target.getParent().getParent() != null
          ? target.getParent().getParent()
          : Path.of(".");
    } catch (java.net.URISyntaxException | SecurityException e) {
      return Path.of(".");
    }
  }

  /** The spark module's jar and its recorded dependency classpath, or a clear error. */
  static String classpath(Path root) throws IOException {
    Path target = root.resolve("spark").resolve("target");
    Path cpFile = target.resolve("spark-classpath.txt");
    Path jar = null;
    if (Files.isDirectory(target)) {
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(target, "carrot-spark-*.jar")) {
        for (Path p : ds) {
          String n = p.getFileName().toString();
          if (!n.matches(".*-(job|sources|javadoc|tests)\\.jar")) {
            jar = p;
          }
        }
      }
    }
    if (jar == null || !Files.isRegularFile(cpFile)) {
      throw new CarrotException(
          "the Spark jobs are not built under " + root.toAbsolutePath().normalize() + " (no spark/target/carrot-spark-*.jar and spark-classpath.txt); "
              + "run './carrot spark --help' there (the launcher builds them), set CARROT_HOME to the carrot source tree, "
              + "or submit spark/target/carrot-spark-<version>-job.jar with spark-submit (docs/SPARK.md)");
    }
    return jar + java.io.File.pathSeparator + Files.readString(cpFile).trim();
  }
}
