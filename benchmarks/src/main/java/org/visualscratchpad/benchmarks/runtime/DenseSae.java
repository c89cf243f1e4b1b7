package org.visualscratchpad.benchmarks.runtime;

import java.util.SplittableRandom;
import org.visualscratchpad.hook.HookPoint;
import org.visualscratchpad.intervention.ErrorTerm;
import org.visualscratchpad.intervention.InterventionPlan;
import org.visualscratchpad.intervention.LatentIntervention;
import org.visualscratchpad.sae.SaeArchitecture;
import org.visualscratchpad.sae.SaeConfig;
import org.visualscratchpad.sae.SparseActivations;
import org.visualscratchpad.sae.SparseAutoencoder;
import org.visualscratchpad.tensor.FloatMatrix;

/**
 * A plain dense ReLU SAE with seeded random weights, so that the runtime benchmark has an SAE to
 * intervene with; it is not the project's optimised SAE kernel (see the SAE benchmarks for those).
 */
final class DenseSae implements SparseAutoencoder {
  private final SaeConfig cfg;
  private final float[] wEnc;  // (d_in, d_sae)
  private final float[] bEnc;  // (d_sae)
  private final float[] wDec;  // (d_sae, d_in)
  private final float[] bDec;  // (d_in)

  private DenseSae(SaeConfig cfg, float[] wEnc, float[] bEnc, float[] wDec, float[] bDec) {
    this.cfg = cfg;
    this.wEnc = wEnc;
    this.bEnc = bEnc;
    this.wDec = wDec;
    this.bDec = bDec;
  }

  static DenseSae random(int dIn, int dSae, HookPoint hook, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] we = new float[dIn * dSae];
    float[] wd = new float[dSae * dIn];
    for (int i = 0; i < we.length; i++) {
      we[i] = (float) (r.nextGaussian() / Math.sqrt(dIn));
      wd[i] = (float) (r.nextGaussian() / Math.sqrt(dIn));
    }
    float[] be = new float[dSae];
    java.util.Arrays.fill(be, -0.5f);
    return new DenseSae(new SaeConfig(SaeArchitecture.STANDARD, dIn, dSae, hook, true, 0, "float32", "benchmark"),
        we, be, wd, new float[dIn]);
  }

  @Override
  public SaeConfig config() {
    return cfg;
  }

  @Override
  public FloatMatrix preActivations(FloatMatrix input) {
    int n = input.rows();
    int dIn = cfg.dIn();
    int dSae = cfg.dSae();
    float[] x = input.toArray();
    float[] out = new float[n * dSae];
    for (int r = 0; r < n; r++) {
      System.arraycopy(bEnc, 0, out, r * dSae, dSae);
      for (int i = 0; i < dIn; i++) {
        float xi = x[r * dIn + i] - bDec[i];
        for (int j = 0; j < dSae; j++) {
          out[r * dSae + j] += xi * wEnc[i * dSae + j];
        }
      }
    }
    return FloatMatrix.adopt(n, dSae, out);
  }

  @Override
  public SparseActivations encode(FloatMatrix input) {
    float[] pre = preActivations(input).toArray();
    for (int i = 0; i < pre.length; i++) {
      pre[i] = Math.max(pre[i], 0f);
    }
    return SparseActivations.fromDense(FloatMatrix.adopt(input.rows(), cfg.dSae(), pre));
  }

  @Override
  public FloatMatrix decode(SparseActivations codes) {
    int dIn = cfg.dIn();
    float[] out = new float[codes.rows() * dIn];
    for (int r = 0; r < codes.rows(); r++) {
      System.arraycopy(bDec, 0, out, r * dIn, dIn);
      for (int p = codes.rowStart(r); p < codes.rowEnd(r); p++) {
        int j = codes.latentAt(p);
        float v = codes.valueAt(p);
        for (int i = 0; i < dIn; i++) {
          out[r * dIn + i] += v * wDec[j * dIn + i];
        }
      }
    }
    return FloatMatrix.adopt(codes.rows(), dIn, out);
  }

  @Override
  public FloatMatrix intervene(FloatMatrix input, SparseActivations codes, int crop, InterventionPlan plan) {
    int n = input.rows();
    int dIn = cfg.dIn();
    int dSae = cfg.dSae();
    float[] h = codes.toDense().toArray();
    float[] h2 = h.clone();
    for (LatentIntervention e : plan.edits()) {
      for (int id : e.latentIds()) {
        checkLatent(id);
        for (int r = 0; r < n; r++) {
          if (e.scope().includes(crop, r)) {
            h2[r * dSae + id] = e.edit(h2[r * dSae + id]);
          }
        }
      }
    }
    if (plan.errorTerm() == ErrorTerm.DROP) {
      return decode(SparseActivations.fromDense(FloatMatrix.adopt(n, dSae, h2)));
    }
    float[] z = input.toArray();
    for (int r = 0; r < n; r++) {
      for (int j = 0; j < dSae; j++) {
        float delta = h2[r * dSae + j] - h[r * dSae + j];
        if (delta != 0f) {
          for (int i = 0; i < dIn; i++) {
            z[r * dIn + i] += delta * wDec[j * dIn + i];
          }
        }
      }
    }
    return FloatMatrix.adopt(n, dIn, z);
  }

  @Override
  public float[] decoderDirection(int latentId) {
    checkLatent(latentId);
    return java.util.Arrays.copyOfRange(wDec, latentId * cfg.dIn(), (latentId + 1) * cfg.dIn());
  }
}
