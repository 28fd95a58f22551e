package io.carrot.core.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.carrot.core.files.Json;
import io.carrot.core.predict.Predictor;
import io.carrot.core.predict.calibration.CalibratedPredictor;
import java.io.IOException;

/** Stores {@link CalibratedPredictor}: its knots, and the base under {@code calibrated/}. */
public final class CalibratedCodec implements PredictorCodec {
  @Override
  public String kind() {
    return CalibratedPredictor.KIND;
  }

  @Override
  public void write(Predictor p, ObjectNode meta, EntryWriter out) throws IOException {
    write(p, meta, out, VectorEncoding.F32);
  }

  @Override
  public int write(Predictor p, ObjectNode meta, EntryWriter out, VectorEncoding encoding) throws IOException {
    CalibratedPredictor c = (CalibratedPredictor) p;
    meta.set("knot_x", Json.MAPPER.valueToTree(c.knotX()));
    meta.set("knot_y", Json.MAPPER.valueToTree(c.knotY()));
    return PredictorCodecs.write(c.base(), meta.putObject("base"), out, "calibrated/", encoding);
  }

  @Override
  public Predictor read(JsonNode meta, EntryReader in) throws IOException {
    Predictor base = PredictorCodecs.read(meta.path("base"), in, "calibrated/", "router file");
    return new CalibratedPredictor(base, PredictorCodecs.doubles(meta.path("knot_x")), PredictorCodecs.doubles(meta.path("knot_y")));
  }
}
