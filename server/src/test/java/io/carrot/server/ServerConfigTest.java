package io.carrot.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import io.carrot.server.upstream.Api;
import io.carrot.server.upstream.Timeouts;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ServerConfigTest {
  static final Path DIR = Path.of("/etc/carrot");

  static ServerConfig parse(String yaml) {
    return ServerConfig.parse(yaml, "carrot.yaml", DIR);
  }

  @Test
  void everyKey() {
    ServerConfig c = parse("""
        version: 1
        listen: {host: 0.0.0.0, port: 9000}
        router: routers/prod.carrot
        default_mu: 0.3
        max_body_bytes: 4096
        fallback: {max_attempts: 2}
        timeouts: {connect_ms: 100, first_byte_ms: 2000, idle_ms: 300, total_ms: 4000}
        upstreams:
          gpt-4o-2024-08-06:
            base_url: https://api.openai.com/v1/
            api_key_env: OPENAI_API_KEY
            model: gpt-4o
            price: {input_per_mtok: 2.5, output_per_mtok: 10}
          local: {base_url: "http://127.0.0.1:8000/v1", inject_stream_usage: false, serves: [chat, responses, embeddings]}
        clients:
          - {id: team-a, key_sha256: %s, daily_budget_usd: 5, max_concurrent: 4}
          - {id: team-b, key_sha256: %s}
        budget_policy: {raise_mu_from: 0.9}
        log:
          url: "jdbc:postgresql://db/carrot"
          user: carrot
          password_env: PGPASSWORD
          store_prompts: false
          retain_days: 30
          queue_bytes: 1048576
          durable_wait_ms: 0
          dead_letter: dead/rows.jsonl
        metrics: {key_sha256: %s}
        """.formatted("a".repeat(64), "b".repeat(64), "a".repeat(64)));
    assertThat(c.host()).isEqualTo("0.0.0.0");
    assertThat(c.port()).isEqualTo(9000);
    assertThat(c.router()).isEqualTo(Path.of("/etc/carrot/routers/prod.carrot"));
    assertThat(c.defaultMu()).isEqualTo(0.3);
    assertThat(c.maxBodyBytes()).isEqualTo(4096);
    assertThat(c.maxAttempts()).isEqualTo(2);
    assertThat(c.timeouts()).isEqualTo(new Timeouts(Duration.ofMillis(100), Duration.ofSeconds(2), Duration.ofMillis(300), Duration.ofSeconds(4)));
    assertThat(c.timeouts().firstEventBound()).isEqualTo(Duration.ofMillis(2300));
    ServerConfig.UpstreamConfig u = c.upstreams().get("gpt-4o-2024-08-06");
    assertThat(u.baseUrl()).isEqualTo("https://api.openai.com/v1");
    assertThat(u.apiKeyEnv()).isEqualTo("OPENAI_API_KEY");
    assertThat(u.model()).isEqualTo("gpt-4o");
    assertThat(u.price().outputPerMtok()).isEqualTo(10);
    assertThat(u.injectStreamUsage()).isTrue();
    assertThat(u.serves()).containsExactly(Api.CHAT);
    ServerConfig.UpstreamConfig local = c.upstreams().get("local");
    assertThat(local.model()).isEqualTo("local");
    assertThat(local.price()).isNull();
    assertThat(local.injectStreamUsage()).isFalse();
    assertThat(local.serves()).containsExactlyInAnyOrder(Api.CHAT, Api.RESPONSES, Api.EMBEDDINGS);
    assertThat(c.clients()).extracting(ServerConfig.ClientConfig::dailyBudgetUsd).containsExactly(5.0, null);
    assertThat(c.raiseMuFrom()).isEqualTo(0.9);
    assertThat(c.log()).isEqualTo(new ServerConfig.LogConfig(
        "jdbc:postgresql://db/carrot", "carrot", "PGPASSWORD", false, 30, 1 << 20, 0, Path.of("/etc/carrot/dead/rows.jsonl")));
    assertThat(c.metricsKeySha256()).isEqualTo("a".repeat(64));
    assertThat(c.clients()).extracting(ServerConfig.ClientConfig::maxConcurrent).containsExactly(4, null);
  }

  @Test
  void defaults() {
    ServerConfig c = parse("upstreams: {m: {base_url: 'http://h/v1'}}");
    assertThat(c.host()).isEqualTo("127.0.0.1");
    assertThat(c.port()).isEqualTo(8080);
    assertThat(c.router()).isNull();
    assertThat(c.defaultMu()).isEqualTo(0.0);
    assertThat(c.maxAttempts()).isEqualTo(3);
    assertThat(c.timeouts()).isEqualTo(Timeouts.DEFAULTS);
    assertThat(c.timeouts().firstEventBound()).isEqualTo(Duration.ofSeconds(120));
    assertThat(c.clients()).isEmpty();
    assertThat(c.log().url()).isEqualTo("jdbc:sqlite:/etc/carrot/carrot-log.db");
    assertThat(c.log().storePrompts()).as("prompts are stored only when asked for").isFalse();
    assertThat(c.log().retainDays()).isZero();
    assertThat(c.log().queueBytes()).isEqualTo(64L << 20);
    assertThat(c.log().durableWaitMs()).isEqualTo(2000);
    assertThat(c.log().deadLetter()).isEqualTo(Path.of("/etc/carrot/carrot-log.db.dead-letter.jsonl"));
    assertThat(c.metricsKeySha256()).isNull();
    assertThat(c.withListen(null, 0).port()).isEqualTo(0);
    assertThat(c.withListen("::1", null).port()).isEqualTo(8080);
  }

  @Test
  void mistakesAreNamed() {
    String ok = "upstreams: {m: {base_url: 'http://h/v1'}}\n";
    assertThatThrownBy(() -> parse(ok + "defualt_mu: 0.2"))
        .hasMessage("carrot.yaml: unknown key 'defualt_mu'; expected one of [budget_policy, clients, default_mu, demo_echo, fallback, listen, log, max_body_bytes, metrics, router, timeouts, upstreams, version]");
    assertThatThrownBy(() -> parse(ok + "default_mu: 1.5")).hasMessage("carrot.yaml: default_mu must be a number in [0, 1], got 1.5");
    assertThatThrownBy(() -> parse(ok + "listen: {port: 70000}")).hasMessage("carrot.yaml: listen.port must be a whole number in [0, 65535], got 70000");
    assertThatThrownBy(() -> parse("upstreams: {m: {base_url: 'ftp://h'}}"))
        .hasMessage("carrot.yaml: upstreams.m.base_url must be an http:// or https:// URL, got 'ftp://h'");
    assertThatThrownBy(() -> parse("upstreams: {m: {model: x}}"))
        .hasMessage("carrot.yaml: upstreams.m.base_url is missing (e.g. https://api.openai.com/v1)");
    assertThatThrownBy(() -> parse("upstreams: {m: {base_url: 'http://h', price: {input_per_mtok: 1}}}"))
        .hasMessage("carrot.yaml: upstreams.m.price.output_per_mtok is missing");
    assertThatThrownBy(() -> parse("upstreams: {m: {base_url: 'http://h', prize: 1}}"))
        .hasMessageStartingWith("carrot.yaml: unknown key 'upstreams.m.prize'");
    assertThatThrownBy(() -> parse("default_mu: 0.1")).hasMessageStartingWith("carrot.yaml: 'upstreams' is missing");
    assertThatThrownBy(() -> parse(ok + "clients: [{id: a, key_sha256: secret}]"))
        .hasMessageStartingWith("carrot.yaml: clients[0].key_sha256 must be 64 lower-case hex digits");
    assertThatThrownBy(() -> parse(ok + "clients: [{id: a, key_sha256: %s}, {id: a, key_sha256: %s}]".formatted("a".repeat(64), "b".repeat(64))))
        .hasMessage("carrot.yaml: clients[1].id 'a' is used twice");
    assertThatThrownBy(() -> parse(ok + "log: {url: 'jdbc:mysql://x'}"))
        .hasMessage("carrot.yaml: log.url must start with jdbc:sqlite: or jdbc:postgresql:, got 'jdbc:mysql://x'");
    assertThatThrownBy(() -> parse(ok + "demo_echo: yes please")).hasMessage("carrot.yaml: demo_echo must be true or false, got \"yes please\"");
    assertThatThrownBy(() -> parse(ok + "timeouts: {idle_ms: 0}")).hasMessage("carrot.yaml: timeouts.idle_ms must be a whole number in [1, 3600000], got 0");
    assertThatThrownBy(() -> parse("upstreams: {m: {base_url: 'http://h', serves: [chat, images]}}"))
        .hasMessage("carrot.yaml: upstreams.m.serves must be a list of APIs from [chat, responses, embeddings], got \"images\"");
    assertThatThrownBy(() -> parse("upstreams: [1, 2")).hasMessageStartingWith("carrot.yaml: malformed YAML:");
    assertThatThrownBy(() -> parse(ok + "metrics: {key_sha256: hunter2}"))
        .hasMessageStartingWith("carrot.yaml: metrics.key_sha256 must be 64 lower-case hex digits");
    assertThatThrownBy(() -> parse(ok + "log: {queue_bytes: 10}"))
        .hasMessage("carrot.yaml: log.queue_bytes must be a whole number in [65536, 1099511627776], got 10");
    assertThatThrownBy(() -> parse(ok + "clients: [{id: a, key_sha256: %s, max_concurrent: 0}]".formatted("a".repeat(64))))
        .hasMessage("carrot.yaml: clients[0].max_concurrent must be a whole number in [1, 1000000], got 0");
    assertThatThrownBy(() -> parse("")).hasMessage("carrot.yaml: the file is empty; see docs/server.md for the keys");
  }
}
