package org.visualscratchpad.torch.scratchpad;

import org.visualscratchpad.scratchpad.LoadSpec;
import org.visualscratchpad.torch.checkpoint.ConfigJson;
import org.visualscratchpad.scratchpad.Scratchpad;
import org.visualscratchpad.scratchpad.ScratchpadProvider;

/**
 * The DJL / libtorch backend of {@link Scratchpad#load}: LLaVA-1.5 and LLaVA-NeXT checkpoints, and
 * CLIP checkpoints ({@code config.json} {@code model_type "clip"}) for zero-shot classification.
 */
public final class TorchScratchpadProvider implements ScratchpadProvider {
  @Override
  public String name() {
    return "torch";
  }

  @Override
  public Scratchpad open(LoadSpec spec) {
    String type = ConfigJson.read(spec.model()).getString("model_type", "");
    return "clip".equals(type) ? ClipScratchpad.open(spec) : TorchScratchpad.open(spec);
  }
}
