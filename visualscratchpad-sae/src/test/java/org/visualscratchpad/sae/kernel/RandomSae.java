package org.visualscratchpad.sae.kernel;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.visualscratchpad.hook.HookPoint;
import org.visualscratchpad.sae.SaeConfig;
import org.visualscratchpad.sae.architecture.SaeParameters;
import org.visualscratchpad.sae.architecture.SaeType;
import org.visualscratchpad.sae.architecture.SaeTypes;
import org.visualscratchpad.tensor.FloatMatrix;

/**
 * Seeded random SAEs of any registered architecture and inputs for kernel tests: Gaussian weights,
 * and each per-latent parameter the architecture reads drawn so that a few percent fire.
 */
final class RandomSae {
  private RandomSae() {}

  static SaeWeights weights(long seed, SaeType type, int dIn, int dSae, int k, boolean applyBDec) {
    SplittableRandom rnd = new SplittableRandom(seed);
    float scale = (float) (1.0 / Math.sqrt(dIn));
    float[] wEnc = gaussian(rnd, dIn * dSae, scale);
    float[] wDec = gaussian(rnd, dIn * dSae, scale);
    Map<String, float[]> parameters = new LinkedHashMap<>();
    for (String name : type.parameterNames()) {
      parameters.put(name, parameter(rnd, name, type, dSae));
    }
    float[] bDec = gaussian(rnd, dIn, 0.1f);
    SaeConfig cfg = new SaeConfig(type.architecture(), dIn, dSae, HookPoint.visionResidPost(3), applyBDec,
        type.architecture().usesK() ? k : 0, "float32", "random seed " + seed);
    return SaeTypes.weights(cfg, wEnc, wDec, bDec, SaeParameters.of(parameters));
  }

  /** One per-latent parameter, by its SAELens name. */
  private static float[] parameter(SplittableRandom rnd, String name, SaeType type, int dSae) {
    float[] p = new float[dSae];
    for (int j = 0; j < dSae; j++) {
      switch (name) {
        case "b_enc":
          // with unit-variance inputs: ~5-15 % fire; more positives where a threshold or top-k selects
          p[j] = (float) (-1.0 - 0.5 * rnd.nextDouble()) + (type.parameterNames().contains("threshold") ? 0.6f : 0f)
              + (type.architecture().usesK() ? 1.0f : 0f);
          break;
        case "threshold":
          p[j] = (float) (rnd.nextDouble() * 0.6 - 0.1); // a few negative: relu still applies
          break;
        default:
          p[j] = (float) (rnd.nextDouble() - 0.5);
          break;
      }
    }
    return p;
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
