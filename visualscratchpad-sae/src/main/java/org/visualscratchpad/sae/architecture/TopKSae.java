package org.visualscratchpad.sae.architecture;

import java.util.List;
import org.visualscratchpad.sae.SaeArchitecture;
import org.visualscratchpad.sae.SaeConfig;
import org.visualscratchpad.sae.kernel.LatentActivation;

/**
 * SAELens' {@code topk} SAE: the standard encoder, then each row keeps its {@code k} largest
 * activations ({@link SaeConfig#k()}). Reads {@code b_enc [d_sae]}.
 */
final class TopKSae implements SaeType {
  @Override
  public SaeArchitecture architecture() {
    return SaeArchitecture.TOPK;
  }

  @Override
  public List<String> parameterNames() {
    return List.of("b_enc");
  }

  @Override
  public LatentActivation activation(SaeConfig config, SaeParameters parameters) {
    return LatentActivation.relu(parameters.get("b_enc", config.dSae())).withTopK(config.k());
  }

  @Override
  public String toString() {
    return architecture().cfgName();
  }
}
