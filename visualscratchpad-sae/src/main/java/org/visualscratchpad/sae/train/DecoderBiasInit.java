package org.visualscratchpad.sae.train;

/** How {@code b_dec} is initialised from the first batch of activations. */
public enum DecoderBiasInit {
  /** Zeros. */
  ZERO,
  /** The mean of the first batch's rows. */
  MEAN,
  /** The geometric median of the first batch's rows (Weiszfeld iterations), robust to outliers. */
  GEOMETRIC_MEDIAN
}
