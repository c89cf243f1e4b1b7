package org.visualscratchpad.sae.train;

/** How the decoder's row norms are handled during training. */
public enum DecoderNorm {
  /**
   * Decoder rows are kept at unit norm: the gradient component parallel to each row is removed
   * before the Adam step and rows are renormalised after it (SAELens' standard SAE). The L1 term is
   * the plain {@code sum_j h_j}.
   */
  UNIT,
  /**
   * Decoder rows are free and the L1 term is weighted by their norms, {@code sum_j h_j
   * ||W_dec[j]||} (Anthropic's April 2024 recipe), which removes the incentive to shrink {@code h}
   * by growing {@code W_dec}.
   */
  WEIGHTED_L1
}
