package io.carrot.core.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.carrot.core.CarrotException;
import io.carrot.core.data.PriceTable;
import io.carrot.core.files.AtomicFiles;
import io.carrot.core.files.Json;
import io.carrot.core.predict.Predictor;
import io.carrot.core.route.Provenance;
import io.carrot.core.route.Router;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * The versioned on-disk router format ({@code .carrot}): a zip with {@code router.json} (format
 * name and version, models, prices, cost scale, estimator hyper-parameters, provenance) and the
 * estimator's arrays as float32 entries. Writes are atomic and byte-reproducible (fixed entry
 * times), so a golden file pins the format.
 */
public final class RouterFile {
  public static final String FORMAT = "carrot-router";
  /**
   * The newest version this carrot reads and writes: 3 adds the support section (the
   * training data's coverage of a prompt and the model priors), written only by routers that have one; 2 lossy vector encodings; 1 float32.
   */
  public static final int VERSION = SupportSection.VERSION;
  /** The oldest version this carrot reads; float32 routers are still written as version 1. */
  public static final int MIN_VERSION = 1;
  private static final long FIXED_TIME = 315532800000L; // 1980-01-01, the zip epoch

  private RouterFile() {}

  /** Saves with lossless float32 vectors (format version 1). */
  public static void save(Router router, Path file) {
    save(router, file, VectorEncoding.F32);
  }

  /**
   * Saves with the estimator's vectors in {@code encoding}; lossy encodings need format version 2
   * (older carrots refuse such files with a clear message).
   */
  public static void save(Router router, Path file, VectorEncoding encoding) {
    Predictor p = router.predictor();
    PredictorCodec codec = PredictorCodecs.forKind(p.kind(), "saving router file " + file);
    AtomicFiles.write(file, os -> {
      try (ZipOutputStream zip = new ZipOutputStream(os)) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("format", FORMAT);
        root.put("format_version", MIN_VERSION); // keeps its place in the JSON; the codec decides the value below
        root.set("models", Json.MAPPER.valueToTree(p.models()));
        root.put("cost_scale", router.costScale());
        root.put("cost_scale_definition", "1 / mean USD per prompt of the most expensive model on the training data");
        root.set("prices", router.prices().toJson());
        ObjectNode est = root.putObject("estimator");
        est.put("kind", p.kind());
        est.set("models", Json.MAPPER.valueToTree(p.models()));
        Map<String, byte[]> entries = new java.util.LinkedHashMap<>();
        int version = codec.write(p, est, entries::put, encoding);
        if (router.support().isPresent()) {
          SupportSection.write(router.support().get(), root, entries::put);
          version = Math.max(version, SupportSection.VERSION);
        }
        root.put("format_version", version);
        root.set("provenance", Json.MAPPER.valueToTree(router.provenance()));
        router.budgetCurve().ifPresent(c -> {
          ObjectNode bc = root.putObject("budget_curve");
          bc.put("definition", "mean true USD per prompt on the validation split when routing at each mu");
          bc.set("mu", Json.MAPPER.valueToTree(c.mu()));
          bc.set("usd_per_prompt", Json.MAPPER.valueToTree(c.usdPerPrompt()));
        });
        put(zip, "router.json", Json.MAPPER.writeValueAsBytes(root));
        for (Map.Entry<String, byte[]> e : entries.entrySet()) {
          put(zip, e.getKey(), e.getValue());
        }
      }
    });
  }

  private static void put(ZipOutputStream zip, String name, byte[] bytes) throws IOException {
    ZipEntry e = new ZipEntry(name);
    e.setTime(FIXED_TIME);
    zip.putNextEntry(e);
    zip.write(bytes);
    zip.closeEntry();
  }

  public static Router load(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new CarrotException("router file " + file + " does not exist; train one with 'carrot train'");
    }
    try (InputStream in = Files.newInputStream(file)) {
      return read(in, file.toString());
    } catch (IOException e) {
      throw new CarrotException("cannot read router file " + file + ": " + e.getMessage(), e);
    }
  }

  /** Reads a router from a stream (e.g. a classpath resource); {@code where} names it in errors. */
  public static Router read(InputStream in, String where) throws IOException {
    Map<String, byte[]> entries = new HashMap<>();
    try (ZipInputStream zip = new ZipInputStream(in)) {
      ZipEntry e;
      while ((e = zip.getNextEntry()) != null) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        zip.transferTo(buf);
        entries.put(e.getName(), buf.toByteArray());
      }
    }
    byte[] meta = entries.get("router.json");
    if (meta == null) {
      throw new CarrotException(where + " is not a carrot router file (no router.json inside)");
    }
    JsonNode root = Json.MAPPER.readTree(meta);
    if (!FORMAT.equals(root.path("format").asText())) {
      throw new CarrotException(where + ": format is '" + root.path("format").asText() + "', expected '" + FORMAT + "'");
    }
    int version = root.path("format_version").asInt(-1);
    if (version < MIN_VERSION || version > VERSION) {
      throw new CarrotException(
          where + ": router format version " + version + " is not supported by this carrot (reads versions "
              + MIN_VERSION + " to " + VERSION + ")");
    }
    JsonNode est = root.path("estimator");
    String kind = est.path("kind").asText();
    PredictorCodec codec = PredictorCodecs.forKind(kind, where);
    PredictorCodec.EntryReader entry = name -> {
      byte[] b = entries.get(name);
      if (b == null) {
        throw new CarrotException(where + ": missing entry " + name);
      }
      return b;
    };
    Predictor p = codec.read(est, entry);
    PriceTable prices = PriceTable.fromJson(root.path("prices"), where + " prices");
    Provenance prov = Json.MAPPER.treeToValue(root.path("provenance"), Provenance.class);
    List<String> models = Json.MAPPER.convertValue(root.path("models"), Json.MAPPER.getTypeFactory().constructCollectionType(List.class, String.class));
    if (!models.equals(p.models())) {
      throw new CarrotException(where + ": models " + models + " disagree with the estimator's " + p.models());
    }
    io.carrot.core.route.BudgetCurve curve = null;
    JsonNode bc = root.path("budget_curve");
    if (bc.isObject()) {
      curve = new io.carrot.core.route.BudgetCurve(PredictorCodecs.doubles(bc.path("mu")), PredictorCodecs.doubles(bc.path("usd_per_prompt")));
    }
    return new Router(p, prices, root.path("cost_scale").asDouble(), prov, curve, SupportSection.read(root, entry, where));
  }
}
