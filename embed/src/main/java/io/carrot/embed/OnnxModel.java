package io.carrot.embed;

/**
 * Sentence-embedding models shipped as ONNX files with a BERT {@code tokenizer.json} on the
 * classpath (from the langchain4j embedding artifacts, which we use only as model carriers). All of
 * them share BERT's uncased 30,522-token vocabulary, so one {@link WordPieceTokenizer} serves them.
 */
public enum OnnxModel {
  /** sentence-transformers/all-MiniLM-L6-v2, float32: 6 layers, 384 dimensions, mean pooling. */
  ALL_MINILM_L6_V2("all-minilm-l6-v2", "all-minilm-l6-v2", Pooling.MEAN, ""),
  /** The same model quantized to int8: about 4x smaller and faster, slightly different vectors. */
  ALL_MINILM_L6_V2_Q("all-minilm-l6-v2-q", "all-minilm-l6-v2-q", Pooling.MEAN, ""),
  /**
   * BAAI/bge-small-en-v1.5, float32: 12 layers, 384 dimensions, the [CLS] state as the sentence
   * vector (its sentence-transformers pooling). No instruction prefix: BGE's "Represent this
   * sentence..." instruction is for short retrieval queries against passages, and routing compares
   * prompts with prompts.
   */
  BGE_SMALL_EN_V15("bge-small-en-v1.5", "bge-small-en-v15", Pooling.CLS, ""),
  /** BGE-small-en-v1.5 quantized to int8. */
  BGE_SMALL_EN_V15_Q("bge-small-en-v1.5-q", "bge-small-en-v15-q", Pooling.CLS, ""),
  /**
   * intfloat/e5-small-v2, float32: 12 layers, 384 dimensions, mean pooling; every text is
   * prefixed with {@code "query: "}, which its authors prescribe for symmetric tasks.
   */
  E5_SMALL_V2("e5-small-v2", "e5-small-v2", Pooling.MEAN, "query: "),
  /** e5-small-v2 quantized to int8. */
  E5_SMALL_V2_Q("e5-small-v2-q", "e5-small-v2-q", Pooling.MEAN, "query: ");

  /** How token states become one sentence vector. */
  public enum Pooling {
    /** The mean of the token states under the attention mask. */
    MEAN,
    /** The state of the [CLS] token. */
    CLS
  }

  private final String id;
  private final String artifact;
  private final Pooling pooling;
  private final String prefix;

  OnnxModel(String id, String artifactSuffix, Pooling pooling, String prefix) {
    this.id = id;
    this.artifact = "dev.langchain4j:langchain4j-embeddings-" + artifactSuffix;
    this.pooling = pooling;
    this.prefix = prefix;
  }

  /** First part of the embedder id, e.g. {@code all-minilm-l6-v2}. */
  public String id() {
    return id;
  }

  /** Classpath location of the ONNX model. */
  public String modelResource() {
    return id + ".onnx";
  }

  /** Classpath location of the tokenizer. */
  public String tokenizerResource() {
    return id + "-tokenizer.json";
  }

  /** The Maven artifact (group:artifact) that carries the model. */
  public String artifact() {
    return artifact;
  }

  /** Position embeddings the model has: the largest window, [CLS] and [SEP] included. */
  public int maxPositions() {
    return 512;
  }

  /** How the model's token states are pooled into the sentence vector. */
  public Pooling pooling() {
    return pooling;
  }

  /**
   * Whether the model is quantized with dynamic int8 activations ({@code -q}). Its activation
   * scale is computed over the whole input of a run, so a window's vector would depend on the other
   * windows of its batch: such models embed one window per run.
   */
  public boolean dynamicallyQuantized() {
    return id.endsWith("-q");
  }

  /** Text the model expects before every input (counted in the window), or empty. */
  public String prefix() {
    return prefix;
  }
}
