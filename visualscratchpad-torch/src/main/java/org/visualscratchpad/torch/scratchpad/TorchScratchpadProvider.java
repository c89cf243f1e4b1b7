package org.visualscratchpad.torch.scratchpad;

import org.visualscratchpad.scratchpad.LoadSpec;
import org.visualscratchpad.scratchpad.Scratchpad;
import org.visualscratchpad.scratchpad.ScratchpadProvider;

/** The DJL / libtorch backend of {@link Scratchpad#load}: LLaVA-1.5 and LLaVA-NeXT checkpoints. */
public final class TorchScratchpadProvider implements ScratchpadProvider {
  @Override
  public String name() {
    return "torch";
  }

  @Override
  public Scratchpad open(LoadSpec spec) {
    return TorchScratchpad.open(spec);
  }
}
