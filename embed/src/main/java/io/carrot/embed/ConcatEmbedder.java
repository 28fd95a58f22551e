package io.carrot.embed;

import io.carrot.core.CarrotException;
import io.carrot.core.embed.Embedder;
import io.carrot.core.linalg.VectorMath;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Several embedders as one: a prompt's vector is its parts' unit vectors side by side, part
 * {@code i} scaled by {@code sqrt(w_i / sum w)}, so the whole is unit length and the cosine of two
 * prompts is the weighted mean of the parts' cosines ({@code sum w_i cos_i / sum w}). Every
 * embedder part weighs 1 (two parts: each scaled by {@code 1/sqrt(2)}), a {@link PromptFeatures}
 * part (id {@value PromptFeatures#ID}) {@link PromptFeatures#CONCAT_WEIGHT}. Cosine KNN and the support figure therefore work on a
 * concatenation unchanged.
 *
 * <p>Names: {@code concat:<a>+<b>[+...]} with any other embedder names as parts (e.g.
 * {@code concat:minilm+fast}, {@code concat:minilm+features}); the id is
 * {@code concat(<id a>+<id b>...)} (e.g. {@code concat(all-minilm-l6-v2/head-tail-256+static-minilm-256)}),
 * which {@link Embedders#create} accepts too, so a router file's id recreates the embedder. Parts
 * cannot themselves be concatenations or contain {@code +}.
 *
 * <p>A batch is embedded by calling each part once on the whole batch, one part after the other. A
 * part's zero row (a text with no content) contributes nothing and the row is renormalized over the
 * other parts; a text every part gives zeros for gets zeros. {@link CachingEmbedder} caches each
 * part separately on disk ({@link #mapParts}), so a concatenation reuses its parts' cached vectors.
 * Closing closes every part. Thread-safe when the parts are.
 */
public final class ConcatEmbedder implements Embedder {

  /** Prefix of the user-facing name. */
  public static final String PREFIX = "concat:";
  private static final String ID_PREFIX = "concat(";

  private final List<Embedder> parts;
  private final double[] weights;
  private final double[] scales;
  private final String id;

  private ConcatEmbedder(List<Embedder> parts, double[] weights) {
    this.parts = List.copyOf(parts);
    this.weights = weights.clone();
    double total = 0;
    for (double w : weights) {
      total += w;
    }
    this.scales = new double[weights.length];
    List<String> ids = new ArrayList<>(parts.size());
    for (int i = 0; i < weights.length; i++) {
      scales[i] = Math.sqrt(weights[i] / total);
      ids.add(parts.get(i).id());
    }
    this.id = ID_PREFIX + String.join("+", ids) + ")";
  }

  /**
   * Concatenates {@code parts} (at least two, distinct ids, none a concatenation), each weighing 1
   * except a {@link PromptFeatures} part.
   */
  public static ConcatEmbedder of(List<Embedder> parts) {
    Objects.requireNonNull(parts, "parts");
    if (parts.size() < 2) {
      throw new CarrotException("concatenation of " + parts.size() + " part(s); expected at least two embedders");
    }
    Set<String> seen = new HashSet<>();
    double[] weights = new double[parts.size()];
    for (int i = 0; i < parts.size(); i++) {
      Embedder p = Objects.requireNonNull(parts.get(i), "parts[" + i + "]");
      if (p instanceof ConcatEmbedder || p.id().startsWith(ID_PREFIX)) {
        throw new CarrotException("part '" + p.id() + "' is itself a concatenation; expected plain embedders (list all parts in one concat)");
      }
      if (!seen.add(p.id())) {
        throw new CarrotException("part '" + p.id() + "' appears twice; expected distinct embedders");
      }
      // by id, not by class: a features part behind a cache or a wrapper must weigh the same, since
      // the concatenation's id (which names its vectors) cannot tell them apart
      weights[i] = p.id().equals(PromptFeatures.ID) ? PromptFeatures.CONCAT_WEIGHT : 1;
    }
    return new ConcatEmbedder(parts, weights);
  }

  /** Whether {@code name} is a concatenation's name or id (the {@link Embedders} dispatch). */
  static boolean accepts(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    return lower.startsWith(PREFIX) || lower.startsWith(ID_PREFIX);
  }

  /** Creates the concatenation {@code name} denotes: {@code concat:a+b[+...]} or {@code concat(a+b[+...])}. */
  static ConcatEmbedder parse(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    String inner;
    if (lower.startsWith(PREFIX)) {
      inner = name.substring(PREFIX.length());
    } else if (lower.startsWith(ID_PREFIX) && name.endsWith(")")) {
      inner = name.substring(ID_PREFIX.length(), name.length() - 1);
    } else {
      throw malformed(name, "an id must end with ')'");
    }
    String[] names = inner.split("\\+", -1);
    if (names.length < 2) {
      throw malformed(name, "it has " + (inner.isBlank() ? "no parts" : "one part"));
    }
    for (String part : names) {
      if (part.isBlank()) {
        throw malformed(name, "it has an empty part");
      }
      if (accepts(part.strip())) {
        throw malformed(name, "a part cannot be a concatenation");
      }
    }
    List<Embedder> made = new ArrayList<>(names.length);
    try {
      for (String part : names) {
        made.add(Embedders.create(part.strip()));
      }
      return of(made);
    } catch (CarrotException e) {
      made.forEach(Embedder::close);
      throw new CarrotException("embedder: '" + name + "': " + e.getMessage(), e);
    }
  }

  private static CarrotException malformed(String name, String why) {
    return new CarrotException("embedder: '" + name + "' is not a valid concatenation (" + why
        + "); expected concat:<name>+<name>[+...] with two or more embedder names, e.g. concat:minilm+fast or concat:minilm+features");
  }

  /** The parts, in order. */
  public List<Embedder> parts() {
    return parts;
  }

  /** The parts' weights, in order. */
  public double[] weights() {
    return weights.clone();
  }

  /**
   * The same concatenation over {@code wrap(part)} for every part, with the same weights; every
   * wrapped part must have its original's id (e.g. a cache in front of it).
   */
  public ConcatEmbedder mapParts(UnaryOperator<Embedder> wrap) {
    List<Embedder> wrapped = new ArrayList<>(parts.size());
    for (Embedder p : parts) {
      Embedder w = wrap.apply(p);
      if (!w.id().equals(p.id())) {
        throw new CarrotException("concat: wrapped part has id '" + w.id() + "'; expected '" + p.id() + "'");
      }
      wrapped.add(w);
    }
    return new ConcatEmbedder(wrapped, weights);
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public int dimension() {
    int d = 0;
    for (Embedder p : parts) {
      d += p.dimension();
    }
    return d;
  }

  @Override
  public float[][] embed(List<String> texts) {
    Objects.requireNonNull(texts, "texts");
    int n = texts.size();
    float[][][] byPart = new float[parts.size()][][];
    int dim = 0;
    for (int p = 0; p < parts.size(); p++) {
      byPart[p] = parts.get(p).embed(texts);
      int d = parts.get(p).dimension();
      check(p, byPart[p], n, d);
      dim += d;
    }
    float[][] out = new float[n][];
    double[] row = new double[dim];
    for (int i = 0; i < n; i++) {
      int at = 0;
      for (int p = 0; p < parts.size(); p++) {
        float[] v = byPart[p][i];
        for (float x : v) {
          row[at++] = scales[p] * x;
        }
      }
      out[i] = VectorMath.normalized(row);
    }
    return out;
  }

  private void check(int p, float[][] rows, int n, int d) {
    if (rows.length != n) {
      throw new CarrotException("embedder " + parts.get(p).id() + ": returned " + rows.length + " vectors for "
          + n + " texts; expected one per text");
    }
    for (int i = 0; i < n; i++) {
      if (rows[i].length != d) {
        throw new CarrotException("embedder " + parts.get(p).id() + ": vector " + i + " has length "
            + rows[i].length + "; expected " + d);
      }
    }
  }

  @Override
  public void close() {
    CarrotException first = null;
    for (Embedder p : parts) {
      try {
        p.close();
      } catch (RuntimeException e) {
        if (first == null) {
          first = new CarrotException("concat: closing " + p.id() + " failed: " + e.getMessage(), e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  @Override
  public String toString() {
    return "ConcatEmbedder[" + id + "]";
  }
}
