package org.visualscratchpad.sae.kernel;

import java.util.SplittableRandom;
import org.visualscratchpad.hook.HookPoint;
import org.visualscratchpad.sae.SaeArchitecture;
import org.visualscratchpad.sae.SaeConfig;
import org.visualscratchpad.tensor.FloatMatrix;

/** Seeded random SAEs and inputs for kernel tests: Gaussian weights, negative biases so that a few percent fire. */
final class RandomSae {
  private RandomSae() {}

  static SaeWeights weights(long seed, SaeArchitecture arch, int dIn, int dSae, int k, boolean applyBDec) {
    SplittableRandom rnd = new SplittableRandom(seed);
    float scale = (float) (1.0 / Math.sqrt(dIn));
    float[] wEnc = gaussian(rnd, dIn * dSae, scale);
    float[] wDec = gaussian(rnd, dIn * dSae, scale);
    float[] bEnc = new float[dSae];
    for (int j = 0; j < dSae; j++) {
      bEnc[j] = (float) (-1.0 - 0.5 * rnd.nextDouble()); // with unit-variance inputs: ~5-15 % fire
    }
    float[] bDec = gaussian(rnd, dIn, 0.1f);
    float[] threshold = null;
    if (arch == SaeArchitecture.JUMPRELU) {
      threshold = new float[dSae];
      for (int j = 0; j < dSae; j++) {
        threshold[j] = (float) (rnd.nextDouble() * 0.6 - 0.1); // a few negative: relu still applies
      }
      for (int j = 0; j < dSae; j++) {
        bEnc[j] += 0.6f;
      }
    }
    if (arch == SaeArchitecture.TOPK) {
      for (int j = 0; j < dSae; j++) {
        bEnc[j] += 1.0f; // many positives, so that top-k actually selects
      }
    }
    SaeConfig cfg = new SaeConfig(arch, dIn, dSae, HookPoint.visionResidPost(3), applyBDec,
        arch == SaeArchitecture.TOPK ? k : 0, "float32", "random seed " + seed);
    return SaeWeights.of(cfg, wEnc, bEnc, wDec, bDec, threshold);
  }

  static FloatMatrix input(long seed, int rows, int dIn) {
    return FloatMatrix.adopt(rows, dIn, gaussian(new SplittableRandom(seed ^ 0x5DEECE66DL), rows * dIn, 1f));
  }

  static float[] gaussian(SplittableRandom rnd, int n, float scale) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      // Box-Muller, one value per pair is enough here
      double u = 1.0 - rnd.nextDouble();
      double v = rnd.nextDouble();
      a[i] = (float) (Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v) * scale);
    }
    return a;
  }
}
