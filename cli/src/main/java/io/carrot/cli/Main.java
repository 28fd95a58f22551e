package io.carrot.cli;

import io.carrot.core.CarrotException;
import io.carrot.core.Version;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code carrot} command: one class per subcommand. */
@Command(
    name = "carrot",
    mixinStandardHelpOptions = true,
    versionProvider = Main.VersionProvider.class,
    description = "A cost-aware LLM router (CARROT): predict each model's quality and cost, pick the best trade-off.",
    subcommands = {
      RouteCommand.class,
      TrainCommand.class,
      SupportCommand.class,
      EvalCommand.class,
      EmbedCommand.class,
      BenchCommand.class,
      SparkCommand.class,
      CollectCommand.class,
      ImportCommand.class,
      ExportCommand.class,
      ServeCommand.class,
      LogCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {
  /**
   * Lucene announces on stderr (java.util.logging, INFO) that it found the Vector API, which the
   * launcher always adds; a CLI user has no use for the line. Held here: JUL keeps loggers weakly.
   */
  private static final java.util.logging.Logger LUCENE_VECTORIZATION =
      java.util.logging.Logger.getLogger("org.apache.lucene.internal.vectorization");

  static {
    LUCENE_VECTORIZATION.setLevel(java.util.logging.Level.WARNING);
  }

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  public static void main(String[] args) {
    System.exit(execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
  }

  /** Runs the CLI with the given streams; returns the exit code. Used by tests. */
  public static int execute(PrintWriter out, PrintWriter err, String... args) {
    CommandLine cl = new CommandLine(new Main());
    cl.setOut(out);
    cl.setErr(err);
    // read from the shipped router only when the help is shown
    cl.getSubcommands().get("route").getHelpSectionMap().put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_FOOTER,
        help -> RouteCommand.coverage());
    cl.setExecutionExceptionHandler(
        (ex, commandLine, parseResult) -> {
          Throwable root = ex;
          while (!(root instanceof CarrotException) && root.getCause() != null) {
            root = root.getCause();
          }
          if (root instanceof CarrotException) {
            err.println("carrot: error: " + oneLine(root.getMessage()));
            return 1;
          }
          err.println("carrot: internal error: " + oneLine(String.valueOf(ex)));
          if (System.getenv("CARROT_DEBUG") != null) {
            ex.printStackTrace(err);
          } else {
            err.println("(set CARROT_DEBUG=1 for the stack trace)");
          }
          return 3;
        });
    cl.setParameterExceptionHandler(
        (ex, strings) -> {
          err.println("carrot: " + ex.getMessage());
          err.println("Run '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help' for usage.");
          return 2;
        });
    int code = cl.execute(args);
    out.flush();
    err.flush();
    return code;
  }

  /**
   * An error message on one line: Jackson appends the parse position on a line of its own ("at
   * [Source: REDACTED ...; line: 1, column: 9]") to every message that quotes one of its errors,
   * and a few library messages span lines. The line and column are kept; the rest is joined.
   */
  static String oneLine(String message) {
    if (message == null) {
      return "";
    }
    String m = message.replaceAll("\\s*\\bat \\[Source: [^;\\]]*(?:; (line: \\d+, column: \\d+))?[^\\]]*\\]", " ($1)");
    m = m.replace(" ()", "");
    return m.replaceAll("\\s*\\R\\s*", " ").strip();
  }

  static final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"carrot " + Version.CURRENT};
    }
  }
}
