package org.visualscratchpad.analysis.heatmap;

/**
 * How heatmap values are scaled for display and clustering (paper §A.2): each row or column divided
 * by its largest absolute value, so that it spans [0, 1] for non-negative scores. An all-zero row or
 * column stays zero.
 *
 * <pre>{@code
 * jshell> Normalization.COLUMN
 * }</pre>
 */
public enum Normalization {
  /** Raw attention-weighted scores. */
  NONE,
  /** Each token's row divided by its maximum: which latents dominate a token. */
  ROW,
  /** Each latent's column divided by its maximum: which tokens a latent is specific to (the paper's default). */
  COLUMN
}
