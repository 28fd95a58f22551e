package io.carrot.server.log;

import io.carrot.core.CarrotException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Versioned schema migrations: {@code migrations/V<n>__<name>.sql} resources applied in order, each
 * in one transaction with its row in {@code schema_version}, so a database is always at a whole
 * version. The SQL is portable between SQLite and PostgreSQL.
 */
public final class Migrations {
  private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);

  /** Every migration, in order; version n is {@code ALL.get(n - 1)}. Append, never edit. */
  static final List<String> ALL = List.of("V1__decision_log.sql", "V2__ledger.sql");

  private Migrations() {}

  /** The newest schema version this carrot knows. */
  public static int latest() {
    return ALL.size();
  }

  /** Brings the database to {@link #latest()}; returns the version it was at. */
  public static int migrate(Connection c, String where) throws SQLException {
    boolean auto = c.getAutoCommit();
    try (Statement s = c.createStatement()) {
      s.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)");
    }
    int current = current(c);
    if (current > latest()) {
      throw new CarrotException(
          where + ": the decision log has schema version " + current + ", newer than this carrot knows (" + latest()
              + "); upgrade carrot or point log.url at another database");
    }
    c.setAutoCommit(false);
    try {
      for (int v = current + 1; v <= latest(); v++) {
        String name = ALL.get(v - 1);
        try (Statement s = c.createStatement()) {
          for (String sql : statements(read(name))) {
            s.execute(sql);
          }
        }
        try (PreparedStatement p = c.prepareStatement("INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)")) {
          p.setInt(1, v);
          p.setString(2, name);
          p.setLong(3, System.currentTimeMillis());
          p.executeUpdate();
        }
        c.commit();
        LOG.info("{}: applied schema migration {}", where, name);
      }
    } catch (SQLException | RuntimeException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(auto);
    }
    return current;
  }

  static int current(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT COALESCE(MAX(version), 0) FROM schema_version")) {
      r.next();
      return r.getInt(1);
    }
  }

  private static String read(String name) {
    try (InputStream in = Migrations.class.getResourceAsStream("migrations/" + name)) {
      if (in == null) {
        throw new CarrotException("decision-log migration " + name + " is missing from the classpath; expected it in the carrot-server jar (rebuild it)");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new CarrotException("cannot read decision-log migration " + name + " from the carrot-server jar: " + e.getMessage(), e);
    }
  }

  /** Splits a script at semicolons that end a line; drops {@code --} comment lines. */
  static List<String> statements(String script) {
    StringBuilder clean = new StringBuilder();
    for (String line : script.split("\n")) {
      if (!line.strip().startsWith("--")) {
        clean.append(line).append('\n');
      }
    }
    return java.util.Arrays.stream(clean.toString().split(";\\s*\n"))
        .map(String::strip)
        .map(s -> s.endsWith(";") ? s.substring(0, s.length() - 1) : s)
        .filter(s -> !s.isEmpty())
        .toList();
  }
}
