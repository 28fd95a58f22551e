package io.carrot.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.carrot.core.CarrotException;
import io.carrot.core.data.ModelPrice;
import io.carrot.server.upstream.Api;
import io.carrot.server.upstream.Timeouts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The server's configuration: defaults in code, then a YAML file ({@link #load(Path)}), then
 * command-line flags ({@link #withListen}, {@link #withRouter}). Immutable. docs/server.md lists
 * every key.
 *
 * @param host address to listen on
 * @param port port to listen on (0 = any free port)
 * @param router router file, or null for the shipped default router
 * @param defaultMu mu of a plain {@code carrot} request
 * @param maxBodyBytes request bodies above this are refused with 413
 * @param maxAttempts upstream attempts per request, the first included (fallbacks = attempts - 1)
 * @param timeouts the bounds of one upstream attempt
 * @param upstreams name -> where to send requests for it; names that are router models are
 *     routable, the others can only be asked for by name
 * @param clients API keys (as SHA-256 hashes) and their daily budgets; empty = no authentication
 * @param raiseMuFrom share of a key's daily budget from which mu is raised (see {@code Budgets})
 * @param log the decision log
 * @param demoEcho serve the built-in echo upstream under {@code /demo/v1}
 * @param metricsKeySha256 SHA-256 of the key {@code GET /metrics} requires, or null for none
 */
public record ServerConfig(
    String host,
    int port,
    Path router,
    double defaultMu,
    long maxBodyBytes,
    int maxAttempts,
    Timeouts timeouts,
    Map<String, UpstreamConfig> upstreams,
    List<ClientConfig> clients,
    double raiseMuFrom,
    LogConfig log,
    boolean demoEcho,
    String metricsKeySha256) {

  /** Stands for the server's own address in a {@code base_url}, e.g. {@code {self}/demo/v1}. */
  public static final String SELF = "{self}";

  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_PORT = 8080;
  public static final double DEFAULT_MU = 0.0;
  public static final long DEFAULT_MAX_BODY = 1 << 20;
  public static final int DEFAULT_ATTEMPTS = 3;
  public static final double DEFAULT_RAISE_MU_FROM = 0.8;

  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

  public ServerConfig {
    upstreams = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(upstreams));
    clients = List.copyOf(clients);
  }

  /** Without a {@code /metrics} key. */
  public ServerConfig(
      String host, int port, Path router, double defaultMu, long maxBodyBytes, int maxAttempts, Timeouts timeouts,
      Map<String, UpstreamConfig> upstreams, List<ClientConfig> clients, double raiseMuFrom, LogConfig log, boolean demoEcho) {
    this(host, port, router, defaultMu, maxBodyBytes, maxAttempts, timeouts, upstreams, clients, raiseMuFrom, log, demoEcho, null);
  }

  /**
   * One upstream.
   *
   * @param name the name clients and the router use
   * @param baseUrl OpenAI-compatible base URL, e.g. {@code https://api.openai.com/v1}
   * @param apiKeyEnv environment variable holding the upstream's API key, or null for none
   * @param model the upstream's own model id
   * @param price price override, or null to use the router's price table
   * @param injectStreamUsage ask streaming upstreams for a usage chunk (removed again when the client
   *     did not ask for it) so that spend is counted from reported usage
   * @param serves the APIs requests for it may use (chat completions, responses, embeddings)
   */
  public record UpstreamConfig(
      String name, String baseUrl, String apiKeyEnv, String model, ModelPrice price, boolean injectStreamUsage, Set<Api> serves) {
    public UpstreamConfig {
      serves = Set.copyOf(serves);
    }
  }

  /**
   * A client API key.
   *
   * @param id name shown in the log and metrics (never the key)
   * @param keySha256 lower-case hex SHA-256 of the key
   * @param dailyBudgetUsd spend allowed per UTC day, or null for no limit
   * @param maxConcurrent requests the key may have running at once on one instance, or null for no limit
   */
  public record ClientConfig(String id, String keySha256, Double dailyBudgetUsd, Integer maxConcurrent) {
    /** Without a concurrency limit. */
    public ClientConfig(String id, String keySha256, Double dailyBudgetUsd) {
      this(id, keySha256, dailyBudgetUsd, null);
    }
  }

  /**
   * The decision log.
   *
   * @param url JDBC URL: {@code jdbc:sqlite:FILE} or {@code jdbc:postgresql://...}
   * @param user database user, or null
   * @param passwordEnv environment variable holding the database password, or null
   * @param storePrompts keep prompt texts (needed by {@code carrot log export}); hashes are always kept
   * @param retainDays keep the requests of the last this many UTC days (today included) and purge older
   *     ones at start and every hour; 0 keeps everything
   * @param queueBytes bound of the write queue in bytes; rows beyond it are set aside in the dead letter
   * @param durableWaitMs how long an answer waits, before its last byte, for its row to be stored;
   *     0 does not wait (a {@code kill -9} may then lose the rows of the last moments)
   * @param deadLetter JSON-lines file for rows the database refuses or the queue cannot hold
   */
  public record LogConfig(
      String url, String user, String passwordEnv, boolean storePrompts, int retainDays, long queueBytes,
      long durableWaitMs, Path deadLetter) {
    public static final long DEFAULT_DURABLE_WAIT_MS = 2000;

    /** With the defaults for retention (none), the queue (64 MiB), the durable wait and the dead letter. */
    public LogConfig(String url, String user, String passwordEnv, boolean storePrompts) {
      this(url, user, passwordEnv, storePrompts, 0, io.carrot.server.log.DecisionLog.DEFAULT_QUEUE_BYTES,
          DEFAULT_DURABLE_WAIT_MS, defaultDeadLetter(url, Path.of("")));
    }

    /** The same log with another queue bound. */
    public LogConfig withQueueBytes(long bytes) {
      return new LogConfig(url, user, passwordEnv, storePrompts, retainDays, bytes, durableWaitMs, deadLetter);
    }

    /** The same log with another durable wait. */
    public LogConfig withDurableWaitMs(long ms) {
      return new LogConfig(url, user, passwordEnv, storePrompts, retainDays, queueBytes, ms, deadLetter);
    }

    /** Beside a SQLite file ({@code FILE.dead-letter.jsonl}); else {@code carrot-log.dead-letter.jsonl} in {@code dir}. */
    static Path defaultDeadLetter(String url, Path dir) {
      if (url.startsWith("jdbc:sqlite:")) {
        String file = url.substring("jdbc:sqlite:".length());
        int q = file.indexOf('?');
        return Path.of((q < 0 ? file : file.substring(0, q)) + ".dead-letter.jsonl");
      }
      return dir.resolve("carrot-log.dead-letter.jsonl");
    }
  }

  /** The demo: every model of the router served by the built-in echo upstream; no keys. */
  public static ServerConfig demo(List<String> routerModels, Path logFile) {
    Map<String, UpstreamConfig> ups = new LinkedHashMap<>();
    for (String m : routerModels) {
      ups.put(m, new UpstreamConfig(m, SELF + "/demo/v1", null, m, null, true, Set.of(Api.CHAT)));
    }
    return new ServerConfig(
        DEFAULT_HOST, DEFAULT_PORT, null, 0.2, DEFAULT_MAX_BODY, DEFAULT_ATTEMPTS,
        Timeouts.DEFAULTS, ups, List.of(), DEFAULT_RAISE_MU_FROM,
        new LogConfig(sqliteUrl(logFile), null, null, true), true);
  }

  public ServerConfig withListen(String newHost, Integer newPort) {
    return new ServerConfig(
        newHost == null ? host : newHost, newPort == null ? port : newPort, router, defaultMu, maxBodyBytes,
        maxAttempts, timeouts, upstreams, clients, raiseMuFrom, log, demoEcho, metricsKeySha256);
  }

  public ServerConfig withRouter(Path newRouter) {
    return new ServerConfig(
        host, port, newRouter, defaultMu, maxBodyBytes, maxAttempts, timeouts,
        upstreams, clients, raiseMuFrom, log, demoEcho, metricsKeySha256);
  }

  public ServerConfig withLog(LogConfig newLog) {
    return new ServerConfig(
        host, port, router, defaultMu, maxBodyBytes, maxAttempts, timeouts,
        upstreams, clients, raiseMuFrom, newLog, demoEcho, metricsKeySha256);
  }

  public static String sqliteUrl(Path file) {
    return "jdbc:sqlite:" + file.toAbsolutePath().normalize();
  }

  /** Reads a YAML file; relative paths in it are resolved against its folder. */
  public static ServerConfig load(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new CarrotException("cannot read the server config " + file + ": " + e.getMessage(), e);
    }
    Path dir = file.toAbsolutePath().getParent();
    return parse(text, file.getFileName().toString(), dir);
  }

  /** Parses YAML text; {@code where} prefixes error messages, {@code dir} resolves relative paths. */
  public static ServerConfig parse(String yaml, String where, Path dir) {
    JsonNode root;
    try {
      root = new YAMLMapper().readTree(yaml);
    } catch (IOException e) {
      throw new CarrotException(where + ": malformed YAML: " + e.getMessage().lines().findFirst().orElse(""), e);
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      throw new CarrotException(where + ": the file is empty; see docs/server.md for the keys");
    }
    Reader r = new Reader(where);
    r.object(root, "", Set.of(
        "version", "listen", "router", "default_mu", "max_body_bytes", "fallback", "timeouts", "upstreams",
        "clients", "budget_policy", "log", "demo_echo", "metrics"));
    if (root.has("version") && r.integer(root, "version", 1, 1, 1) != 1) {
      throw new CarrotException(where + ": version must be 1");
    }
    JsonNode listen = r.optObject(root, "listen", Set.of("host", "port"));
    String host = r.string(listen, "listen.host", DEFAULT_HOST);
    int port = (int) r.integer(listen, "listen.port", DEFAULT_PORT, 0, 65535);
    String routerText = r.string(root, "router", null);
    Path router = routerText == null ? null : dir.resolve(routerText).normalize();
    double mu = r.number(root, "default_mu", DEFAULT_MU, 0, 1);
    long maxBody = r.integer(root, "max_body_bytes", DEFAULT_MAX_BODY, 1024, Integer.MAX_VALUE);
    JsonNode fallback = r.optObject(root, "fallback", Set.of("max_attempts"));
    int attempts = (int) r.integer(fallback, "fallback.max_attempts", DEFAULT_ATTEMPTS, 1, 10);
    Timeouts timeouts = timeouts(r, r.optObject(root, "timeouts", Set.of("connect_ms", "first_byte_ms", "idle_ms", "total_ms")));
    Map<String, UpstreamConfig> ups = upstreams(r, root.get("upstreams"));
    List<ClientConfig> clients = clients(r, root.get("clients"));
    JsonNode policy = r.optObject(root, "budget_policy", Set.of("raise_mu_from"));
    double raise = r.number(policy, "budget_policy.raise_mu_from", DEFAULT_RAISE_MU_FROM, 0, 1);
    JsonNode log = r.optObject(root, "log", Set.of(
        "url", "path", "user", "password_env", "store_prompts", "retain_days", "queue_bytes", "durable_wait_ms", "dead_letter"));
    String url = r.string(log, "log.url", null);
    String path = r.string(log, "log.path", null);
    if (url != null && path != null) {
      throw new CarrotException(where + ": log.url and log.path are alternatives; give one");
    }
    if (url == null) {
      url = sqliteUrl(dir.resolve(path == null ? "carrot-log.db" : path));
    } else if (!url.startsWith("jdbc:sqlite:") && !url.startsWith("jdbc:postgresql:")) {
      throw new CarrotException(where + ": log.url must start with jdbc:sqlite: or jdbc:postgresql:, got '" + url + "'");
    }
    String deadLetter = r.string(log, "log.dead_letter", null);
    LogConfig lc = new LogConfig(
        url, r.string(log, "log.user", null), r.string(log, "log.password_env", null),
        r.bool(log, "log.store_prompts", false), (int) r.integer(log, "log.retain_days", 0, 0, 100_000),
        r.integer(log, "log.queue_bytes", io.carrot.server.log.DecisionLog.DEFAULT_QUEUE_BYTES, 1 << 16, 1L << 40),
        r.integer(log, "log.durable_wait_ms", LogConfig.DEFAULT_DURABLE_WAIT_MS, 0, 600_000),
        deadLetter == null ? LogConfig.defaultDeadLetter(url, dir) : dir.resolve(deadLetter).normalize());
    boolean echo = r.bool(root, "demo_echo", false);
    JsonNode metrics = r.optObject(root, "metrics", Set.of("key_sha256"));
    String metricsKey = r.string(metrics, "metrics.key_sha256", null);
    if (metricsKey != null && !SHA256.matcher(metricsKey).matches()) {
      throw new CarrotException(where + ": metrics.key_sha256 must be 64 lower-case hex digits (the SHA-256 of the key "
          + "scrapers send as 'Authorization: Bearer KEY'; 'carrot serve key' makes one), got '" + metricsKey + "'");
    }
    return new ServerConfig(host, port, router, mu, maxBody, attempts, timeouts, ups, clients, raise, lc, echo, metricsKey);
  }

  private static Timeouts timeouts(Reader r, JsonNode t) {
    Duration connect = Duration.ofMillis(r.integer(t, "timeouts.connect_ms", Timeouts.DEFAULT_CONNECT.toMillis(), 1, 600_000));
    Duration firstByte = Duration.ofMillis(r.integer(t, "timeouts.first_byte_ms", Timeouts.DEFAULT_FIRST_BYTE.toMillis(), 1, 3_600_000));
    Duration idle = Duration.ofMillis(r.integer(t, "timeouts.idle_ms", Timeouts.DEFAULT_IDLE.toMillis(), 1, 3_600_000));
    Duration total = Duration.ofMillis(r.integer(t, "timeouts.total_ms", Timeouts.DEFAULT_TOTAL.toMillis(), 1, 24 * 3_600_000));
    return new Timeouts(connect, firstByte, idle, total);
  }

  private static Set<Api> serves(Reader r, JsonNode u, String path) {
    JsonNode n = u.get("serves");
    if (n == null || n.isNull()) {
      return Set.of(Api.CHAT);
    }
    String expected = "a list of APIs from [chat, responses, embeddings]";
    if (!n.isArray() || n.isEmpty()) {
      throw new CarrotException(r.where + ": " + path + " must be " + expected + ", got " + n);
    }
    Set<Api> out = new java.util.LinkedHashSet<>();
    for (JsonNode a : n) {
      Api api = a.isTextual() ? Api.of(a.asText()) : null;
      if (api == null) {
        throw new CarrotException(r.where + ": " + path + " must be " + expected + ", got " + a);
      }
      out.add(api);
    }
    return out;
  }

  private static Map<String, UpstreamConfig> upstreams(Reader r, JsonNode node) {
    if (node == null || node.isNull()) {
      throw new CarrotException(r.where + ": 'upstreams' is missing: name at least one model the router may send requests to");
    }
    if (!node.isObject() || node.isEmpty()) {
      throw new CarrotException(r.where + ": 'upstreams' must be a map of model name -> {base_url, api_key_env, model, price}");
    }
    Map<String, UpstreamConfig> out = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : node.properties()) {
      String name = e.getKey();
      String p = "upstreams." + name;
      JsonNode u = e.getValue();
      r.object(u, p, Set.of("base_url", "api_key_env", "model", "price", "inject_stream_usage", "serves"));
      if (name.isBlank() || name.startsWith("carrot")) {
        throw new CarrotException(r.where + ": " + p + ": upstream names must not be empty or start with 'carrot'");
      }
      String base = r.string(u, p + ".base_url", null);
      if (base == null) {
        throw new CarrotException(r.where + ": " + p + ".base_url is missing (e.g. https://api.openai.com/v1)");
      }
      if (!base.startsWith("http://") && !base.startsWith("https://") && !base.startsWith(SELF)) {
        throw new CarrotException(r.where + ": " + p + ".base_url must be an http:// or https:// URL, got '" + base + "'");
      }
      while (base.endsWith("/")) {
        base = base.substring(0, base.length() - 1);
      }
      ModelPrice price = null;
      JsonNode pn = r.optObject(u, p + ".price", Set.of("input_per_mtok", "output_per_mtok"));
      if (!pn.isEmpty()) {
        price = new ModelPrice(
            r.number(pn, p + ".price.input_per_mtok", Double.NaN, 0, 1e9),
            r.number(pn, p + ".price.output_per_mtok", Double.NaN, 0, 1e9),
            "carrot.yaml override");
      }
      out.put(name, new UpstreamConfig(
          name, base, r.string(u, p + ".api_key_env", null), r.string(u, p + ".model", name), price,
          r.bool(u, p + ".inject_stream_usage", true), serves(r, u, p + ".serves")));
    }
    return out;
  }

  private static List<ClientConfig> clients(Reader r, JsonNode node) {
    if (node == null || node.isNull()) {
      return List.of();
    }
    if (!node.isArray()) {
      throw new CarrotException(r.where + ": 'clients' must be a list of {id, key_sha256, daily_budget_usd}");
    }
    List<ClientConfig> out = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    Set<String> hashes = new HashSet<>();
    for (int i = 0; i < node.size(); i++) {
      String p = "clients[" + i + "]";
      JsonNode c = node.get(i);
      r.object(c, p, Set.of("id", "key_sha256", "daily_budget_usd", "max_concurrent"));
      String id = r.string(c, p + ".id", null);
      String hash = r.string(c, p + ".key_sha256", null);
      if (id == null || id.isBlank()) {
        throw new CarrotException(r.where + ": " + p + ".id is missing");
      }
      if (hash == null || !SHA256.matcher(hash).matches()) {
        throw new CarrotException(
            r.where + ": " + p + ".key_sha256 must be 64 lower-case hex digits (run 'carrot serve key' to make a key and its hash), got "
                + (hash == null ? "nothing" : "'" + hash + "'"));
      }
      if (!ids.add(id)) {
        throw new CarrotException(r.where + ": " + p + ".id '" + id + "' is used twice");
      }
      if (!hashes.add(hash)) {
        throw new CarrotException(r.where + ": " + p + ".key_sha256 is the same as another client's");
      }
      Double budget = c.has("daily_budget_usd") ? r.number(c, p + ".daily_budget_usd", 0, 1e-9, 1e12) : null;
      Integer maxConcurrent = c.has("max_concurrent") ? (int) r.integer(c, p + ".max_concurrent", 0, 1, 1_000_000) : null;
      out.add(new ClientConfig(id, hash, budget, maxConcurrent));
    }
    return out;
  }

  /** Typed, strict access to the YAML tree: every error names the key and what was expected. */
  private static final class Reader {
    final String where;

    Reader(String where) {
      this.where = where;
    }

    void object(JsonNode n, String path, Set<String> keys) {
      if (n == null || !n.isObject()) {
        throw new CarrotException(where + ": " + (path.isEmpty() ? "the top level" : path) + " must be a map");
      }
      for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
        String k = it.next();
        if (!keys.contains(k)) {
          throw new CarrotException(
              where + ": unknown key '" + (path.isEmpty() ? k : path + "." + k) + "'; expected one of " + new java.util.TreeSet<>(keys));
        }
      }
    }

    JsonNode optObject(JsonNode parent, String path, Set<String> keys) {
      JsonNode n = parent.get(leaf(path));
      if (n == null || n.isNull()) {
        return com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
      }
      object(n, path, keys);
      return n;
    }

    private static String leaf(String path) {
      return path.substring(path.lastIndexOf('.') + 1);
    }

    String string(JsonNode parent, String path, String dflt) {
      JsonNode n = parent.get(leaf(path));
      if (n == null || n.isNull()) {
        return dflt;
      }
      if (!n.isTextual() && !n.isNumber()) {
        throw new CarrotException(where + ": " + path + " must be a string, got " + n.getNodeType().toString().toLowerCase(java.util.Locale.ROOT));
      }
      return n.asText();
    }

    double number(JsonNode parent, String path, double dflt, double min, double max) {
      JsonNode n = parent.get(leaf(path));
      if (n == null || n.isNull()) {
        if (Double.isNaN(dflt)) {
          throw new CarrotException(where + ": " + path + " is missing");
        }
        return dflt;
      }
      if (!n.isNumber() || !(n.asDouble() >= min && n.asDouble() <= max)) {
        throw new CarrotException(where + ": " + path + " must be a number in [" + fmt(min) + ", " + fmt(max) + "], got " + n);
      }
      return n.asDouble();
    }

    long integer(JsonNode parent, String path, long dflt, long min, long max) {
      JsonNode n = parent.get(leaf(path));
      if (n == null || n.isNull()) {
        return dflt;
      }
      if (!n.canConvertToExactIntegral() || n.asLong() < min || n.asLong() > max) {
        throw new CarrotException(where + ": " + path + " must be a whole number in [" + min + ", " + max + "], got " + n);
      }
      return n.asLong();
    }

    boolean bool(JsonNode parent, String path, boolean dflt) {
      JsonNode n = parent.get(leaf(path));
      if (n == null || n.isNull()) {
        return dflt;
      }
      if (!n.isBoolean()) {
        throw new CarrotException(where + ": " + path + " must be true or false, got " + n);
      }
      return n.asBoolean();
    }

    private static String fmt(double d) {
      return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }
  }
}
