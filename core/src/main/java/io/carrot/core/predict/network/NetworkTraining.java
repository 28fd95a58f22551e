package io.carrot.core.predict.network;

import io.carrot.core.linalg.AdamW;
import java.util.Arrays;
import java.util.Random;

/**
 * Minibatch AdamW training of an {@link MlpNetwork} whose first {@code nq} outputs are quality
 * logits (sigmoid, binary cross-entropy against a score in [0, 1], so fractional scores work) and
 * whose next {@code nt} outputs are standardized token targets (squared error). Missing entries
 * ({@code NaN}) contribute nothing: each output learns from the rows it has.
 *
 * <p>Early stopping on the validation split keeps snapshots of the best epochs: in {@link
 * Snapshot#JOINT} mode one for quality (lowest mean validation cross-entropy) and one for tokens
 * (lowest validation squared error), so quality never pays for the epoch where tokens were best;
 * in {@link Snapshot#PER_OUTPUT} mode, for a network without hidden layer whose outputs are
 * independent models, each output keeps its own best epoch and stops on its own. Training stops
 * after {@code patience} epochs without any improvement (of any output still open).
 *
 * <p>Deterministic: the seed fixes the initial weights and every epoch's shuffle, and all sums run
 * in a fixed order, so the same data and seed give bit-identical weights.
 */
final class NetworkTraining {
  private NetworkTraining() {}

  /** Which snapshots early stopping keeps. */
  enum Snapshot {
    JOINT,
    PER_OUTPUT
  }

  /**
   * What to learn from: standardized inputs and per-row targets, {@code NaN} where missing.
   *
   * @param quality n x nq scores in [0, 1]
   * @param tokens n x nt standardized token targets (nt may be 0)
   */
  record Data(float[][] x, double[][] quality, double[][] tokens) {
    int size() {
      return x.length;
    }

    int nq() {
      return quality[0].length;
    }

    int nt() {
      return tokens[0].length;
    }
  }

  /**
   * Optimizer settings.
   *
   * @param tokenWeight weight of the token squared error (halved) next to the quality cross-entropy
   *     in the training loss
   */
  record Options(double learningRate, int batchSize, int maxEpochs, int patience, double tokenWeight) {}

  /**
   * One training run.
   *
   * @param qualityNet all outputs at the best quality epoch (JOINT) or each output at its own best
   *     epoch (PER_OUTPUT)
   * @param tokenNet all outputs at the best token epoch (JOINT); null without token outputs
   * @param qualityHistory mean validation cross-entropy after each epoch
   * @param tokenHistory mean validation squared error (standardized) after each epoch
   * @param outputEpochs PER_OUTPUT: best epoch of each quality output (0 = the initial weights)
   * @param outputLosses PER_OUTPUT: validation cross-entropy of each quality output at that epoch
   */
  record Run(
      int hidden,
      double weightDecay,
      int epochs,
      MlpNetwork qualityNet,
      int qualityEpoch,
      double qualityLoss,
      MlpNetwork tokenNet,
      int tokenEpoch,
      double tokenLoss,
      double[] qualityHistory,
      double[] tokenHistory,
      int[] outputEpochs,
      double[] outputLosses) {}

  /**
   * Validation losses of a network: per output, the sum of losses over observed rows and their
   * count (quality: cross-entropy; tokens: squared error).
   */
  record Losses(double[] qualitySum, int[] qualityCount, double[] tokenSum, int[] tokenCount) {
    double quality() {
      return mean(qualitySum, qualityCount);
    }

    double tokens() {
      return mean(tokenSum, tokenCount);
    }

    double quality(int o) {
      return qualityCount[o] == 0 ? Double.NaN : qualitySum[o] / qualityCount[o];
    }

    private static double mean(double[] s, int[] c) {
      double a = 0;
      long n = 0;
      for (int o = 0; o < s.length; o++) {
        a += s[o];
        n += c[o];
      }
      return n == 0 ? Double.NaN : a / n;
    }
  }

  /** Binary cross-entropy of logit {@code z} against score {@code y}, computed stably. */
  static double crossEntropy(double z, double y) {
    return Math.max(z, 0) - z * y + StrictMath.log1p(StrictMath.exp(-Math.abs(z)));
  }

  static double sigmoid(double z) {
    return z >= 0 ? 1 / (1 + StrictMath.exp(-z)) : StrictMath.exp(z) / (1 + StrictMath.exp(z));
  }

  /** Losses of {@code net} on {@code data}; outputs beyond the data's nq + nt are ignored. */
  static Losses evaluate(MlpNetwork net, Data data) {
    int nq = data.nq();
    int nt = data.nt();
    double[] qs = new double[nq];
    int[] qc = new int[nq];
    double[] ts = new double[nt];
    int[] tc = new int[nt];
    float[] h = new float[net.hidden()];
    float[] z = new float[net.outputs()];
    for (int i = 0; i < data.size(); i++) {
      net.forward(data.x()[i], h, z);
      double[] yq = data.quality()[i];
      for (int o = 0; o < nq; o++) {
        if (yq[o] == yq[o]) {
          qs[o] += crossEntropy(z[o], yq[o]);
          qc[o]++;
        }
      }
      double[] yt = data.tokens()[i];
      for (int o = 0; o < nt; o++) {
        if (yt[o] == yt[o]) {
          double e = z[nq + o] - yt[o];
          ts[o] += e * e;
          tc[o]++;
        }
      }
    }
    return new Losses(qs, qc, ts, tc);
  }

  /**
   * Trains a network with {@code hidden} units (0: linear in the inputs) and decoupled weight decay
   * {@code decay} on {@code train}, stopping early on {@code validation}.
   */
  static Run run(Data train, Data validation, int hidden, double decay, Options opt, long seed, Snapshot mode) {
    int n = train.size();
    int d = train.x()[0].length;
    int nq = train.nq();
    int nt = train.nt();
    int outs = nq + nt;
    Random rnd = new Random(seed);
    MlpNetwork net = MlpNetwork.blank(d, hidden, outs);
    initialize(net, train, rnd);
    float[][] g1 = new float[net.w1.length][hidden];
    float[][] gb1 = {new float[hidden]};
    float[][] g2 = new float[net.w2.length][outs];
    float[][] gb2 = {new float[outs]};
    float[][] b1 = {net.b1};
    float[][] b2 = {net.b2};
    AdamW o1 = new AdamW(g1);
    AdamW ob1 = new AdamW(gb1);
    AdamW o2 = new AdamW(g2);
    AdamW ob2 = new AdamW(gb2);
    int batch = opt.batchSize();
    float[][] xb = new float[batch][]; // the batch's inputs
    float[][] hb = new float[batch][hidden]; // hidden activations of the batch
    float[][] dhb = new float[batch][hidden]; // their gradients
    float[] z = new float[outs];
    float[] dz = new float[outs];
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }

    Losses start = evaluate(net, validation);
    MlpNetwork bestQ = net.copy();
    MlpNetwork bestT = net.copy();
    double bestQLoss = start.quality();
    double bestTLoss = start.tokens();
    int bestQEpoch = 0;
    int bestTEpoch = 0;
    int[] outEpoch = new int[nq];
    double[] outLoss = new double[nq];
    for (int o = 0; o < nq; o++) {
      outLoss[o] = start.quality(o);
    }
    double[] qHist = new double[opt.maxEpochs()];
    double[] tHist = new double[opt.maxEpochs()];
    int lastImprovement = 0;
    int epoch = 0;
    int step = 0;
    boolean[] open = new boolean[nq]; // PER_OUTPUT: outputs still looking for a better epoch
    for (int o = 0; o < nq; o++) {
      open[o] = start.qualityCount()[o] > 0; // without validation entries an output keeps its start
    }
    while (epoch < opt.maxEpochs() && (mode == Snapshot.PER_OUTPUT || epoch - lastImprovement < opt.patience())) {
      epoch++;
      shuffle(order, rnd);
      for (int from = 0; from < n; from += batch) {
        int rows = Math.min(n, from + batch) - from;
        float scale = 1f / rows;
        zero(g1);
        zero(gb1);
        zero(g2);
        zero(gb2);
        if (hidden > 0) {
          // layer 1 for the whole batch, weight row by weight row, so that each row of w1 meets
          // every prompt of the batch while it is in cache; each single sum keeps the order of a
          // prompt-by-prompt pass (inputs 0..d-1)
          for (int r = 0; r < rows; r++) {
            xb[r] = train.x()[order[from + r]];
            System.arraycopy(net.b1, 0, hb[r], 0, hidden);
          }
          for (int a = 0; a < d; a++) {
            float[] w = net.w1[a];
            for (int r = 0; r < rows; r++) {
              MlpNetwork.axpy(hb[r], xb[r][a], w);
            }
          }
        }
        for (int r = 0; r < rows; r++) {
          int i = order[from + r];
          float[] in = train.x()[i];
          if (hidden > 0) {
            in = hb[r];
            MlpNetwork.relu(in);
          }
          net.output(in, z);
          double[] yq = train.quality()[i];
          for (int o = 0; o < nq; o++) {
            dz[o] = yq[o] == yq[o] ? (float) (sigmoid(z[o]) - yq[o]) * scale : 0f;
          }
          double[] yt = train.tokens()[i];
          for (int o = 0; o < nt; o++) {
            dz[nq + o] = yt[o] == yt[o] ? (float) (opt.tokenWeight() * (z[nq + o] - yt[o])) * scale : 0f;
          }
          for (int k = 0; k < in.length; k++) {
            if (in[k] != 0) {
              MlpNetwork.axpy(g2[k], in[k], dz);
            }
          }
          MlpNetwork.axpy(gb2[0], 1f, dz);
          if (hidden > 0) {
            float[] dh = dhb[r];
            for (int k = 0; k < hidden; k++) {
              float s = 0;
              if (in[k] > 0) {
                float[] w = net.w2[k];
                for (int o = 0; o < outs; o++) {
                  s += w[o] * dz[o];
                }
              }
              dh[k] = s;
            }
            MlpNetwork.axpy(gb1[0], 1f, dh);
          }
        }
        if (hidden > 0) {
          for (int a = 0; a < d; a++) {
            float[] g = g1[a];
            for (int r = 0; r < rows; r++) {
              MlpNetwork.axpy(g, xb[r][a], dhb[r]);
            }
          }
        }
        step++;
        if (hidden > 0) {
          o1.step(net.w1, g1, step, opt.learningRate(), decay);
          ob1.step(b1, gb1, step, opt.learningRate(), 0);
        }
        o2.step(net.w2, g2, step, opt.learningRate(), decay);
        ob2.step(b2, gb2, step, opt.learningRate(), 0);
      }

      Losses l = evaluate(net, validation);
      qHist[epoch - 1] = l.quality();
      tHist[epoch - 1] = l.tokens();
      if (l.quality() < bestQLoss) {
        bestQLoss = l.quality();
        bestQEpoch = epoch;
        lastImprovement = epoch;
        if (mode == Snapshot.JOINT) {
          bestQ = net.copy();
        }
      }
      if (nt > 0 && l.tokens() < bestTLoss) {
        bestTLoss = l.tokens();
        bestTEpoch = epoch;
        lastImprovement = epoch;
        bestT = net.copy();
      }
      if (mode == Snapshot.PER_OUTPUT) {
        // each output stops on its own: its weights depend on its own data only (the outputs
        // share no parameter), so a model fits as it would alone on the same rows
        boolean anyOpen = false;
        for (int o = 0; o < nq; o++) {
          if (!open[o]) {
            continue;
          }
          double lo = l.quality(o);
          if (lo < outLoss[o]) {
            outLoss[o] = lo;
            outEpoch[o] = epoch;
            copyOutput(net, bestQ, o);
          }
          open[o] = epoch - outEpoch[o] < opt.patience();
          anyOpen |= open[o];
        }
        if (!anyOpen) {
          break;
        }
      }
    }
    return new Run(hidden, decay, epoch, bestQ, bestQEpoch, bestQLoss, nt > 0 ? bestT : null, bestTEpoch, bestTLoss,
        Arrays.copyOf(qHist, epoch), Arrays.copyOf(tHist, epoch),
        mode == Snapshot.PER_OUTPUT ? outEpoch : null, mode == Snapshot.PER_OUTPUT ? outLoss : null);
  }

  /** Copies output {@code o}'s weights (a network without hidden layer) from {@code from} to {@code to}. */
  private static void copyOutput(MlpNetwork from, MlpNetwork to, int o) {
    for (int k = 0; k < from.w2.length; k++) {
      to.w2[k][o] = from.w2[k][o];
    }
    to.b2[o] = from.b2[o];
  }

  private static void zero(float[][] a) {
    for (float[] r : a) {
      Arrays.fill(r, 0);
    }
  }

  /**
   * He-normal first layer, a second layer a tenth of Xavier's scale (so that the initial network
   * predicts about each model's mean); quality biases start at the logit of each output's
   * mean training score and token biases at 0 (the standardized mean). Without a hidden layer the
   * weights start at 0 (the problem is convex).
   */
  private static void initialize(MlpNetwork net, Data train, Random rnd) {
    int d = net.inputs();
    int hidden = net.hidden();
    if (hidden > 0) {
      double s1 = Math.sqrt(2.0 / d);
      for (float[] row : net.w1) {
        for (int k = 0; k < row.length; k++) {
          row[k] = (float) (rnd.nextGaussian() * s1);
        }
      }
      double s2 = 0.1 * Math.sqrt(1.0 / hidden); // small: the first epochs start from the means
      for (float[] row : net.w2) {
        for (int o = 0; o < row.length; o++) {
          row[o] = (float) (rnd.nextGaussian() * s2);
        }
      }
    }
    int nq = train.nq();
    for (int o = 0; o < nq; o++) {
      double s = 0;
      int c = 0;
      for (double[] y : train.quality()) {
        if (y[o] == y[o]) {
          s += y[o];
          c++;
        }
      }
      double p = Math.min(1 - 1e-3, Math.max(1e-3, c == 0 ? 0.5 : s / c));
      net.b2[o] = (float) StrictMath.log(p / (1 - p));
    }
  }

  private static void shuffle(int[] a, Random rnd) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = rnd.nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }
}
