package org.visualscratchpad.sae.architecture;

import java.util.List;
import org.visualscratchpad.sae.SaeArchitecture;
import org.visualscratchpad.sae.SaeConfig;
import org.visualscratchpad.sae.kernel.LatentActivation;

/**
 * SAELens' {@code standard} SAE, the paper's vanilla one: {@code h = relu((z - b_dec) W_enc + b_enc)}.
 * Reads {@code b_enc [d_sae]}. Checkpoints also call it {@code relu} or {@code vanilla}.
 */
final class StandardSae implements SaeType {
  @Override
  public SaeArchitecture architecture() {
    return SaeArchitecture.STANDARD;
  }

  @Override
  public List<String> aliases() {
    return List.of("relu", "vanilla");
  }

  @Override
  public List<String> parameterNames() {
    return List.of("b_enc");
  }

  @Override
  public LatentActivation activation(SaeConfig config, SaeParameters parameters) {
    return LatentActivation.relu(parameters.get("b_enc", config.dSae()));
  }

  @Override
  public String toString() {
    return architecture().cfgName();
  }
}
