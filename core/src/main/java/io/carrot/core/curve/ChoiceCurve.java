package io.carrot.core.curve;

import io.carrot.core.CarrotException;
import io.carrot.core.metrics.Point;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * A router that picks one model per prompt at each setting (a mu sweep, a threshold sweep).
 *
 * <p>Stored as the choices at the first setting plus, for each later setting, the prompts whose
 * choice changed: neighbouring settings mostly agree, so a bootstrap resample costs the number of
 * changes, not settings x prompts. Immutable.
 */
public final class ChoiceCurve implements RouterCurve {
  private final EvalSet set;
  private final String paramName;
  private final double[] params;
  private final int[] base;
  private final int[][] changedPrompts;
  private final int[][] changedTo;

  private ChoiceCurve(EvalSet set, String paramName, double[] params, int[] base, int[][] changedPrompts, int[][] changedTo) {
    this.set = set;
    this.paramName = paramName;
    this.params = params;
    this.base = base;
    this.changedPrompts = changedPrompts;
    this.changedTo = changedTo;
  }

  /**
   * @param choicesAt the model index chosen for every prompt of {@code set} at {@code params[p]},
   *     called once per p in order
   */
  public static ChoiceCurve of(EvalSet set, String paramName, double[] params, IntFunction<int[]> choicesAt) {
    if (params.length == 0) {
      throw new CarrotException("a choice curve needs at least one setting");
    }
    int n = set.size();
    int[] first = check(set, choicesAt.apply(0));
    int[] prev = first;
    int[][] cp = new int[params.length][];
    int[][] ct = new int[params.length][];
    cp[0] = new int[0];
    ct[0] = new int[0];
    for (int p = 1; p < params.length; p++) {
      int[] cur = check(set, choicesAt.apply(p));
      int changes = 0;
      for (int i = 0; i < n; i++) {
        if (cur[i] != prev[i]) {
          changes++;
        }
      }
      cp[p] = new int[changes];
      ct[p] = new int[changes];
      int k = 0;
      for (int i = 0; i < n; i++) {
        if (cur[i] != prev[i]) {
          cp[p][k] = i;
          ct[p][k++] = cur[i];
        }
      }
      prev = cur;
    }
    return new ChoiceCurve(set, paramName, params.clone(), first, cp, ct);
  }

  private static int[] check(EvalSet set, int[] ch) {
    if (ch.length != set.size()) {
      throw new CarrotException("got " + ch.length + " choices for " + set.size() + " prompts");
    }
    for (int c : ch) {
      if (c < 0 || c >= set.modelCount()) {
        throw new CarrotException("choice " + c + " is not a model index in [0, " + set.modelCount() + ")");
      }
    }
    return ch.clone();
  }

  @Override
  public String paramName() {
    return paramName;
  }

  public double[] params() {
    return params.clone();
  }

  /** The model chosen for every prompt at setting index {@code p}. */
  public int[] choicesAt(int p) {
    int[] ch = base.clone();
    for (int s = 1; s <= p; s++) {
      for (int k = 0; k < changedPrompts[s].length; k++) {
        ch[changedPrompts[s][k]] = changedTo[s][k];
      }
    }
    return ch;
  }

  @Override
  public List<Point> points(int[] weights) {
    double[][] q = set.quality();
    double[][] c = set.cost();
    int[] ch = base.clone();
    double qs = 0;
    double cs = 0;
    long w = 0;
    for (int i = 0; i < ch.length; i++) {
      int k = weights == null ? 1 : weights[i];
      qs += k * q[i][ch[i]];
      cs += k * c[i][ch[i]];
      w += k;
    }
    List<Point> out = new ArrayList<>(params.length);
    out.add(new Point(params[0], cs / w, qs / w));
    for (int p = 1; p < params.length; p++) {
      int[] prompts = changedPrompts[p];
      for (int k = 0; k < prompts.length; k++) {
        int i = prompts[k];
        int wi = weights == null ? 1 : weights[i];
        if (wi != 0) {
          int to = changedTo[p][k];
          qs += wi * (q[i][to] - q[i][ch[i]]);
          cs += wi * (c[i][to] - c[i][ch[i]]);
        }
        ch[i] = changedTo[p][k];
      }
      out.add(new Point(params[p], cs / w, qs / w));
    }
    return out;
  }

  /**
   * The curves of disjoint parts of {@code pooled} as one curve on it: part {@code f}'s prompts
   * come after those of parts {@code 0..f-1}, in order, and every part has the same settings (a
   * K-fold's folds, each decided by the router fitted without it).
   */
  public static ChoiceCurve pool(EvalSet pooled, List<ChoiceCurve> parts) {
    if (parts.isEmpty()) {
      throw new CarrotException("pooling needs at least one curve");
    }
    double[] params = parts.get(0).params;
    int sum = 0;
    for (ChoiceCurve c : parts) {
      if (!java.util.Arrays.equals(c.params, params)) {
        throw new CarrotException("pooled curves must share their settings");
      }
      sum += c.base.length;
    }
    int total = sum;
    if (total != pooled.size()) {
      throw new CarrotException("the pooled curves have " + total + " prompts, the pooled set " + pooled.size());
    }
    int[][] current = new int[parts.size()][];
    for (int f = 0; f < parts.size(); f++) {
      current[f] = parts.get(f).base.clone();
    }
    return of(pooled, parts.get(0).paramName, params, p -> {
      int[] ch = new int[total];
      int at = 0;
      for (int f = 0; f < parts.size(); f++) {
        ChoiceCurve c = parts.get(f);
        for (int k = 0; k < c.changedPrompts[p].length; k++) {
          current[f][c.changedPrompts[p][k]] = c.changedTo[p][k];
        }
        System.arraycopy(current[f], 0, ch, at, current[f].length);
        at += current[f].length;
      }
      return ch;
    });
  }
}
