package io.carrot.core.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.carrot.core.CarrotException;
import io.carrot.core.files.FloatArrays;
import io.carrot.core.files.Json;
import io.carrot.core.route.Support;
import io.carrot.core.route.TransferCurve;
import java.io.IOException;

/**
 * The {@code support} section of a router file (format version 3): the kept training vectors
 * ({@code support/sample.f32}, float32, lossless whatever the estimator's encoding), their
 * leave-one-out similarities ({@code support/reference.f32}), and in {@code router.json} the
 * neighbour count, the model priors ({@code prior_input_tokens} since 2026-12-07; a file without
 * it, or a reader before it, prices each prompt's own input tokens in the fallback) and, when it was learned, the weight by similarity ({@code
 * transfer}: knots of a {@link io.carrot.core.route.TransferCurve}; a file without it, or a reader
 * before it, uses the Tukey rule alone). Files without the section load with unknown support.
 */
final class SupportSection {
  /** The format version a file with a support section needs. */
  static final int VERSION = 3;

  private SupportSection() {}

  static void write(Support s, ObjectNode root, PredictorCodec.EntryWriter out) throws IOException {
    ObjectNode o = root.putObject("support");
    o.put("definition", "mean cosine similarity of the k nearest training prompts, as a percentile of the training"
        + " prompts' own leave-one-out values; low below Q1 - 1.5 IQR of those");
    o.put("k", s.k());
    o.put("train_rows", s.trainRows());
    o.put("sample_rows", s.sample().length);
    o.put("dimension", s.dimension());
    o.set("sources", Json.MAPPER.valueToTree(s.sources()));
    o.set("prior_quality", Json.MAPPER.valueToTree(s.priorQuality()));
    o.set("prior_output_tokens", Json.MAPPER.valueToTree(s.priorTokens()));
    if (s.priorInputTokens() != null) {
      o.set("prior_input_tokens", Json.MAPPER.valueToTree(s.priorInputTokens()));
    }
    s.transfer().ifPresent(t -> {
      ObjectNode w = o.putObject("transfer");
      w.put("definition", "weight of the prediction against the priors by similarity, learned on the training prompts"
          + " (neighbours of the same and of other sources), linear between knots; the smaller of it and the Tukey rule applies");
      w.set("similarity", Json.MAPPER.valueToTree(t.similarity()));
      w.set("weight", Json.MAPPER.valueToTree(t.weights()));
    });
    out.put("support/sample.f32", FloatArrays.toBytes(FloatArrays.flatten(s.sample())));
    out.put("support/reference.f32", FloatArrays.toBytes(s.reference()));
  }

  /** The section of {@code root}, or null when the file has none. */
  static Support read(JsonNode root, PredictorCodec.EntryReader in, String where) throws IOException {
    JsonNode o = root.path("support");
    if (!o.isObject()) {
      return null;
    }
    int d = o.path("dimension").asInt(0);
    if (d < 1) {
      throw new CarrotException(where + ": the support section's dimension must be >= 1, got " + o.path("dimension"));
    }
    float[][] sample = FloatArrays.reshape(FloatArrays.fromBytes(in.get("support/sample.f32"), where + " support sample"), d);
    float[] reference = FloatArrays.fromBytes(in.get("support/reference.f32"), where + " support reference");
    return new Support(sample, o.path("k").asInt(0), reference, PredictorCodecs.doubles(o.path("prior_quality")),
        PredictorCodecs.doubles(o.path("prior_output_tokens")),
        o.has("prior_input_tokens") ? PredictorCodecs.doubles(o.path("prior_input_tokens")) : null,
        o.path("train_rows").asInt(0), sources(o.path("sources")), transfer(o.path("transfer")));
  }

  private static TransferCurve transfer(JsonNode o) {
    return o.isObject() ? new TransferCurve(PredictorCodecs.doubles(o.path("similarity")), PredictorCodecs.doubles(o.path("weight"))) : null;
  }

  private static java.util.Map<String, Integer> sources(JsonNode o) {
    java.util.Map<String, Integer> out = new java.util.TreeMap<>();
    o.properties().forEach(e -> out.put(e.getKey(), e.getValue().asInt()));
    return out;
  }
}
