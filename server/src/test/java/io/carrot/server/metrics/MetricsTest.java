package io.carrot.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetricsTest {
  @Test
  void rendersThePrometheusTextFormat() {
    Metrics m = new Metrics();
    Metrics.Counter c = m.counter("x_total", "Things.", "model");
    c.inc("b");
    c.add(2.5, "a");
    c.inc("b");
    Metrics.Histogram h = m.histogram("lat_seconds", "Latency.", new double[] {0.1, 1});
    h.observe(0.05);
    h.observe(0.5);
    h.observe(0.1);
    h.observe(7);
    m.counter("q_total", "Quoted \"label\".", "path").inc("a\"b\\c");
    m.gauge("g", "Read when rendered.", () -> Map.of(List.of("y"), 0.25, List.of("x"), 3.0), "key");
    assertThat(m.render()).isEqualTo("""
        # HELP g Read when rendered.
        # TYPE g gauge
        g{key="x"} 3
        g{key="y"} 0.25
        # HELP lat_seconds Latency.
        # TYPE lat_seconds histogram
        lat_seconds_bucket{le="0.1"} 2
        lat_seconds_bucket{le="1"} 3
        lat_seconds_bucket{le="+Inf"} 4
        lat_seconds_sum 7.65
        lat_seconds_count 4
        # HELP q_total Quoted "label".
        # TYPE q_total counter
        q_total{path="a\\"b\\\\c"} 1
        # HELP x_total Things.
        # TYPE x_total counter
        x_total{model="a"} 2.5
        x_total{model="b"} 2
        """);
    assertThat(c.value("b")).isEqualTo(2);
    assertThat(h.count()).isEqualTo(4);
    assertThatThrownBy(() -> c.add(-1, "a")).hasMessage("x_total: a counter only goes up, got -1.0");
    assertThatThrownBy(() -> c.inc()).hasMessage("x_total takes 1 labels, got 0");
  }
}
