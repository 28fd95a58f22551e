package io.carrot.core.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.carrot.core.CarrotException;
import io.carrot.core.files.FloatArrays;
import io.carrot.core.files.Json;
import io.carrot.core.predict.Predictor;
import io.carrot.core.predict.network.LinearPredictor;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Stores {@link LinearPredictor}: weights as float32, bias and strengths in the JSON, and per model
 * the quality link ({@code identity} or {@code logistic}) and token scale ({@code raw} or {@code
 * log1p}) when any differs from identity and raw. Files without those fields (written before they
 * existed) read as identity and raw, and such predictors are written without them, byte for byte
 * as before.
 */
public final class LinearCodec implements PredictorCodec {
  @Override
  public String kind() {
    return LinearPredictor.KIND;
  }

  @Override
  public void write(Predictor p, ObjectNode meta, EntryWriter out) throws IOException {
    LinearPredictor l = (LinearPredictor) p;
    meta.put("dimension", l.dimension());
    meta.set("bias", Json.MAPPER.valueToTree(LinearPredictor.Access.bias(l)));
    meta.set("lambdas", Json.MAPPER.valueToTree(LinearPredictor.Access.lambdas(l)));
    List<LinearPredictor.QualityLink> links = LinearPredictor.Access.links(l);
    List<LinearPredictor.TokenScale> scales = LinearPredictor.Access.scales(l);
    if (links.stream().anyMatch(x -> x != LinearPredictor.QualityLink.IDENTITY)
        || scales.stream().anyMatch(x -> x != LinearPredictor.TokenScale.RAW)) {
      ArrayNode q = meta.putArray("quality_link");
      links.forEach(x -> q.add(x.name().toLowerCase(Locale.ROOT)));
      ArrayNode t = meta.putArray("token_scale");
      scales.forEach(x -> t.add(x.name().toLowerCase(Locale.ROOT)));
    }
    out.put("linear/weights.f32", FloatArrays.toBytes(LinearPredictor.Access.weights(l)));
  }

  @Override
  public Predictor read(JsonNode meta, EntryReader in) throws IOException {
    List<String> models = PredictorCodecs.models(meta);
    List<LinearPredictor.QualityLink> links = new ArrayList<>();
    List<LinearPredictor.TokenScale> scales = new ArrayList<>();
    for (int j = 0; j < models.size(); j++) {
      links.add(value(LinearPredictor.QualityLink.class, meta.path("quality_link"), j, "identity"));
      scales.add(value(LinearPredictor.TokenScale.class, meta.path("token_scale"), j, "raw"));
    }
    return new LinearPredictor(
        models,
        meta.path("dimension").asInt(),
        FloatArrays.fromBytes(in.get("linear/weights.f32"), "linear/weights.f32"),
        PredictorCodecs.doubles(meta.path("bias")),
        PredictorCodecs.doubles(meta.path("lambdas")),
        links,
        scales);
  }

  /** Entry {@code j} of the array {@code arr} as a constant of {@code type}; {@code absent} if there is no array. */
  private static <E extends Enum<E>> E value(Class<E> type, JsonNode arr, int j, String absent) {
    String v = arr.isArray() ? arr.path(j).asText() : absent;
    for (E e : type.getEnumConstants()) {
      if (e.name().equalsIgnoreCase(v)) {
        return e;
      }
    }
    throw new CarrotException("router file: linear estimator entry " + j + " is '" + v + "', expected one of "
        + java.util.Arrays.stream(type.getEnumConstants()).map(e -> e.name().toLowerCase(Locale.ROOT)).toList());
  }
}
