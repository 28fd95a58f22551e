package io.carrot.core.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.carrot.core.files.FloatArrays;
import io.carrot.core.files.Json;
import io.carrot.core.predict.Predictor;
import io.carrot.core.predict.network.MlpNetwork;
import io.carrot.core.predict.network.MlpPredictor;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Stores {@link MlpPredictor}: input standardization and every network's weights as float32
 * entries under {@code mlp/quality/<i>/} and {@code mlp/tokens/<i>/}, token scales and the fit's
 * provenance (grid, chosen runs, epochs, validation losses, seed) in the JSON.
 */
public final class MlpCodec implements PredictorCodec {
  @Override
  public String kind() {
    return MlpPredictor.KIND;
  }

  @Override
  public void write(Predictor p, ObjectNode meta, EntryWriter out) throws IOException {
    MlpPredictor m = (MlpPredictor) p;
    meta.put("dimension", m.dimension());
    out.put("mlp/input_mean.f32", FloatArrays.toBytes(MlpPredictor.Access.inputMean(m)));
    out.put("mlp/input_scale.f32", FloatArrays.toBytes(MlpPredictor.Access.inputScale(m)));
    writeNets(MlpPredictor.Access.qualityNets(m), meta.putArray("quality_nets"), out, "mlp/quality/");
    writeNets(MlpPredictor.Access.tokenNets(m), meta.putArray("token_nets"), out, "mlp/tokens/");
    meta.set("token_mean", Json.MAPPER.valueToTree(MlpPredictor.Access.tokenMean(m)));
    meta.set("token_std", Json.MAPPER.valueToTree(MlpPredictor.Access.tokenStd(m)));
    meta.set("token_factor", Json.MAPPER.valueToTree(MlpPredictor.Access.tokenFactor(m)));
    MlpPredictor.Fit f = m.fit();
    ObjectNode fit = meta.putObject("fit");
    fit.put("seed", f.seed());
    fit.put("learning_rate", f.learningRate());
    fit.put("batch_size", f.batchSize());
    fit.put("max_epochs", f.maxEpochs());
    fit.put("patience", f.patience());
    fit.put("token_loss_weight", f.tokenLossWeight());
    fit.set("quality_trials", Json.MAPPER.valueToTree(f.qualityTrials()));
    fit.put("quality_loss", f.qualityLoss());
    fit.set("token_trials", Json.MAPPER.valueToTree(f.tokenTrials()));
    fit.put("token_loss", f.tokenLoss());
    ArrayNode trials = fit.putArray("trials");
    for (MlpPredictor.Trial t : f.trials()) {
      ObjectNode o = trials.addObject();
      o.put("hidden", t.hidden());
      o.put("weight_decay", t.weightDecay());
      o.put("epochs", t.epochs());
      o.put("quality_epoch", t.qualityEpoch());
      o.put("quality_loss", t.qualityLoss());
      o.put("token_epoch", t.tokenEpoch());
      o.put("token_loss", t.tokenLoss());
    }
  }

  private static void writeNets(List<MlpNetwork> nets, ArrayNode meta, EntryWriter out, String prefix) throws IOException {
    for (int i = 0; i < nets.size(); i++) {
      writeNet(nets.get(i), meta.addObject(), out, prefix + i + "/");
    }
  }

  private static List<MlpNetwork> readNets(JsonNode meta, EntryReader in, String prefix) throws IOException {
    List<MlpNetwork> nets = new ArrayList<>();
    for (int i = 0; i < meta.size(); i++) {
      nets.add(readNet(meta.get(i), in, prefix + i + "/"));
    }
    return nets;
  }

  private static void writeNet(MlpNetwork n, ObjectNode meta, EntryWriter out, String prefix) throws IOException {
    meta.put("inputs", n.inputs());
    meta.put("hidden", n.hidden());
    meta.put("outputs", n.outputs());
    out.put(prefix + "w1.f32", FloatArrays.toBytes(MlpNetwork.Access.w1(n)));
    out.put(prefix + "b1.f32", FloatArrays.toBytes(MlpNetwork.Access.b1(n)));
    out.put(prefix + "w2.f32", FloatArrays.toBytes(MlpNetwork.Access.w2(n)));
    out.put(prefix + "b2.f32", FloatArrays.toBytes(MlpNetwork.Access.b2(n)));
  }

  private static MlpNetwork readNet(JsonNode meta, EntryReader in, String prefix) throws IOException {
    return new MlpNetwork(
        meta.path("inputs").asInt(),
        meta.path("hidden").asInt(),
        meta.path("outputs").asInt(),
        floats(in, prefix + "w1.f32"),
        floats(in, prefix + "b1.f32"),
        floats(in, prefix + "w2.f32"),
        floats(in, prefix + "b2.f32"));
  }

  private static List<Integer> ints(JsonNode arr) {
    List<Integer> out = new ArrayList<>();
    arr.forEach(x -> out.add(x.asInt()));
    return out;
  }

  private static float[] floats(EntryReader in, String name) throws IOException {
    return FloatArrays.fromBytes(in.get(name), name);
  }

  @Override
  public Predictor read(JsonNode meta, EntryReader in) throws IOException {
    JsonNode fit = meta.path("fit");
    List<MlpPredictor.Trial> trials = new ArrayList<>();
    for (JsonNode t : fit.path("trials")) {
      trials.add(new MlpPredictor.Trial(
          t.path("hidden").asInt(),
          t.path("weight_decay").asDouble(),
          t.path("epochs").asInt(),
          t.path("quality_epoch").asInt(),
          t.path("quality_loss").asDouble(),
          t.path("token_epoch").asInt(),
          t.path("token_loss").asDouble()));
    }
    MlpPredictor.Fit f = new MlpPredictor.Fit(
        fit.path("seed").asLong(),
        fit.path("learning_rate").asDouble(),
        fit.path("batch_size").asInt(),
        fit.path("max_epochs").asInt(),
        fit.path("patience").asInt(),
        fit.path("token_loss_weight").asDouble(),
        trials,
        ints(fit.path("quality_trials")),
        fit.path("quality_loss").asDouble(),
        ints(fit.path("token_trials")),
        fit.path("token_loss").asDouble());
    return new MlpPredictor(
        PredictorCodecs.models(meta),
        floats(in, "mlp/input_mean.f32"),
        floats(in, "mlp/input_scale.f32"),
        readNets(meta.path("quality_nets"), in, "mlp/quality/"),
        readNets(meta.path("token_nets"), in, "mlp/tokens/"),
        PredictorCodecs.doubles(meta.path("token_mean")),
        PredictorCodecs.doubles(meta.path("token_std")),
        PredictorCodecs.doubles(meta.path("token_factor")),
        f);
  }
}
