package io.carrot.cli;

import io.carrot.core.CarrotException;
import io.carrot.server.ServerConfig;
import io.carrot.server.log.DecisionLog;
import io.carrot.server.log.LogExport;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "log",
    mixinStandardHelpOptions = true,
    description = "Work with the decision log of 'carrot serve'.",
    subcommands = {LogCommand.Export.class})
final class LogCommand implements Runnable {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Where the log is: the server's config, or a database directly. */
  static final class Source {
    @Option(names = "--config", paramLabel = "FILE", description = "The server config; its log.url is read.")
    Path config;

    @Option(names = "--db", paramLabel = "URL|FILE", description = "A JDBC URL (jdbc:sqlite:... or jdbc:postgresql://...) or a SQLite file.")
    String db;
  }

  @Command(
      name = "export",
      mixinStandardHelpOptions = true,
      description = {
        "Turn graded requests (POST /v1/feedback) into a routing dataset in carrot's format "
            + "(prompts.jsonl.gz, models.json, split.json, README.md), to retrain a router on its own traffic.",
        "By default only prompts graded for every exported model are kept (what 'carrot train' reads)."
      })
  static final class Export implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = "--user", paramLabel = "NAME", description = "Database user (with --db).")
    String user;

    @Option(names = "--password-env", paramLabel = "VAR", description = "Environment variable holding the database password (with --db).")
    String passwordEnv;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Dataset folder to write.")
    Path out;

    @Option(names = "--since", paramLabel = "YYYY-MM-DD", description = "Only requests on or after this UTC day.")
    String since;

    @Option(names = "--models", split = ",", paramLabel = "a,b,...", description = "Models to export (default: every model with a graded answer).")
    List<String> models;

    @Option(names = "--partial", description = "Keep prompts that lack some models' grades (for estimators with missing-entry support).")
    boolean partial;

    @Option(names = "--validation", defaultValue = "0.1", paramLabel = "SHARE", description = "Share of prompts in the validation split (default: ${DEFAULT-VALUE}).")
    double validation;

    @Option(names = "--test", defaultValue = "0.1", paramLabel = "SHARE", description = "Share of prompts in the test split (default: ${DEFAULT-VALUE}).")
    double test;

    @Option(names = "--seed", defaultValue = "42", paramLabel = "N", description = "Seed of the split (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--force", description = "Replace a dataset already in --out.")
    boolean force;

    @Override
    public Integer call() {
      ServerConfig.LogConfig lc;
      if (source.config != null) {
        lc = ServerConfig.load(source.config).log();
      } else {
        String url = source.db.startsWith("jdbc:") ? source.db : ServerConfig.sqliteUrl(Path.of(source.db));
        if (url.startsWith("jdbc:sqlite:") && !Files.exists(Path.of(url.substring("jdbc:sqlite:".length())))) {
          throw new CarrotException("--db " + source.db + ": no such SQLite file");
        }
        lc = new ServerConfig.LogConfig(url, user, passwordEnv, true);
      }
      LocalDate day = null;
      if (since != null) {
        try {
          day = LocalDate.parse(since);
        } catch (DateTimeParseException e) {
          throw new CarrotException("--since must be a date YYYY-MM-DD, got '" + since + "'");
        }
      }
      LogExport.Options opts = new LogExport.Options(day, models, partial, seed, validation, test, force);
      PrintWriter o = spec.commandLine().getOut();
      try (DecisionLog log = DecisionLog.open(lc, System::getenv)) {
        LogExport.Result r = LogExport.export(log, out, opts);
        o.println("exported " + r.prompts() + " prompts from " + r.gradedRequests() + " graded requests to " + out
            + " (models " + r.models() + ")");
        if (r.incomplete() > 0) {
          o.println(r.incomplete() + " prompts were left out because some model had no grade"
              + (partial ? "" : "; --partial keeps them"));
        }
      }
      return 0;
    }
  }
}
