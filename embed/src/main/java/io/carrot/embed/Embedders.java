package io.carrot.embed;

import io.carrot.core.CarrotException;
import io.carrot.core.embed.Embedder;
import java.util.List;
import java.util.Locale;

/**
 * Creates embedders from the short names users type on the command line and from the ids routers
 * record, so a saved router can recreate the exact embedder it was trained with.
 *
 * <p>Names:
 * <ul>
 *   <li>{@code minilm}: all-MiniLM-L6-v2 with {@link #DEFAULT_STRATEGY} and {@link #DEFAULT_WINDOW};
 *       {@code minilm-q}: its int8-quantized version.</li>
 *   <li>{@code bge-small} (BAAI/bge-small-en-v1.5), {@code e5-small} (intfloat/e5-small-v2, each
 *       text prefixed with {@code "query: "}) and their int8 versions {@code bge-small-q},
 *       {@code e5-small-q}: 12-layer, 384-dimension encoders, with the same default strategy and
 *       window and the same {@code :<strategy>[-<window>]} suffix as minilm.</li>
 *   <li>{@code minilm:<strategy>[-<window>]}, e.g. {@code minilm:head-128},
 *       {@code minilm-q:chunk-mean-256}, {@code minilm:tail}; strategies are head, tail, head-tail,
 *       chunk-mean, splice; the window counts [CLS] and [SEP], 3..512.</li>
 *   <li>An ONNX embedder's id, e.g. {@code all-minilm-l6-v2/head-tail-256}.</li>
 *   <li>{@code fast}: the static token-embedding table distilled from all-MiniLM-L6-v2 that ships
 *       in this jar ({@link StaticEmbedder#shipped()}), whose id (e.g. {@code static-minilm-256}) is
 *       also accepted; {@code static:<file>} loads another table made by {@code carrot embed distill}.</li>
 *   <li>{@code openai:<model>[@<baseUrl>]}, e.g. {@code openai:text-embedding-3-small} or
 *       {@code openai:nomic-embed-text@http://localhost:11434}; the key comes from
 *       {@code OPENAI_API_KEY} when set.</li>
 *   <li>{@code features} (id {@code features-v1}): cheap prompt features ({@link PromptFeatures}).</li>
 *   <li>{@code concat:<name>+<name>[+...]}, e.g. {@code concat:minilm+fast+features}, or its id
 *       {@code concat(<id>+<id>...)}: the parts side by side ({@link ConcatEmbedder}).</li>
 * </ul>
 */
public final class Embedders {

  /** The embedder used when none is named. */
  public static final String DEFAULT = "minilm-q";
  /** The name of the fast static embedder shipped in this jar. */
  public static final String FAST = "fast";
  /** How the default embedder fits long prompts into its window. */
  public static final LongTextStrategy DEFAULT_STRATEGY = LongTextStrategy.HEAD_TAIL;
  /** The default window in tokens, [CLS] and [SEP] included. */
  public static final int DEFAULT_WINDOW = OnnxSentenceEmbedder.DEFAULT_WINDOW;

  /** Examples of every accepted form, for help texts and error messages. */
  public static final List<String> NAMES = List.of(
      "minilm",
      "minilm-q",
      "minilm:<head|tail|head-tail|chunk-mean|splice>[-<window>]",
      "minilm-q:<head|tail|head-tail|chunk-mean|splice>[-<window>]",
      "bge-small[-q][:<strategy>[-<window>]]",
      "e5-small[-q][:<strategy>[-<window>]]",
      "<onnx model id>/<strategy>-<window>, e.g. all-minilm-l6-v2/head-tail-256",
      "fast",
      "static:<file>",
      "openai:<model>[@<baseUrl>]",
      "features",
      "concat:<name>+<name>[+...]");

  private Embedders() {}

  /** The {@link #DEFAULT} embedder. */
  public static Embedder createDefault() {
    return create(DEFAULT);
  }

  /** Creates the embedder {@code name} denotes (see the class comment). */
  public static Embedder create(String name) {
    if (name == null || name.isBlank()) {
      throw unknown(name);
    }
    String n = name.strip();
    if (ConcatEmbedder.accepts(n)) {
      return ConcatEmbedder.parse(n);
    }
    if (n.startsWith("openai:")) {
      String rest = n.substring("openai:".length());
      int at = rest.indexOf('@');
      String model = at < 0 ? rest : rest.substring(0, at);
      if (model.isBlank() || (at >= 0 && at == rest.length() - 1)) {
        throw unknown(name);
      }
      OpenAiEmbedder.Builder b = OpenAiEmbedder.builder(model);
      if (at >= 0) {
        b.baseUrl(rest.substring(at + 1));
      }
      return b.build();
    }
    if (n.startsWith("static:")) {
      return StaticEmbedder.fromFile(java.nio.file.Path.of(n.substring("static:".length())));
    }
    String lower = n.toLowerCase(Locale.ROOT);
    if (lower.equals(PromptFeatures.NAME) || lower.equals(PromptFeatures.ID)) {
      return new PromptFeatures();
    }
    if (lower.equals(FAST) || lower.startsWith("static-")) {
      StaticEmbedder shipped = StaticEmbedder.shipped();
      if (lower.equals(FAST) || lower.equals(shipped.id())) {
        return shipped;
      }
      throw new CarrotException(
          "embedder: '" + name + "' is a static table this carrot does not ship (it ships " + shipped.id()
              + "); load the table with static:<file>");
    }
    for (OnnxModel model : OnnxModel.values()) {
      if (lower.startsWith(model.id() + "/")) {
        return onnx(name, model, lower.substring(model.id().length() + 1));
      }
    }
    int colon = lower.indexOf(':');
    String base = colon < 0 ? lower : lower.substring(0, colon);
    OnnxModel model = switch (base) {
      case "minilm" -> OnnxModel.ALL_MINILM_L6_V2;
      case "minilm-q" -> OnnxModel.ALL_MINILM_L6_V2_Q;
      case "bge-small" -> OnnxModel.BGE_SMALL_EN_V15;
      case "bge-small-q" -> OnnxModel.BGE_SMALL_EN_V15_Q;
      case "e5-small" -> OnnxModel.E5_SMALL_V2;
      case "e5-small-q" -> OnnxModel.E5_SMALL_V2_Q;
      default -> throw unknown(name);
    };
    if (colon < 0) {
      return new OnnxSentenceEmbedder(model, DEFAULT_STRATEGY, DEFAULT_WINDOW);
    }
    return onnx(name, model, lower.substring(colon + 1));
  }

  /** {@code spec} is {@code <strategy>[-<window>]}. */
  private static Embedder onnx(String name, OnnxModel model, String spec) {
    int dash = spec.lastIndexOf('-');
    String strategy = spec;
    int window = DEFAULT_WINDOW;
    if (dash > 0 && !spec.substring(dash + 1).isEmpty()
        && spec.substring(dash + 1).chars().allMatch(Character::isDigit)) {
      strategy = spec.substring(0, dash);
      try {
        window = Integer.parseInt(spec.substring(dash + 1));
      } catch (NumberFormatException e) {
        throw unknown(name);
      }
    }
    LongTextStrategy s;
    try {
      s = LongTextStrategy.parse(strategy);
    } catch (CarrotException e) {
      throw unknown(name);
    }
    return new OnnxSentenceEmbedder(model, s, window);
  }

  private static CarrotException unknown(String name) {
    return new CarrotException(
        "embedder: '" + name + "' is not a known embedder name; expected one of " + String.join(", ", NAMES));
  }
}
