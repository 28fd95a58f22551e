package io.carrot.core.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.carrot.core.files.Json;
import io.carrot.core.predict.ConstantPredictor;
import io.carrot.core.predict.Predictor;

/** Stores {@link ConstantPredictor}: two short arrays in the JSON. */
public final class ConstantCodec implements PredictorCodec {
  @Override
  public String kind() {
    return ConstantPredictor.KIND;
  }

  @Override
  public void write(Predictor p, ObjectNode meta, EntryWriter out) {
    ConstantPredictor c = (ConstantPredictor) p;
    meta.put("dimension", c.dimension());
    meta.set("quality", Json.MAPPER.valueToTree(c.quality()));
    meta.set("output_tokens", Json.MAPPER.valueToTree(c.tokens()));
  }

  @Override
  public Predictor read(JsonNode meta, EntryReader in) {
    return new ConstantPredictor(
        PredictorCodecs.models(meta),
        meta.path("dimension").asInt(),
        PredictorCodecs.doubles(meta.path("quality")),
        PredictorCodecs.doubles(meta.path("output_tokens")));
  }
}
