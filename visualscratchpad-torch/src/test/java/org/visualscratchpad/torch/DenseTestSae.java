package org.visualscratchpad.torch;

import java.nio.file.Path;
import org.visualscratchpad.hook.HookPoint;
import org.visualscratchpad.intervention.ErrorTerm;
import org.visualscratchpad.intervention.InterventionPlan;
import org.visualscratchpad.intervention.LatentIntervention;
import org.visualscratchpad.sae.SaeArchitecture;
import org.visualscratchpad.sae.SaeConfig;
import org.visualscratchpad.sae.SparseActivations;
import org.visualscratchpad.sae.SparseAutoencoder;
import org.visualscratchpad.tensor.FloatMatrix;
import org.visualscratchpad.torch.checkpoint.TensorFile;

/**
 * A test-only dense ReLU SAE (SAELens "standard", b_dec applied to the input) written directly from
 * the formulas, used until the real loader of visualscratchpad-sae is available here.
 */
public final class DenseTestSae implements SparseAutoencoder {
  private final SaeConfig cfg;
  private final float[] wEnc;  // (d_in, d_sae)
  private final float[] bEnc;  // (d_sae)
  private final float[] wDec;  // (d_sae, d_in)
  private final float[] bDec;  // (d_in)

  public DenseTestSae(SaeConfig cfg, float[] wEnc, float[] bEnc, float[] wDec, float[] bDec) {
    this.cfg = cfg;
    this.wEnc = wEnc;
    this.bEnc = bEnc;
    this.wDec = wDec;
    this.bDec = bDec;
  }

  /** Reads {@code sae_weights.safetensors} of a SAELens folder; hook layer given by the caller. */
  public static DenseTestSae load(Path folder, int hookLayer) {
    TensorFile f = TensorFile.open(folder.resolve("sae_weights.safetensors"));
    long[] shape = f.shape("W_enc");
    SaeConfig cfg = new SaeConfig(SaeArchitecture.STANDARD, (int) shape[0], (int) shape[1],
        HookPoint.visionResidPost(hookLayer), true, 0, "float32", "test");
    return new DenseTestSae(cfg, f.tensor("W_enc").toArray(), f.tensor("b_enc").toArray(), f.tensor("W_dec").toArray(),
        f.tensor("b_dec").toArray());
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
    float[] out = new float[n * dSae];
    for (int r = 0; r < n; r++) {
      for (int j = 0; j < dSae; j++) {
        float s = bEnc[j];
        for (int i = 0; i < dIn; i++) {
          s += (input.get(r, i) - bDec[i]) * wEnc[i * dSae + j];
        }
        out[r * dSae + j] = s;
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
      for (int i = 0; i < dIn; i++) {
        out[r * dIn + i] = bDec[i];
      }
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
    FloatMatrix dense = codes.toDense();
    float[] h = dense.toArray();
    float[] h2 = h.clone();
    for (LatentIntervention edit : plan.edits()) {
      for (int id : edit.latentIds()) {
        checkLatent(id);
        for (int r = 0; r < n; r++) {
          if (edit.scope().includes(crop, r)) {
            h2[r * cfg.dSae() + id] = edit.edit(h2[r * cfg.dSae() + id]);
          }
        }
      }
    }
    if (plan.errorTerm() == ErrorTerm.DROP) {
      return decode(SparseActivations.fromDense(FloatMatrix.adopt(n, cfg.dSae(), h2)));
    }
    float[] z = input.toArray();
    for (int r = 0; r < n; r++) {
      for (int j = 0; j < cfg.dSae(); j++) {
        float delta = h2[r * cfg.dSae() + j] - h[r * cfg.dSae() + j];
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
