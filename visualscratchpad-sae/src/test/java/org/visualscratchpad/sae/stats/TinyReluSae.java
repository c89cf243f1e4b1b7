package org.visualscratchpad.sae.stats;

import java.util.SplittableRandom;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.hook.HookPoint;
import org.visualscratchpad.intervention.InterventionPlan;
import org.visualscratchpad.sae.SaeArchitecture;
import org.visualscratchpad.sae.SaeConfig;
import org.visualscratchpad.sae.SparseActivations;
import org.visualscratchpad.sae.SparseAutoencoder;
import org.visualscratchpad.tensor.FloatMatrix;

/** A test-only ReLU SAE with seeded random weights; interventions are not needed by statistics. */
final class TinyReluSae implements SparseAutoencoder {
  private final SaeConfig config;
  private final float[] wEnc; // [d_in x d_sae]
  private final float[] bEnc;

  TinyReluSae(int dIn, int dSae, HookPoint hook, long seed) {
    config = new SaeConfig(SaeArchitecture.STANDARD, dIn, dSae, hook, false, 0, "float32", "tiny");
    SplittableRandom rnd = new SplittableRandom(seed);
    wEnc = new float[dIn * dSae];
    bEnc = new float[dSae];
    for (int i = 0; i < wEnc.length; i++) {
      wEnc[i] = (float) (rnd.nextDouble() * 2 - 1);
    }
    for (int j = 0; j < dSae; j++) {
      bEnc[j] = (float) (rnd.nextDouble() * 0.4 - 0.3);
    }
  }

  @Override
  public SaeConfig config() {
    return config;
  }

  @Override
  public SparseActivations encode(FloatMatrix input) {
    FloatMatrix pre = preActivations(input);
    float[] d = pre.toArray();
    for (int i = 0; i < d.length; i++) {
      d[i] = Math.max(0f, d[i]);
    }
    return SparseActivations.fromDense(FloatMatrix.adopt(pre.rows(), pre.cols(), d));
  }

  @Override
  public FloatMatrix preActivations(FloatMatrix input) {
    InvalidInputException.check(input.cols() == dIn(), "input width (%s) must be d_in (%s)", input.cols(), dIn());
    float[] out = new float[input.rows() * dSae()];
    for (int r = 0; r < input.rows(); r++) {
      for (int j = 0; j < dSae(); j++) {
        float s = bEnc[j];
        for (int i = 0; i < dIn(); i++) {
          s += input.get(r, i) * wEnc[i * dSae() + j];
        }
        out[r * dSae() + j] = s;
      }
    }
    return FloatMatrix.adopt(input.rows(), dSae(), out);
  }

  @Override
  public FloatMatrix decode(SparseActivations codes) {
    throw new UnsupportedOperationException("not needed by the statistics tests");
  }

  @Override
  public FloatMatrix intervene(FloatMatrix input, SparseActivations codes, int crop, InterventionPlan plan) {
    throw new UnsupportedOperationException("not needed by the statistics tests");
  }

  @Override
  public float[] decoderDirection(int latentId) {
    throw new UnsupportedOperationException("not needed by the statistics tests");
  }
}
