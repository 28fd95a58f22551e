package io.carrot.core.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.carrot.core.files.Json;
import io.carrot.core.predict.Predictor;
import io.carrot.core.predict.blend.BlendPredictor;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Stores {@link BlendPredictor}: its weights, and each part under {@code blend/<i>/}. */
public final class BlendCodec implements PredictorCodec {
  @Override
  public String kind() {
    return BlendPredictor.KIND;
  }

  @Override
  public void write(Predictor p, ObjectNode meta, EntryWriter out) throws IOException {
    write(p, meta, out, VectorEncoding.F32);
  }

  @Override
  public int write(Predictor p, ObjectNode meta, EntryWriter out, VectorEncoding encoding) throws IOException {
    BlendPredictor b = (BlendPredictor) p;
    meta.put("name", b.name());
    meta.set("quality_weights", Json.MAPPER.valueToTree(b.qualityWeights()));
    meta.set("token_weights", Json.MAPPER.valueToTree(b.tokenWeights()));
    ArrayNode parts = meta.putArray("parts");
    int version = 1;
    for (int i = 0; i < b.parts().size(); i++) {
      version = Math.max(version, PredictorCodecs.write(b.parts().get(i), parts.addObject(), out, "blend/" + i + "/", encoding));
    }
    return version;
  }

  @Override
  public Predictor read(JsonNode meta, EntryReader in) throws IOException {
    List<Predictor> parts = new ArrayList<>();
    JsonNode ps = meta.path("parts");
    for (int i = 0; i < ps.size(); i++) {
      parts.add(PredictorCodecs.read(ps.get(i), in, "blend/" + i + "/", "router file"));
    }
    return new BlendPredictor(meta.path("name").asText(), parts, matrix(meta.path("quality_weights")), matrix(meta.path("token_weights")));
  }

  private static double[][] matrix(JsonNode n) {
    double[][] m = new double[n.size()][];
    for (int i = 0; i < m.length; i++) {
      m[i] = PredictorCodecs.doubles(n.get(i));
    }
    return m;
  }
}
