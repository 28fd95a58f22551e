package io.carrot.embed;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.carrot.core.CarrotException;
import io.carrot.core.embed.Embedder;
import io.carrot.core.linalg.VectorMath;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * In-process sentence embeddings: a BERT-style ONNX model, the model's pooling (mean over the
 * attention mask, or the [CLS] state) and L2 normalization, which is exactly what
 * sentence-transformers does for each {@link OnnxModel}. A model's prefix (e5's {@code "query: "})
 * starts every window, so a long prompt's every window reads as the model was trained to read.
 *
 * <p>A window is the model input including [CLS] and [SEP], so window 256 is sentence-transformers'
 * {@code max_seq_length} for this model and window 128 reproduces the stock truncating tokenizer.
 * Texts longer than a window are handled by the {@link LongTextStrategy}.
 *
 * <p>One ONNX session is shared by all callers ({@code OrtSession.run} is thread-safe); windows of a
 * call are sorted by length and run in padded batches, so padding waste stays small.
 */
public final class OnnxSentenceEmbedder implements Embedder {

  /** sentence-transformers' max_seq_length for all-MiniLM-L6-v2. */
  public static final int DEFAULT_WINDOW = 256;

  private static final Logger LOG = LoggerFactory.getLogger(OnnxSentenceEmbedder.class);
  /** Windows per ONNX run; bounds the activation memory of one call. */
  private static final int MAX_BATCH_WINDOWS = 32;
  /** Padded tokens per ONNX run, so a batch of full windows is smaller than one of short ones. */
  private static final int MAX_BATCH_TOKENS = 32 * 128;
  private static final String INPUT_IDS = "input_ids";
  private static final String ATTENTION_MASK = "attention_mask";
  private static final String TOKEN_TYPE_IDS = "token_type_ids";

  private final String id;
  private final LongTextStrategy strategy;
  private final int window;
  private final WordPieceTokenizer tokenizer;
  private final OnnxModel.Pooling pooling;
  private final int[] prefixIds;
  /** Windows per ONNX run: {@link #MAX_BATCH_WINDOWS}, or 1 for a dynamically quantized model. */
  private final int maxBatchWindows;
  private final OrtEnvironment env;
  private final OrtSession session;
  private final boolean int64Inputs;
  private final boolean hasTokenTypes;
  private final String outputName;
  private final int dimension;
  // Runs hold the read side so close() cannot free the native session under a running call.
  private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
  private boolean closed;

  /**
   * Loads {@code model} from the classpath.
   *
   * @param window model input length including [CLS] and [SEP], 3..{@link OnnxModel#maxPositions()}
   * @param intraOpThreads ONNX Runtime threads per call; at least 1
   */
  public OnnxSentenceEmbedder(
      OnnxModel model, LongTextStrategy strategy, int window, int intraOpThreads) {
    Objects.requireNonNull(model, "model");
    this.strategy = Objects.requireNonNull(strategy, "strategy");
    if (window < 3 || window > model.maxPositions()) {
      throw new CarrotException(
          "window: " + window + "; expected 3.." + model.maxPositions()
              + " (tokens per model input including [CLS] and [SEP]) for " + model.id());
    }
    if (intraOpThreads < 1) {
      throw new CarrotException("intraOpThreads: " + intraOpThreads + "; expected at least 1");
    }
    this.window = window;
    this.id = model.id() + "/" + strategy.id() + "-" + window;
    this.tokenizer = WordPieceTokenizer.fromClasspath(model.tokenizerResource());
    this.pooling = model.pooling();
    // int8 models scale activations per run: batched, a text's vector would depend on its neighbours
    this.maxBatchWindows = model.dynamicallyQuantized() ? 1 : MAX_BATCH_WINDOWS;
    this.prefixIds = tokenizer.wordPieceIds(model.prefix());
    if (window - 2 - prefixIds.length < 1) {
      throw new CarrotException(
          "window: " + window + "; expected at least " + (prefixIds.length + 3) + " for " + model.id()
              + " ([CLS], [SEP], its prefix '" + model.prefix() + "' and one token of text)");
    }

    int blockBase = dynamicBlockBase();
    long start = System.nanoTime();
    byte[] bytes = readResource(model);
    this.env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(intraOpThreads);
      options.setInterOpNumThreads(1);
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      // idle ONNX worker threads would otherwise spin, taking the cores from the threads that
      // serve requests around each embedding (a server, a batch job). -Dcarrot.onnx.spin=run lets
      // them spin between the operators of one run and stop when it ends, =on always: the A/B of
      // docs/BENCHMARKS.md
      String spin = System.getProperty("carrot.onnx.spin", "off");
      options.addConfigEntry("session.intra_op.allow_spinning", spin.equals("off") ? "0" : "1");
      if (spin.equals("run")) {
        options.addConfigEntry("session.force_spinning_stop", "1");
      }
      // blocks of an operator's work shrink as the work left shrinks, so a thread the OS
      // deschedules holds back a small block, not half the operator: the A/B of
      // docs/BENCHMARKS.md; -Dcarrot.onnx.dynamic_block_base=0 restores static blocks
      if (blockBase > 0) {
        options.addConfigEntry("session.dynamic_block_base", Integer.toString(blockBase));
      }
      this.session = env.createSession(bytes, options);
    } catch (OrtException e) {
      throw new CarrotException(
          "ONNX model " + model.modelResource() + ": ONNX Runtime could not load it: " + e.getMessage(),
          e);
    }
    try {
      Map<String, NodeInfo> inputs = session.getInputInfo();
      if (!inputs.containsKey(INPUT_IDS) || !inputs.containsKey(ATTENTION_MASK)) {
        throw new CarrotException(
            "ONNX model " + model.modelResource() + ": inputs " + inputs.keySet()
                + "; expected input_ids, attention_mask and optionally token_type_ids");
      }
      for (String name : inputs.keySet()) {
        if (!Set.of(INPUT_IDS, ATTENTION_MASK, TOKEN_TYPE_IDS).contains(name)) {
          throw new CarrotException(
              "ONNX model " + model.modelResource() + ": unexpected input '" + name
                  + "'; expected only input_ids, attention_mask, token_type_ids");
        }
      }
      this.hasTokenTypes = inputs.containsKey(TOKEN_TYPE_IDS);
      this.int64Inputs =
          ((TensorInfo) inputs.get(INPUT_IDS).getInfo()).type == OnnxJavaType.INT64;
      Map<String, NodeInfo> outputs = session.getOutputInfo();
      this.outputName =
          outputs.containsKey("last_hidden_state")
              ? "last_hidden_state"
              : outputs.keySet().iterator().next();
      long[] shape = ((TensorInfo) outputs.get(outputName).getInfo()).getShape();
      if (shape.length != 3 || shape[2] <= 0) {
        throw new CarrotException(
            "ONNX model " + model.modelResource() + ": output '" + outputName + "' has shape "
                + Arrays.toString(shape) + "; expected [batch, sequence, hidden] token states");
      }
      this.dimension = (int) shape[2];
    } catch (OrtException | RuntimeException e) {
      closeQuietly();
      if (e instanceof CarrotException ce) {
        throw ce;
      }
      throw new CarrotException("ONNX model " + model.modelResource() + ": " + e.getMessage(), e);
    }
    LOG.info(
        "Loaded {} ({} dims, {} threads) in {} ms",
        id, dimension, intraOpThreads, (System.nanoTime() - start) / 1_000_000);
  }

  /** Like the four-argument constructor with one ONNX thread per available processor. */
  public OnnxSentenceEmbedder(OnnxModel model, LongTextStrategy strategy, int window) {
    this(model, strategy, window, Runtime.getRuntime().availableProcessors());
  }

  /** {@code -Dcarrot.onnx.dynamic_block_base}, default 4 (ONNX Runtime's suggestion); 0 = off. */
  private static int dynamicBlockBase() {
    String value = System.getProperty("carrot.onnx.dynamic_block_base", "4");
    try {
      int base = Integer.parseInt(value.strip());
      if (base >= 0) {
        return base;
      }
    } catch (NumberFormatException e) {
      // reported below, with the value
    }
    throw new CarrotException(
        "carrot.onnx.dynamic_block_base: '" + value + "'; expected a whole number >= 0 (0 = static blocks)");
  }

  private static byte[] readResource(OnnxModel model) {
    String resource = model.modelResource();
    try (InputStream in =
        OnnxSentenceEmbedder.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new CarrotException(
            "ONNX model resource: '" + resource + "' is not on the classpath; expected the "
                + model.artifact() + " jar on the classpath");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("reading ONNX model resource " + resource, e);
    }
  }

  /** e.g. {@code all-minilm-l6-v2/head-tail-256}. */
  @Override
  public String id() {
    return id;
  }

  @Override
  public int dimension() {
    return dimension;
  }

  /** How prompts longer than the window are handled. */
  public LongTextStrategy strategy() {
    return strategy;
  }

  /** Model input length including [CLS] and [SEP]. */
  public int window() {
    return window;
  }

  /** The tokenizer of the model. */
  public WordPieceTokenizer tokenizer() {
    return tokenizer;
  }

  @Override
  public float[][] embed(List<String> texts) {
    Objects.requireNonNull(texts, "texts");
    List<int[]> windows = new ArrayList<>(texts.size());
    int[] firstWindow = new int[texts.size() + 1];
    for (int t = 0; t < texts.size(); t++) {
      String text = Texts.at(texts, t);
      firstWindow[t] = windows.size();
      for (int[] w : strategy.windows(tokenizer.wordPieceIds(text), window - 2 - prefixIds.length)) {
        windows.add(withPrefix(w));
      }
    }
    firstWindow[texts.size()] = windows.size();

    float[][] windowVectors = embedWindows(windows);

    float[][] out = new float[texts.size()][];
    for (int t = 0; t < texts.size(); t++) {
      int from = firstWindow[t];
      int to = firstWindow[t + 1];
      if (to - from == 1) {
        out[t] = windowVectors[from];
      } else {
        double[] sum = new double[dimension];
        for (int w = from; w < to; w++) {
          for (int d = 0; d < dimension; d++) {
            sum[d] += windowVectors[w][d];
          }
        }
        out[t] = VectorMath.normalized(sum);
      }
    }
    return out;
  }

  private int[] withPrefix(int[] w) {
    if (prefixIds.length == 0) {
      return w;
    }
    int[] out = Arrays.copyOf(prefixIds, prefixIds.length + w.length);
    System.arraycopy(w, 0, out, prefixIds.length, w.length);
    return out;
  }

  /**
   * Unit-length pooled vectors of content windows (wordpiece ids without [CLS]/[SEP]), in
   * input order. This is sentence-transformers' computation on the sequence {@code [CLS] w [SEP]};
   * a window given here is used as is (no prefix added).
   */
  public float[][] embedWindows(List<int[]> windows) {
    int n = windows.size();
    for (int i = 0; i < n; i++) {
      if (windows.get(i).length > window - 2) {
        throw new CarrotException(
            "windows[" + i + "]: " + windows.get(i).length + " wordpieces; expected at most "
                + (window - 2) + " (window " + window + " less [CLS] and [SEP]) for " + id);
      }
    }
    float[][] out = new float[n][];
    // Sort by length (length in the high bits, index in the low ones) so batches pad little.
    long[] order = new long[n];
    for (int i = 0; i < n; i++) {
      order[i] = ((long) windows.get(i).length << 32) | i;
    }
    Arrays.sort(order);
    lifecycle.readLock().lock();
    try {
      if (closed) {
        throw new CarrotException("embedder " + id + ": used after close()");
      }
      int from = 0;
      while (from < n) {
        int to = from + 1;
        while (to < n && to - from < maxBatchWindows) {
          int seqLen = (int) (order[to] >>> 32) + 2;
          if ((long) (to - from + 1) * seqLen > MAX_BATCH_TOKENS) {
            break;
          }
          to++;
        }
        runBatch(windows, order, from, to, out);
        from = to;
      }
    } finally {
      lifecycle.readLock().unlock();
    }
    return out;
  }

  private void runBatch(List<int[]> windows, long[] order, int from, int to, float[][] out) {
    int batch = to - from;
    int seqLen = (int) (order[to - 1] >>> 32) + 2;
    long[] ids = new long[batch * seqLen];
    long[] mask = new long[batch * seqLen];
    for (int b = 0; b < batch; b++) {
      int[] w = windows.get((int) order[from + b]);
      int base = b * seqLen;
      ids[base] = tokenizer.clsId();
      for (int i = 0; i < w.length; i++) {
        ids[base + 1 + i] = w[i];
      }
      ids[base + 1 + w.length] = tokenizer.sepId();
      for (int i = w.length + 2; i < seqLen; i++) {
        ids[base + i] = tokenizer.padId();
      }
      Arrays.fill(mask, base, base + w.length + 2, 1L);
    }
    long[] shape = {batch, seqLen};
    Map<String, OnnxTensor> inputs = new HashMap<>();
    try {
      inputs.put(INPUT_IDS, tensor(ids, shape));
      inputs.put(ATTENTION_MASK, tensor(mask, shape));
      if (hasTokenTypes) {
        inputs.put(TOKEN_TYPE_IDS, tensor(new long[ids.length], shape));
      }
      try (OrtSession.Result result = session.run(inputs, Set.of(outputName))) {
        FloatBuffer hidden = ((OnnxTensor) result.get(0)).getFloatBuffer();
        double[] sum = new double[dimension];
        for (int b = 0; b < batch; b++) {
          // [CLS] pooling reads the first state only; mean pooling every unmasked one.
          int tokens = pooling == OnnxModel.Pooling.CLS ? 1 : windows.get((int) order[from + b]).length + 2;
          Arrays.fill(sum, 0);
          int base = b * seqLen * dimension;
          for (int p = 0; p < tokens; p++) {
            int off = base + p * dimension;
            for (int d = 0; d < dimension; d++) {
              sum[d] += hidden.get(off + d);
            }
          }
          // The mean's 1/tokens factor cancels in the normalization.
          out[(int) order[from + b]] = VectorMath.normalized(sum);
        }
      }
    } catch (OrtException e) {
      throw new CarrotException(
          "embedder " + id + ": ONNX Runtime failed on a batch of " + batch + " windows of "
              + seqLen + " tokens: " + e.getMessage(),
          e);
    } finally {
      for (OnnxTensor t : inputs.values()) {
        t.close();
      }
    }
  }

  private OnnxTensor tensor(long[] values, long[] shape) throws OrtException {
    if (int64Inputs) {
      return OnnxTensor.createTensor(env, LongBuffer.wrap(values), shape);
    }
    int[] narrow = new int[values.length];
    for (int i = 0; i < values.length; i++) {
      narrow[i] = (int) values[i];
    }
    return OnnxTensor.createTensor(env, IntBuffer.wrap(narrow), shape);
  }

  @Override
  public void close() {
    lifecycle.writeLock().lock();
    try {
      if (!closed) {
        closed = true;
        closeQuietly();
      }
    } finally {
      lifecycle.writeLock().unlock();
    }
  }

  private void closeQuietly() {
    try {
      session.close();
    } catch (OrtException e) {
      LOG.warn("Closing ONNX session of {} failed: {}", id, e.getMessage());
    }
  }

  @Override
  public String toString() {
    return "OnnxSentenceEmbedder[" + id + "]";
  }
}
