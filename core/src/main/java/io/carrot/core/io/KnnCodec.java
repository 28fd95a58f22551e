package io.carrot.core.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.carrot.core.CarrotException;
import io.carrot.core.files.FloatArrays;
import io.carrot.core.files.Json;
import io.carrot.core.index.VectorIndex;
import io.carrot.core.index.VectorIndexFactory;
import io.carrot.core.index.VectorIndexes;
import io.carrot.core.linalg.VectorMath;
import io.carrot.core.predict.Predictor;
import io.carrot.core.predict.knn.KnnAccess;
import io.carrot.core.predict.knn.KnnPredictor;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Stores {@link KnnPredictor}: the training vectors (float32, or float16 / int8 per {@link
 * VectorEncoding}) and their per-model targets as float32. On load the search index is chosen by
 * {@link VectorIndexes} (exact, or approximate for large stores when the ann module is present).
 * A predictor searching an approximate index whose factory can {@linkplain VectorIndexFactory#encode
 * encode} it also stores the index ({@code knn/index.<kind>}, format version 2), so loading skips
 * the rebuild.
 */
public final class KnnCodec implements PredictorCodec {
  static final String ENCODING = "embeddings_encoding";
  static final String INDEX = "index";

  @Override
  public String kind() {
    return KnnPredictor.KIND;
  }

  @Override
  public void write(Predictor p, ObjectNode meta, EntryWriter out) throws IOException {
    write(p, meta, out, VectorEncoding.F32);
  }

  @Override
  public int write(Predictor p, ObjectNode meta, EntryWriter out, VectorEncoding encoding) throws IOException {
    KnnPredictor knn = (KnnPredictor) p;
    VectorIndex index = knn.index();
    int n = index.size();
    int d = index.dimension();
    float[] flat = new float[Math.multiplyExact(n, d)];
    for (int j = 0; j < n; j++) {
      System.arraycopy(index.row(j), 0, flat, j * d, d);
    }
    meta.put("n", n);
    meta.put("dimension", d);
    meta.put("k", knn.k());
    if (encoding != VectorEncoding.F32) {
      // absent means f32, so version-1 files stay byte-identical
      meta.put(ENCODING, encoding.id());
    }
    meta.set("hyper_parameters", Json.MAPPER.valueToTree(knn.hyperParameters()));
    switch (encoding) {
      case F32 -> out.put("knn/embeddings.f32", FloatArrays.toBytes(flat));
      case F16 -> out.put("knn/embeddings.f16", VectorEncoding.toF16(flat));
      case I8 -> {
        float[] scales = new float[n];
        byte[] codes = VectorEncoding.toI8(flat, d, scales);
        out.put("knn/embeddings.i8", codes);
        out.put("knn/embeddings_scale.f32", FloatArrays.toBytes(scales));
      }
    }
    out.put("knn/quality.f32", FloatArrays.toBytes(KnnAccess.quality(knn)));
    out.put("knn/output_tokens.f32", FloatArrays.toBytes(KnnAccess.tokens(knn)));
    boolean storedIndex = false;
    if (!index.kind().equals("exact")) {
      VectorIndexFactory f = VectorIndexes.factory(index.kind());
      byte[] graph = f == null ? null : f.encode(index);
      if (graph != null) {
        // an approximate index over a large store takes minutes to build; loading it takes seconds
        meta.put(INDEX, index.kind());
        out.put("knn/index." + index.kind(), graph);
        storedIndex = true;
      }
    }
    return encoding == VectorEncoding.F32 && !storedIndex ? 1 : 2;
  }

  @Override
  public Predictor read(JsonNode meta, EntryReader in) throws IOException {
    int n = meta.path("n").asInt(-1);
    int d = meta.path("dimension").asInt(-1);
    int k = meta.path("k").asInt(-1);
    List<String> models = new ArrayList<>();
    meta.path("models").forEach(x -> models.add(x.asText()));
    if (n < 1 || d < 1 || k < 1 || models.isEmpty()) {
      throw new CarrotException("router file: knn section needs n, dimension, k >= 1 and models");
    }
    VectorEncoding encoding = VectorEncoding.parse(meta.path(ENCODING).asText("f32"));
    float[] flat = readEmbeddings(encoding, n, d, in);
    float[] q = FloatArrays.fromBytes(in.get("knn/quality.f32"), "knn/quality.f32");
    float[] t = FloatArrays.fromBytes(in.get("knn/output_tokens.f32"), "knn/output_tokens.f32");
    if (flat.length != (long) n * d || q.length != (long) n * models.size() || t.length != (long) n * models.size()) {
      throw new CarrotException("router file: knn arrays do not match n=" + n + ", dimension=" + d + ", models=" + models.size());
    }
    Map<String, Object> diag = new java.util.LinkedHashMap<>();
    JsonNode hp = meta.path("hyper_parameters");
    for (String key : new String[] {"k_selection", "cv_r2_by_k"}) {
      if (hp.has(key)) {
        diag.put(key, Json.MAPPER.convertValue(hp.get(key), Object.class));
      }
    }
    return new KnnPredictor(models, index(meta, FloatArrays.reshape(flat, d), in), q, t, k, diag);
  }

  /**
   * The stored approximate index when the file has one, its factory is on the classpath and exact
   * search is not forced; otherwise whatever {@link VectorIndexes#build(float[][])} chooses.
   */
  private static VectorIndex index(JsonNode meta, float[][] rows, EntryReader in) throws IOException {
    String kind = meta.path(INDEX).asText("");
    if (!kind.isEmpty() && !VectorIndexes.configuredMode().equals("exact")) {
      VectorIndexFactory f = VectorIndexes.factory(kind);
      if (f != null) {
        return f.decode(rows, in.get("knn/index." + kind));
      }
    }
    return VectorIndexes.build(rows);
  }

  private static float[] readEmbeddings(VectorEncoding encoding, int n, int d, EntryReader in) throws IOException {
    switch (encoding) {
      case F16 -> {
        float[] flat = VectorEncoding.fromF16(in.get("knn/embeddings.f16"), "knn/embeddings.f16");
        VectorMath.normalizeRows(flat, d);
        return flat;
      }
      case I8 -> {
        byte[] codes = in.get("knn/embeddings.i8");
        float[] scales = FloatArrays.fromBytes(in.get("knn/embeddings_scale.f32"), "knn/embeddings_scale.f32");
        if (codes.length != (long) n * d || scales.length != n) {
          throw new CarrotException(
              "router file: knn/embeddings.i8 has " + codes.length + " codes and " + scales.length
                  + " scales, expected " + n + " x " + d + " and " + n);
        }
        float[] flat = VectorEncoding.fromI8(codes, scales, d);
        VectorMath.normalizeRows(flat, d);
        return flat;
      }
      default -> {
        return FloatArrays.fromBytes(in.get("knn/embeddings.f32"), "knn/embeddings.f32");
      }
    }
  }
}
