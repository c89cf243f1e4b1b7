package org.visualscratchpad.sae.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.visualscratchpad.hook.HookPoint;
import org.visualscratchpad.tensor.FloatMatrix;

/** The hand-written backward pass equals central finite differences of the loss, computed in double. */
class SaeTrainerGradientTest {

  private static final int D_IN = 9;
  private static final int D_SAE = 14;
  private static final int ROWS = 6;

  @ParameterizedTest(name = "{0} {1} k={2} seed={3} dense={4}")
  @CsvSource({"standard, UNIT, 0, 11, false", "standard, WEIGHTED_L1, 0, 12, false", "topk, UNIT, 3, 13, false",
      "standard, UNIT, 0, 14, false", "standard, UNIT, 0, 11, true", "standard, WEIGHTED_L1, 0, 12, true",
      "topk, UNIT, 3, 13, true"})
  void analytic_gradients_match_finite_differences(String arch, DecoderNorm norm, int k, long seed, boolean dense) {
    TrainingConfig cfg = TrainingConfig.paperDefaults(D_IN, HookPoint.visionResidPost(0)).withDSae(D_SAE)
        .withL1(0.3, norm).withDecoderBiasInit(DecoderBiasInit.ZERO).withThreads(2).withSeed(seed);
    if (arch.equals("topk")) {
      cfg = cfg.withTopK(k);
    }
    SplittableRandom rnd = new SplittableRandom(seed);
    try (SaeTrainer t = SaeTrainer.create(cfg)) {
      fill(t.wEncT, rnd, 0.5);
      fill(t.wDec, rnd, 0.5);
      fill(t.bEnc, rnd, 0.3);
      fill(t.bDec, rnd, 0.3);
      float[] x = new float[ROWS * D_IN];
      fill(x, rnd, 1.0);
      FloatMatrix batch = FloatMatrix.of(ROWS, D_IN, x);

      t.denseThreshold = dense ? -1 : 2;
      SaeTrainer.Forward f = t.forward(batch);
      assertEquals(dense, f.dense, "product path");
      float[] gEncT = new float[D_SAE * D_IN];
      float[] gDec = new float[D_SAE * D_IN];
      float[] gBEnc = new float[D_SAE];
      float[] gBDec = f.gradBDecDirect.clone();
      float[] ge = new float[D_IN];
      float[] gd = new float[D_IN];
      for (int j = 0; j < D_SAE; j++) {
        gBEnc[j] = t.latentGradient(f, j, ge, gd);
        System.arraycopy(ge, 0, gEncT, j * D_IN, D_IN);
        System.arraycopy(gd, 0, gDec, j * D_IN, D_IN);
        for (int i = 0; i < D_IN; i++) {
          gBDec[i] -= gBEnc[j] * t.wEncT[j * D_IN + i];
        }
      }
      double loss = loss(cfg, t.wEncT, t.bEnc, t.wDec, t.bDec, x, new double[4][]);
      assertEquals(loss, f.mse + cfg.l1Coefficient() * f.l1, 1e-4 * Math.max(1, loss), "loss, seed " + seed);

      String ctx = arch + " " + norm + " seed " + seed;
      check(ctx + " W_enc", cfg, t, x, 0, gEncT);
      check(ctx + " b_enc", cfg, t, x, 1, gBEnc);
      check(ctx + " W_dec", cfg, t, x, 2, gDec);
      check(ctx + " b_dec", cfg, t, x, 3, gBDec);
    }
  }

  private static void check(String what, TrainingConfig cfg, SaeTrainer t, float[] x, int which, float[] analytic) {
    double eps = 1e-3;
    double[][] p = {toDouble(t.wEncT), toDouble(t.bEnc), toDouble(t.wDec), toDouble(t.bDec)};
    int checked = 0;
    for (int idx = 0; idx < analytic.length; idx++) {
      double orig = p[which][idx];
      p[which][idx] = orig + eps;
      double up = loss(cfg, p, x);
      p[which][idx] = orig - eps;
      double down = loss(cfg, p, x);
      p[which][idx] = orig;
      double numeric = (up - down) / (2 * eps);
      // a kink (ReLU threshold or top-k swap) within eps makes the difference meaningless: skip it
      double mid = loss(cfg, p, x);
      if (Math.abs(up + down - 2 * mid) > 1e-4) {
        continue;
      }
      checked++;
      assertEquals(numeric, analytic[idx], 2e-3 + 1e-2 * Math.abs(numeric),
          what + "[" + idx + "]: numeric " + numeric + " analytic " + analytic[idx]);
    }
    assertTrue(checked > analytic.length / 2, what + ": only " + checked + " of " + analytic.length + " entries checked");
  }

  private static double loss(TrainingConfig cfg, float[] wEncT, float[] bEnc, float[] wDec, float[] bDec, float[] x,
      double[][] unused) {
    return loss(cfg, new double[][] {toDouble(wEncT), toDouble(bEnc), toDouble(wDec), toDouble(bDec)}, x);
  }

  /** The training loss in double precision, written directly from its definition. */
  static double loss(TrainingConfig cfg, double[][] p, float[] x) {
    double[] wEncT = p[0];
    double[] bEnc = p[1];
    double[] wDec = p[2];
    double[] bDec = p[3];
    double total = 0;
    for (int r = 0; r < ROWS; r++) {
      double[] h = new double[D_SAE];
      for (int j = 0; j < D_SAE; j++) {
        double pre = bEnc[j];
        for (int i = 0; i < D_IN; i++) {
          pre += (x[r * D_IN + i] - bDec[i]) * wEncT[j * D_IN + i];
        }
        h[j] = Math.max(0, pre);
      }
      if (cfg.k() > 0) {
        double[] sorted = h.clone();
        Arrays.sort(sorted);
        double kth = sorted[D_SAE - cfg.k()];
        for (int j = 0; j < D_SAE; j++) {
          if (h[j] < kth) {
            h[j] = 0;
          }
        }
      }
      for (int i = 0; i < D_IN; i++) {
        double xHat = bDec[i];
        for (int j = 0; j < D_SAE; j++) {
          xHat += h[j] * wDec[j * D_IN + i];
        }
        total += (xHat - x[r * D_IN + i]) * (xHat - x[r * D_IN + i]) / ROWS;
      }
      for (int j = 0; j < D_SAE; j++) {
        double w = 1;
        if (cfg.decoderNorm() == DecoderNorm.WEIGHTED_L1) {
          w = 0;
          for (int i = 0; i < D_IN; i++) {
            w += wDec[j * D_IN + i] * wDec[j * D_IN + i];
          }
          w = Math.sqrt(w);
        }
        total += cfg.l1Coefficient() * h[j] * w / ROWS;
      }
    }
    return total;
  }

  private static double[] toDouble(float[] a) {
    double[] d = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      d[i] = a[i];
    }
    return d;
  }

  private static void fill(float[] a, SplittableRandom rnd, double scale) {
    for (int i = 0; i < a.length; i++) {
      a[i] = (float) ((rnd.nextDouble() * 2 - 1) * scale);
    }
  }

  @org.junit.jupiter.api.Test
  void dense_and_sparse_product_paths_take_the_same_step() {
    TrainingConfig cfg = TrainingConfig.paperDefaults(37, HookPoint.visionResidPost(0)).withDSae(70)
        .withL1(0.1, DecoderNorm.UNIT).withLearningRate(1e-2).withThreads(2).withSeed(5);
    SplittableRandom rnd = new SplittableRandom(5);
    float[] x = new float[50 * 37];
    fill(x, rnd, 1.0);
    FloatMatrix batch = FloatMatrix.of(50, 37, x);
    try (SaeTrainer sparse = SaeTrainer.create(cfg); SaeTrainer dense = SaeTrainer.create(cfg)) {
      sparse.denseThreshold = 2;
      dense.denseThreshold = -1;
      for (int s = 0; s < 3; s++) {
        StepMetrics a = sparse.step(batch);
        StepMetrics b = dense.step(batch);
        assertEquals(a.loss(), b.loss(), 1e-4 * Math.abs(a.loss()), "loss at step " + s);
        assertEquals(a.l0(), b.l0(), 0.0, "L0 at step " + s);
      }
      for (int i = 0; i < sparse.wDec.length; i++) {
        assertEquals(sparse.wDec[i], dense.wDec[i], 1e-4f, "W_dec[" + i + "]");
        assertEquals(sparse.wEncT[i], dense.wEncT[i], 1e-4f, "W_enc^T[" + i + "]");
      }
    }
  }
}
