package io.carrot.core.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.carrot.core.CarrotException;
import io.carrot.core.predict.ExactKnnIndex;
import io.carrot.core.predict.KnnAccess;
import io.carrot.core.predict.KnnPredictor;
import io.carrot.core.predict.Predictor;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Stores {@link KnnPredictor}: the training vectors and their per-model targets as float32. */
public final class KnnCodec implements PredictorCodec {
  @Override
  public String kind() {
    return KnnPredictor.KIND;
  }

  @Override
  public void write(Predictor p, ObjectNode meta, EntryWriter out) throws IOException {
    KnnPredictor knn = (KnnPredictor) p;
    ExactKnnIndex index = knn.index();
    int n = index.size();
    float[][] rows = new float[n][];
    for (int j = 0; j < n; j++) {
      rows[j] = index.row(j);
    }
    meta.put("n", n);
    meta.put("dimension", index.dimension());
    meta.put("k", knn.k());
    meta.set("hyper_parameters", Json.MAPPER.valueToTree(knn.hyperParameters()));
    out.put("knn/embeddings.f32", FloatArrays.toBytes(FloatArrays.flatten(rows)));
    out.put("knn/quality.f32", FloatArrays.toBytes(KnnAccess.quality(knn)));
    out.put("knn/output_tokens.f32", FloatArrays.toBytes(KnnAccess.tokens(knn)));
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
    float[] flat = FloatArrays.fromBytes(in.get("knn/embeddings.f32"), "knn/embeddings.f32");
    float[] q = FloatArrays.fromBytes(in.get("knn/quality.f32"), "knn/quality.f32");
    float[] t = FloatArrays.fromBytes(in.get("knn/output_tokens.f32"), "knn/output_tokens.f32");
    if (flat.length != n * d || q.length != n * models.size() || t.length != n * models.size()) {
      throw new CarrotException("router file: knn arrays do not match n=" + n + ", dimension=" + d + ", models=" + models.size());
    }
    Map<String, Object> diag = new java.util.LinkedHashMap<>();
    JsonNode hp = meta.path("hyper_parameters");
    for (String key : new String[] {"k_selection", "cv_r2_by_k"}) {
      if (hp.has(key)) {
        diag.put(key, Json.MAPPER.convertValue(hp.get(key), Object.class));
      }
    }
    return new KnnPredictor(models, new ExactKnnIndex(FloatArrays.reshape(flat, d)), q, t, k, diag);
  }
}
