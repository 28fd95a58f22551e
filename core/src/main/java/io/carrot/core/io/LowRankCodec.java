package io.carrot.core.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.carrot.core.files.Json;
import io.carrot.core.predict.Predictor;
import io.carrot.core.predict.lowrank.LowRankPredictor;
import java.io.IOException;

/** Stores {@link LowRankPredictor}: means and basis in the JSON, the base under {@code low-rank/}. */
public final class LowRankCodec implements PredictorCodec {
  @Override
  public String kind() {
    return LowRankPredictor.KIND;
  }

  @Override
  public void write(Predictor p, ObjectNode meta, EntryWriter out) throws IOException {
    write(p, meta, out, VectorEncoding.F32);
  }

  @Override
  public int write(Predictor p, ObjectNode meta, EntryWriter out, VectorEncoding encoding) throws IOException {
    LowRankPredictor l = (LowRankPredictor) p;
    meta.set("mean", Json.MAPPER.valueToTree(l.mean()));
    meta.set("basis", Json.MAPPER.valueToTree(l.basis()));
    return PredictorCodecs.write(l.base(), meta.putObject("base"), out, "low-rank/", encoding);
  }

  @Override
  public Predictor read(JsonNode meta, EntryReader in) throws IOException {
    Predictor base = PredictorCodecs.read(meta.path("base"), in, "low-rank/", "router file");
    JsonNode b = meta.path("basis");
    double[][] basis = new double[b.size()][];
    for (int i = 0; i < basis.length; i++) {
      basis[i] = PredictorCodecs.doubles(b.get(i));
    }
    return new LowRankPredictor(base, PredictorCodecs.doubles(meta.path("mean")), basis);
  }
}
