package io.carrot.core.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.carrot.core.CarrotException;
import io.carrot.core.files.Json;
import io.carrot.core.predict.Predictor;
import io.carrot.core.predict.knn.KnnPredictor;
import io.carrot.core.predict.knn.WeightedKnnPredictor;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Stores {@link WeightedKnnPredictor}: the kernel width ({@code tau}, absent for uniform weights),
 * the prior and its strengths in the JSON, the training store as a {@code knn} section under {@code
 * weighted-knn/} (so vector encodings and stored approximate indexes work as for plain KNN).
 */
public final class WeightedKnnCodec implements PredictorCodec {
  static final String PREFIX = "weighted-knn/";

  @Override
  public String kind() {
    return WeightedKnnPredictor.KIND;
  }

  @Override
  public void write(Predictor p, ObjectNode meta, EntryWriter out) throws IOException {
    write(p, meta, out, VectorEncoding.F32);
  }

  @Override
  public int write(Predictor p, ObjectNode meta, EntryWriter out, VectorEncoding encoding) throws IOException {
    WeightedKnnPredictor w = (WeightedKnnPredictor) p;
    meta.put("weights", Double.isInfinite(w.tau()) ? "uniform" : "exp((s - s_1) / tau)");
    if (!Double.isInfinite(w.tau())) {
      meta.put("tau", w.tau());
    }
    meta.put("prior", w.prior().id());
    meta.set("quality_prior_strength", Json.MAPPER.valueToTree(w.qualityStrength()));
    meta.set("token_prior_strength", Json.MAPPER.valueToTree(w.tokenStrength()));
    meta.set("diagnostics", Json.MAPPER.valueToTree(w.diagnostics()));
    return PredictorCodecs.write(w.store(), meta.putObject("store"), out, PREFIX, encoding);
  }

  @Override
  public Predictor read(JsonNode meta, EntryReader in) throws IOException {
    Predictor store = PredictorCodecs.read(meta.path("store"), in, PREFIX, "router file");
    if (!(store instanceof KnnPredictor knn)) {
      throw new CarrotException("router file: the weighted-knn store must be a knn section, got '" + store.kind() + "'");
    }
    double tau = meta.has("tau") ? meta.path("tau").asDouble() : Double.POSITIVE_INFINITY;
    Map<String, Object> diag = new LinkedHashMap<>();
    meta.path("diagnostics").properties().forEach(e -> diag.put(e.getKey(), Json.MAPPER.convertValue(e.getValue(), Object.class)));
    WeightedKnnPredictor.Prior prior = WeightedKnnPredictor.Prior.of(meta.path("prior").asText("global"));
    return new WeightedKnnPredictor(knn, tau, prior, PredictorCodecs.doubles(meta.path("quality_prior_strength")),
        PredictorCodecs.doubles(meta.path("token_prior_strength")), diag);
  }
}
