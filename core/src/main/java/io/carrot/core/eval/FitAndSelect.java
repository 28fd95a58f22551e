package io.carrot.core.eval;

import io.carrot.core.CarrotException;
import io.carrot.core.ProgressListener;
import io.carrot.core.data.Dataset;
import io.carrot.core.data.PromptRecord;
import io.carrot.core.predict.Predictor;
import io.carrot.core.predict.TrainingSet;
import io.carrot.core.predict.knn.KnnPredictor;
import io.carrot.core.route.Router;
import io.carrot.core.train.AutoSelect;
import io.carrot.core.train.Estimator;
import io.carrot.core.train.Estimators;
import io.carrot.core.train.RouterTrainer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The first stage of an evaluation: fit the estimator on train (with {@code auto}, every estimator,
 * keeping the best validation AIQ), or take the given router; and the paper's CARROT-KNN on the same
 * split for reference when the router is something else.
 *
 * @param router the router evaluated
 * @param family the estimator it is named after ({@code carrot-<family>})
 * @param fitted whether it was fitted here (not given)
 * @param knnReference CARROT-KNN fitted on the same train split, or null (the router is knn, or
 *     there is no train split)
 */
record FitAndSelect(Router router, String family, boolean fitted, Router knnReference) {

  /** The router's name in every output. */
  String carrotName() {
    return "carrot-" + family;
  }

  /**
   * Fits (when {@code given} is null) on {@code trainRows} and chooses on {@code valRows}; notes
   * what was chosen and why.
   */
  static FitAndSelect run(
      Dataset d,
      List<PromptRecord> trainRows,
      float[][] trE,
      List<PromptRecord> valRows,
      float[][] vaE,
      float[][] teE,
      Router given,
      String embedderId,
      String tokenCounterId,
      EvalOptions options,
      ProgressListener progress,
      List<String> notes) {
    Estimator estimator = given == null ? Estimators.get(options.estimator()) : null;
    boolean auto = estimator instanceof AutoSelect;
    Router router = given;
    Router knnReference = null;
    if (given == null) {
      TrainingSet valSet = vaE == null || valRows.isEmpty() ? null : RouterTrainer.trainingSet(d, valRows, vaE);
      Map<String, String> settings = new LinkedHashMap<>(options.settings());
      settings.putIfAbsent("seed", Long.toString(options.seed()));
      Map<String, String> extra = new LinkedHashMap<>(options.settings());
      extra.put("estimator", options.estimator());
      extra.put("splits", "train");
      if (auto) {
        // every candidate's validation AIQ goes into the notes, and its KNN is the reference
        AutoSelect.Selection sel = AutoSelect.select(RouterTrainer.trainingSet(d, trainRows, trE), valSet, settings, progress);
        StringBuilder b = new StringBuilder("--estimator auto chose " + sel.best().estimator() + " by "
            + (sel.crossFitted() ? "cross-fitted " : "") + "validation AIQ (");
        for (AutoSelect.Trial tr : sel.trials()) {
          b.append(String.format(Locale.ROOT, "%s%s %.4f", tr == sel.trials().get(0) ? "" : ", ", tr.estimator(), tr.validationAiq()));
        }
        notes.add(b.append(").").toString());
        for (AutoSelect.Trial tr : sel.trials()) {
          boolean best = tr == sel.best();
          if (best || (tr.estimator().equals(KnnPredictor.KIND) && !sel.best().estimator().equals(KnnPredictor.KIND))) {
            Map<String, String> ex = new LinkedHashMap<>(extra);
            ex.put("estimator", tr.estimator());
            Router r = RouterTrainer.train(d, trainRows, trE, ts -> tr.predictor(), options.seed(), embedderId, tokenCounterId, ex);
            if (best) {
              router = r;
            } else {
              knnReference = r;
            }
          }
        }
      } else {
        router = RouterTrainer.train(
            d, trainRows, trE, ts -> estimator.fit(ts, valSet, settings, progress), options.seed(), embedderId, tokenCounterId, extra);
      }
    } else if (!given.provenance().embedderId().equals(embedderId)) {
      notes.add("The router was trained with embedder '" + given.provenance().embedderId() + "'; it is evaluated with '"
          + embedderId + "'.");
    }
    requireDimension(router, teE, embedderId);
    boolean fitted = given == null;
    // fitted here: named after the estimator asked for (its predictor may be a wrapper kind)
    String family = fitted ? options.estimator() : router.provenance().extra().getOrDefault("estimator", router.predictor().kind());
    if (knnReference == null && !auto && !family.equals(KnnPredictor.KIND) && !trainRows.isEmpty()) {
      knnReference = knnReference(d, trainRows, trE, valRows, vaE, options, embedderId, tokenCounterId, progress);
    }
    return new FitAndSelect(router, family, fitted, knnReference);
  }

  /** CARROT-KNN fitted on the same train split with the same k setting: the paper's router, for comparison. */
  private static Router knnReference(
      Dataset d, List<PromptRecord> trainRows, float[][] trE, List<PromptRecord> valRows, float[][] vaE, EvalOptions options,
      String embedderId, String tokenCounterId, ProgressListener progress) {
    TrainingSet valSet = vaE == null ? null : RouterTrainer.trainingSet(d, valRows, vaE);
    Map<String, String> settings = new LinkedHashMap<>(options.settings());
    settings.putIfAbsent("seed", Long.toString(options.seed()));
    Map<String, String> extra = new LinkedHashMap<>(options.settings());
    extra.put("estimator", KnnPredictor.KIND);
    extra.put("splits", "train");
    Estimator knn = Estimators.get(KnnPredictor.KIND);
    return RouterTrainer.train(d, trainRows, trE, ts -> knn.fit(ts, valSet, settings, progress), options.seed(), embedderId,
        tokenCounterId, extra);
  }

  private static void requireDimension(Router router, float[][] e, String embedderId) {
    int want = router.predictor().dimension();
    if (e.length > 0 && e[0].length != want) {
      throw new CarrotException(
          "the router expects " + want + "-dimensional embeddings (embedder '" + router.provenance().embedderId()
              + "') but embedder '" + embedderId + "' gives " + e[0].length + "; evaluate with the router's embedder");
    }
  }

  /** What the router is, for the report. */
  String describe() {
    Predictor p = router.predictor();
    StringBuilder sb = new StringBuilder("CARROT with the " + family + " estimator");
    if (!family.equals(p.kind())) {
      sb.append(" (a ").append(p.kind()).append(" predictor)");
    }
    Object k = p.hyperParameters().get("k");
    if (k != null) {
      sb.append(" (k = ").append(k).append(')');
    }
    return sb.append(", mu swept").toString();
  }

  /** The router's provenance for {@code metrics.json}. */
  Map<String, Object> info() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("estimator", family);
    m.put("predictor_kind", router.predictor().kind());
    m.put("hyper_parameters", router.predictor().hyperParameters());
    m.put("cost_scale", router.costScale());
    m.put("trained_on", router.provenance().dataset());
    m.put("train_prompts", router.provenance().trainPrompts());
    m.put("embedder", router.provenance().embedderId());
    m.put("seed", router.provenance().seed());
    m.put("carrot_version", router.provenance().carrotVersion());
    return m;
  }
}
