package org.visualscratchpad.sae.architecture;

import java.util.List;
import org.visualscratchpad.sae.SaeArchitecture;
import org.visualscratchpad.sae.SaeConfig;
import org.visualscratchpad.sae.kernel.LatentActivation;

/**
 * SAELens' {@code jumprelu} SAE: {@code h = relu(pre) * (pre > threshold)} with {@code pre = (z -
 * b_dec) W_enc + b_enc} and a learned per-latent threshold. Reads {@code b_enc [d_sae]} and {@code
 * threshold [d_sae]} (or {@code log_threshold}, as some releases store it).
 */
final class JumpReluSae implements SaeType {
  @Override
  public SaeArchitecture architecture() {
    return SaeArchitecture.JUMPRELU;
  }

  @Override
  public List<String> parameterNames() {
    return List.of("b_enc", "threshold");
  }

  @Override
  public LatentActivation activation(SaeConfig config, SaeParameters parameters) {
    int dSae = config.dSae();
    float[] threshold;
    if (parameters.contains("threshold")) {
      threshold = parameters.get("threshold", dSae);
    } else if (parameters.contains("log_threshold")) {
      threshold = parameters.get("log_threshold", dSae).clone();
      for (int latentId = 0; latentId < dSae; latentId++) {
        threshold[latentId] = (float) Math.exp(threshold[latentId]);
      }
    } else {
      throw parameters.missing("threshold", "a jumprelu SAE", dSae);
    }
    return LatentActivation.relu(parameters.get("b_enc", dSae)).withThresholds(threshold);
  }

  @Override
  public String toString() {
    return architecture().cfgName();
  }
}
