package io.carrot.embed;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.carrot.core.CarrotException;
import io.carrot.core.ProgressListener;
import io.carrot.core.Version;
import io.carrot.core.files.Json;
import io.carrot.core.linalg.SymmetricEigen;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Distills a {@link StaticTable} from an in-process transformer, in three steps (Model2Vec's recipe,
 * with our own code):
 * <ol>
 *   <li><b>Token vectors.</b> Every vocabulary token t is embedded by the transformer as the one-token
 *       text {@code [CLS] t [SEP]} (mean pooling, L2 norm): its output embedding in a neutral
 *       context.</li>
 *   <li><b>PCA.</b> The vectors are centred on the mean of the ordinary tokens ({@code [...]} special
 *       and unused tokens left out of the fit) and projected on the top {@code dimension} principal
 *       directions. Centring removes the direction every token shares, which would otherwise
 *       dominate the sum of a prompt's tokens.</li>
 *   <li><b>Weights.</b> Each row is scaled by a smooth inverse frequency weight {@code a / (a + p(t))}
 *       with a = {@value #SIF_A} and p a Zipf prior over the vocabulary's rank: WordPiece
 *       vocabularies list tokens roughly by frequency, so {@code p(t) ~ 1 / (id + 2)}. Frequent
 *       tokens (articles, punctuation) count less, rare content words close to fully.</li>
 * </ol>
 * A prompt's vector is then the normalized sum of its tokens' rows ({@link StaticEmbedder}).
 */
public final class StaticDistiller {

  /** The smooth-inverse-frequency constant (Model2Vec's default). */
  public static final double SIF_A = 1e-4;
  /** Tokens embedded per call to the transformer (one progress step). */
  private static final int CHUNK = 1024;

  private StaticDistiller() {}

  /**
   * Distills {@code model} into a table of {@code dimension} columns with id
   * {@code static-<model short name>-<dimension>}.
   *
   * @param command how to repeat the run, recorded in the provenance
   */
  public static StaticTable distill(OnnxModel model, int dimension, String command, ProgressListener progress) {
    Objects.requireNonNull(model, "model");
    if (dimension < 1 || dimension > 384) {
      throw new CarrotException("dimension: " + dimension + "; expected 1..384 (at most the transformer's)");
    }
    WordPieceTokenizer tokenizer = WordPieceTokenizer.fromClasspath(model.tokenizerResource());
    float[][] tokens;
    try (OnnxSentenceEmbedder transformer = new OnnxSentenceEmbedder(model, LongTextStrategy.HEAD, 3)) {
      if (dimension > transformer.dimension()) {
        throw new CarrotException(
            "dimension: " + dimension + "; expected at most " + transformer.dimension() + " (" + model.id() + "'s)");
      }
      tokens = tokenVectors(transformer, tokenizer.vocabSize(), progress);
    }
    boolean[] ordinary = ordinaryTokens(tokenizer);
    Pca pca = pca(tokens, ordinary, dimension, progress);
    float[][] rows = new float[tokens.length][];
    for (int t = 0; t < tokens.length; t++) {
      rows[t] = pca.project(tokens[t], (float) weight(t));
    }

    ObjectNode prov = Json.COMPACT.createObjectNode();
    ObjectNode source = prov.putObject("source_model");
    source.put("id", model.id());
    source.put("resource", model.modelResource());
    source.put("sha256", sha256(model.modelResource()));
    source.put("carrier", model.artifact());
    prov.put("token_vectors", "the transformer's " + (model.pooling() == OnnxModel.Pooling.CLS ? "[CLS]" : "mean")
        + "-pooled, L2-normalized output for the one-token text [CLS] t [SEP]");
    ObjectNode p = prov.putObject("pca");
    p.put("dimension", dimension);
    p.put("fitted_on_tokens", pca.fittedOn());
    p.put("explained_variance", Double.parseDouble(String.format(Locale.ROOT, "%.4f", pca.explained())));
    prov.put("weights", "smooth inverse frequency a / (a + p(t)), a = " + SIF_A
        + ", p(t) = (1 / (id + 2)) / sum over the vocabulary (Zipf prior over vocabulary rank), folded into the rows");
    prov.put("made_by", "carrot " + Version.CURRENT);
    prov.put("command", command);
    String id = "static-" + shortName(model) + "-" + dimension;
    return StaticTable.quantize(id, model.tokenizerResource(), StaticTable.vocabSha256(tokenizer), rows, prov);
  }

  /** The model's short name as {@link Embedders} takes it, e.g. {@code minilm}, {@code bge-small-q}. */
  static String shortName(OnnxModel model) {
    return switch (model) {
      case ALL_MINILM_L6_V2 -> "minilm";
      case ALL_MINILM_L6_V2_Q -> "minilm-q";
      case BGE_SMALL_EN_V15 -> "bge-small";
      case BGE_SMALL_EN_V15_Q -> "bge-small-q";
      case E5_SMALL_V2 -> "e5-small";
      case E5_SMALL_V2_Q -> "e5-small-q";
    };
  }

  /** The SIF weight of token {@code id} under the Zipf prior over a vocabulary in frequency order. */
  static double weight(int id) {
    return SIF_A / (SIF_A + 1.0 / (id + 2) / ZIPF_NORM);
  }

  /**
   * Sum of {@code 1 / (id + 2)} over BERT's 30,522-token vocabulary, which every supported model
   * uses; fixed so that a weight does not depend on the vocabulary it is computed for.
   */
  private static final double ZIPF_NORM = zipfNorm(30_522);

  private static double zipfNorm(int vocab) {
    double s = 0;
    for (int i = 0; i < vocab; i++) {
      s += 1.0 / (i + 2);
    }
    return s;
  }

  private static float[][] tokenVectors(OnnxSentenceEmbedder transformer, int vocab, ProgressListener progress) {
    float[][] out = new float[vocab][];
    for (int from = 0; from < vocab; from += CHUNK) {
      int to = Math.min(vocab, from + CHUNK);
      List<int[]> windows = new ArrayList<>(to - from);
      for (int t = from; t < to; t++) {
        windows.add(new int[] {t});
      }
      float[][] v = transformer.embedWindows(windows);
      System.arraycopy(v, 0, out, from, v.length);
      progress.update("embedding every token with " + transformer.id(), to, vocab);
    }
    return out;
  }

  /** False for bracketed special and unused tokens ([PAD], [unused7], ...). */
  private static boolean[] ordinaryTokens(WordPieceTokenizer tokenizer) {
    int[] all = new int[tokenizer.vocabSize()];
    for (int i = 0; i < all.length; i++) {
      all[i] = i;
    }
    List<String> names = tokenizer.tokens(all);
    boolean[] out = new boolean[all.length];
    for (int i = 0; i < all.length; i++) {
      String s = names.get(i);
      out[i] = !(s.length() > 2 && s.startsWith("[") && s.endsWith("]"));
    }
    return out;
  }

  /** The mean and top principal directions of the ordinary tokens' vectors. */
  private static Pca pca(float[][] x, boolean[] use, int k, ProgressListener progress) {
    int d = x[0].length;
    double[] mean = new double[d];
    int n = 0;
    for (int t = 0; t < x.length; t++) {
      if (use[t]) {
        n++;
        for (int j = 0; j < d; j++) {
          mean[j] += x[t][j];
        }
      }
    }
    for (int j = 0; j < d; j++) {
      mean[j] /= n;
    }
    double[][] cov = new double[d][d];
    double[] c = new double[d];
    for (int t = 0; t < x.length; t++) {
      if (!use[t]) {
        continue;
      }
      for (int j = 0; j < d; j++) {
        c[j] = x[t][j] - mean[j];
      }
      for (int i = 0; i < d; i++) {
        double ci = c[i];
        double[] row = cov[i];
        for (int j = i; j < d; j++) {
          row[j] += ci * c[j];
        }
      }
    }
    double trace = 0;
    for (int i = 0; i < d; i++) {
      for (int j = i; j < d; j++) {
        cov[i][j] /= n;
        cov[j][i] = cov[i][j];
      }
      trace += cov[i][i];
    }
    progress.update("principal directions", 0, 1);
    double[][] vecs = SymmetricEigen.vectorsByDescendingValue(cov);
    progress.update("principal directions", 1, 1);
    double[][] components = new double[k][d];
    double kept = 0;
    for (int a = 0; a < k; a++) {
      for (int j = 0; j < d; j++) {
        components[a][j] = vecs[j][a];
      }
      double var = 0;
      for (int i = 0; i < d; i++) {
        double s = 0;
        for (int j = 0; j < d; j++) {
          s += cov[i][j] * components[a][j];
        }
        var += components[a][i] * s;
      }
      kept += var;
    }
    return new Pca(mean, components, n, kept / trace);
  }

  private record Pca(double[] mean, double[][] components, int fittedOn, double explained) {
    float[] project(float[] v, float weight) {
      float[] out = new float[components.length];
      for (int a = 0; a < components.length; a++) {
        double s = 0;
        for (int j = 0; j < mean.length; j++) {
          s += (v[j] - mean[j]) * components[a][j];
        }
        out[a] = (float) (weight * s);
      }
      return out;
    }
  }

  private static String sha256(String resource) {
    try (InputStream in = StaticDistiller.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new CarrotException("ONNX model resource: '" + resource + "' is not on the classpath");
      }
      var sha = EmbeddingCache.digest();
      byte[] buf = new byte[1 << 16];
      int n;
      while ((n = in.read(buf)) > 0) {
        sha.update(buf, 0, n);
      }
      return HexFormat.of().formatHex(sha.digest());
    } catch (IOException e) {
      throw new CarrotException("ONNX model resource " + resource + ": cannot read: " + e.getMessage(), e);
    }
  }
}
