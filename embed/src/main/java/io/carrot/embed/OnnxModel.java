package io.carrot.embed;

/**
 * Sentence-embedding models shipped as ONNX files with a BERT {@code tokenizer.json} on the
 * classpath (from the langchain4j embedding artifacts, which we use only as model carriers).
 */
public enum OnnxModel {
  /** sentence-transformers/all-MiniLM-L6-v2, float32: 384 dimensions, mean pooling. */
  ALL_MINILM_L6_V2("all-minilm-l6-v2", "all-minilm-l6-v2.onnx", "all-minilm-l6-v2-tokenizer.json", 512),
  /** The same model quantized to int8: about 4x smaller and faster, slightly different vectors. */
  ALL_MINILM_L6_V2_Q(
      "all-minilm-l6-v2-q", "all-minilm-l6-v2-q.onnx", "all-minilm-l6-v2-q-tokenizer.json", 512);

  private final String id;
  private final String modelResource;
  private final String tokenizerResource;
  private final int maxPositions;

  OnnxModel(String id, String modelResource, String tokenizerResource, int maxPositions) {
    this.id = id;
    this.modelResource = modelResource;
    this.tokenizerResource = tokenizerResource;
    this.maxPositions = maxPositions;
  }

  /** First part of the embedder id, e.g. {@code all-minilm-l6-v2}. */
  public String id() {
    return id;
  }

  /** Classpath location of the ONNX model. */
  public String modelResource() {
    return modelResource;
  }

  /** Classpath location of the tokenizer. */
  public String tokenizerResource() {
    return tokenizerResource;
  }

  /** Position embeddings the model has: the largest window, [CLS] and [SEP] included. */
  public int maxPositions() {
    return maxPositions;
  }
}
