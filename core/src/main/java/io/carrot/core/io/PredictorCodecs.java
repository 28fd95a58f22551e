package io.carrot.core.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.carrot.core.CarrotException;
import io.carrot.core.files.Json;
import io.carrot.core.predict.Predictor;
import java.io.IOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;

/**
 * The one registry of router-file codecs, by {@link Predictor#kind()}: the KNN codec plus every
 * {@link PredictorCodec} service on the class path, loaded once when this class is first used. Composite predictors (blends,
 * calibrated wrappers) write their parts through {@link #write} with a name prefix, so nesting
 * needs no special support in the file format.
 */
public final class PredictorCodecs {
  private static final Map<String, PredictorCodec> BY_KIND = load();

  private PredictorCodecs() {}

  private static Map<String, PredictorCodec> load() {
    Map<String, PredictorCodec> m = new LinkedHashMap<>();
    m.put("knn", new KnnCodec());
    for (PredictorCodec c : ServiceLoader.load(PredictorCodec.class)) {
      m.put(c.kind(), c);
    }
    return m;
  }

  /** The estimator kinds this carrot reads and writes, in registration order. */
  public static Set<String> kinds() {
    return Collections.unmodifiableSet(BY_KIND.keySet());
  }

  /** The codec for {@code kind}; the error names {@code where} and the kinds this carrot reads. */
  public static PredictorCodec forKind(String kind, String where) {
    PredictorCodec c = BY_KIND.get(kind);
    if (c == null) {
      throw new CarrotException(where + ": unknown estimator '" + kind + "'; this carrot reads " + BY_KIND.keySet());
    }
    return c;
  }

  /**
   * Writes {@code p} (kind and models into {@code meta}) with every entry name prefixed; returns
   * the router format version its entries need.
   */
  public static int write(
      Predictor p, ObjectNode meta, PredictorCodec.EntryWriter out, String prefix, VectorEncoding encoding)
      throws IOException {
    meta.put("kind", p.kind());
    meta.set("models", Json.MAPPER.valueToTree(p.models()));
    return forKind(p.kind(), "router file").write(p, meta, (name, bytes) -> out.put(prefix + name, bytes), encoding);
  }

  /** Reads what {@link #write} wrote with the same prefix. */
  public static Predictor read(JsonNode meta, PredictorCodec.EntryReader in, String prefix, String where) throws IOException {
    return forKind(meta.path("kind").asText(), where).read(meta, name -> in.get(prefix + name));
  }

  static List<String> models(JsonNode meta) {
    List<String> models = new java.util.ArrayList<>();
    meta.path("models").forEach(x -> models.add(x.asText()));
    if (models.isEmpty()) {
      throw new CarrotException("router file: estimator section has no models");
    }
    return models;
  }

  static double[] doubles(JsonNode arr) {
    double[] out = new double[arr.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = arr.get(i).asDouble();
    }
    return out;
  }
}
