package io.carrot.server.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * A small registry of labelled counters and histograms, rendered in the Prometheus text exposition
 * format (version 0.0.4). Thread-safe; updates are lock-free adders, so the hot path pays a map
 * lookup and an add.
 */
public final class Metrics {
  /** Latency buckets in seconds: 0.5 ms to 60 s. */
  public static final double[] LATENCY_BUCKETS = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60
  };

  private final Map<String, Family> families = new ConcurrentSkipListMap<>();

  /** A labelled counter; registering the same name twice returns the first. */
  public Counter counter(String name, String help, String... labelNames) {
    return (Counter) families.computeIfAbsent(name, n -> new Counter(n, help, labelNames));
  }

  /** A labelled histogram with {@code buckets} as upper bounds (ascending). */
  public Histogram histogram(String name, String help, double[] buckets, String... labelNames) {
    return (Histogram) families.computeIfAbsent(name, n -> new Histogram(n, help, buckets, labelNames));
  }

  /**
   * A labelled gauge whose values are read from {@code source} (label values to value) each time the
   * registry is rendered; for state that lives elsewhere.
   */
  public Gauge gauge(String name, String help, Supplier<Map<List<String>, Double>> source, String... labelNames) {
    return (Gauge) families.computeIfAbsent(name, n -> new Gauge(n, help, source, labelNames, "gauge"));
  }

  /**
   * A labelled counter whose values are read from {@code source} each time the registry is
   * rendered; for counts kept elsewhere (they must only go up).
   */
  public Gauge counterOf(String name, String help, Supplier<Map<List<String>, Double>> source, String... labelNames) {
    return (Gauge) families.computeIfAbsent(name, n -> new Gauge(n, help, source, labelNames, "counter"));
  }

  /** Everything, in the Prometheus text format. */
  public String render() {
    StringBuilder sb = new StringBuilder(4096);
    for (Family f : families.values()) {
      f.render(sb);
    }
    return sb.toString();
  }

  private abstract static class Family {
    final String name;
    final String help;
    final String[] labelNames;

    Family(String name, String help, String[] labelNames) {
      this.name = name;
      this.help = help;
      this.labelNames = labelNames.clone();
    }

    String labels(List<String> values, String extra) {
      if (labelNames.length == 0 && extra == null) {
        return "";
      }
      StringBuilder sb = new StringBuilder("{");
      for (int i = 0; i < labelNames.length; i++) {
        if (i > 0) {
          sb.append(',');
        }
        sb.append(labelNames[i]).append("=\"").append(escape(values.get(i))).append('"');
      }
      if (extra != null) {
        sb.append(labelNames.length > 0 ? "," : "").append(extra);
      }
      return sb.append('}').toString();
    }

    List<String> key(String[] values) {
      if (values.length != labelNames.length) {
        throw new IllegalArgumentException(name + " takes " + labelNames.length + " labels, got " + values.length);
      }
      return List.of(values);
    }

    abstract void render(StringBuilder sb);

    void header(StringBuilder sb, String type) {
      sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
      sb.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }
  }

  /** A monotonically increasing sum per label set. */
  public static final class Counter extends Family {
    private final Map<List<String>, DoubleAdder> values = new ConcurrentHashMap<>();

    Counter(String name, String help, String[] labelNames) {
      super(name, help, labelNames);
    }

    public void inc(String... labels) {
      add(1, labels);
    }

    public void add(double amount, String... labels) {
      if (!(amount >= 0)) {
        throw new IllegalArgumentException(name + ": a counter only goes up, got " + amount);
      }
      values.computeIfAbsent(key(labels), k -> new DoubleAdder()).add(amount);
    }

    /** The current value for one label set (0 if never incremented). */
    public double value(String... labels) {
      DoubleAdder a = values.get(key(labels));
      return a == null ? 0 : a.sum();
    }

    @Override
    void render(StringBuilder sb) {
      header(sb, "counter");
      for (List<String> k : sorted(values.keySet())) {
        sb.append(name).append(labels(k, null)).append(' ').append(num(values.get(k).sum())).append('\n');
      }
    }
  }

  /** Values read when rendered (a gauge, or a counter kept elsewhere). */
  public static final class Gauge extends Family {
    private final Supplier<Map<List<String>, Double>> source;
    private final String type;

    Gauge(String name, String help, Supplier<Map<List<String>, Double>> source, String[] labelNames, String type) {
      super(name, help, labelNames);
      this.source = source;
      this.type = type;
    }

    @Override
    void render(StringBuilder sb) {
      header(sb, type);
      Map<List<String>, Double> values = source.get();
      for (List<String> k : sorted(values.keySet())) {
        if (k.size() != labelNames.length) {
          throw new IllegalStateException(name + " takes " + labelNames.length + " labels, got " + k);
        }
        sb.append(name).append(labels(k, null)).append(' ').append(num(values.get(k))).append('\n');
      }
    }
  }

  /** Observations counted into cumulative buckets, with their sum and count. */
  public static final class Histogram extends Family {
    private final double[] bounds;
    private final Map<List<String>, Cells> values = new ConcurrentHashMap<>();

    Histogram(String name, String help, double[] bounds, String[] labelNames) {
      super(name, help, labelNames);
      this.bounds = bounds.clone();
    }

    private static final class Cells {
      final LongAdder[] buckets;
      final DoubleAdder sum = new DoubleAdder();
      final LongAdder count = new LongAdder();

      Cells(int n) {
        buckets = new LongAdder[n];
        for (int i = 0; i < n; i++) {
          buckets[i] = new LongAdder();
        }
      }
    }

    public void observe(double value, String... labels) {
      Cells c = values.computeIfAbsent(key(labels), k -> new Cells(bounds.length));
      for (int i = 0; i < bounds.length; i++) {
        if (value <= bounds[i]) {
          c.buckets[i].increment();
          break;
        }
      }
      c.sum.add(value);
      c.count.increment();
    }

    /** Number of observations for one label set. */
    public long count(String... labels) {
      Cells c = values.get(key(labels));
      return c == null ? 0 : c.count.sum();
    }

    /** Sum of the observations for one label set. */
    public double sum(String... labels) {
      Cells c = values.get(key(labels));
      return c == null ? 0 : c.sum.sum();
    }

    @Override
    void render(StringBuilder sb) {
      header(sb, "histogram");
      for (List<String> k : sorted(values.keySet())) {
        Cells c = values.get(k);
        long cumulative = 0;
        for (int i = 0; i < bounds.length; i++) {
          cumulative += c.buckets[i].sum();
          sb.append(name).append("_bucket").append(labels(k, "le=\"" + num(bounds[i]) + "\"")).append(' ').append(cumulative).append('\n');
        }
        long count = c.count.sum();
        sb.append(name).append("_bucket").append(labels(k, "le=\"+Inf\"")).append(' ').append(count).append('\n');
        sb.append(name).append("_sum").append(labels(k, null)).append(' ').append(num(c.sum.sum())).append('\n');
        sb.append(name).append("_count").append(labels(k, null)).append(' ').append(count).append('\n');
      }
    }
  }

  private static List<List<String>> sorted(java.util.Set<List<String>> keys) {
    List<List<String>> l = new ArrayList<>(keys);
    l.sort((a, b) -> String.join("\u0000", a).compareTo(String.join("\u0000", b)));
    return l;
  }

  static String num(double d) {
    if (d == Math.rint(d) && Math.abs(d) < 1e15) {
      return Long.toString((long) d);
    }
    return String.format(Locale.ROOT, "%s", d);
  }

  static String escape(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }
}
