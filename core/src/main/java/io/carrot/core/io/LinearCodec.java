package io.carrot.core.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.carrot.core.predict.LinearPredictor;
import io.carrot.core.predict.Predictor;
import java.io.IOException;

/** Stores {@link LinearPredictor}: weights as float32, bias and strengths in the JSON. */
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
    out.put("linear/weights.f32", FloatArrays.toBytes(LinearPredictor.Access.weights(l)));
  }

  @Override
  public Predictor read(JsonNode meta, EntryReader in) throws IOException {
    return new LinearPredictor(
        PredictorCodecs.models(meta),
        meta.path("dimension").asInt(),
        FloatArrays.fromBytes(in.get("linear/weights.f32"), "linear/weights.f32"),
        PredictorCodecs.doubles(meta.path("bias")),
        PredictorCodecs.doubles(meta.path("lambdas")));
  }
}
