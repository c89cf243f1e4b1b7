package org.visualscratchpad.sae.architecture;

import java.util.List;
import org.visualscratchpad.sae.SaeArchitecture;
import org.visualscratchpad.sae.SaeConfig;
import org.visualscratchpad.sae.kernel.LatentActivation;

/**
 * SAELens' {@code gated} SAE (Rajamanoharan et al., 2024): a gate path decides which latents fire,
 * a magnitude path sharing {@code W_enc} (rescaled per latent) how strongly.
 *
 * <pre>
 *   m    = (z - b_dec * apply) W_enc
 *   gate = m + b_gate                           latent j fires where gate[j] > 0
 *   pre  = exp(r_mag) * m + b_mag               the magnitude pre-activation (SAELens' hook_sae_acts_pre)
 *   h    = (gate > 0) * relu(pre)
 * </pre>
 *
 * <p>Reads {@code b_gate}, {@code r_mag} and {@code b_mag} ({@code [d_sae]} each, SAELens' names); a
 * gated SAE has no {@code b_enc}. SAELens computes the magnitude path as {@code (z - b_dec) (W_enc *
 * exp(r_mag))}; scaling the shared product instead costs no second matrix and differs by float
 * rounding only.
 */
final class GatedSae implements SaeType {
  private static final SaeArchitecture GATED = new SaeArchitecture("gated", false);

  @Override
  public SaeArchitecture architecture() {
    return GATED;
  }

  @Override
  public List<String> parameterNames() {
    return List.of("b_gate", "r_mag", "b_mag");
  }

  @Override
  public LatentActivation activation(SaeConfig config, SaeParameters parameters) {
    int dSae = config.dSae();
    float[] rMag = parameters.get("r_mag", dSae);
    float[] scale = new float[dSae];
    for (int latentId = 0; latentId < dSae; latentId++) {
      scale[latentId] = (float) Math.exp(rMag[latentId]);
    }
    return LatentActivation.of(scale, parameters.get("b_mag", dSae), parameters.get("b_gate", dSae));
  }

  @Override
  public String toString() {
    return architecture().cfgName();
  }
}
