package org.visualscratchpad.analysis.ranking;

/**
 * How a token's text-to-image attention weights the patch activations.
 *
 * <pre>{@code
 * jshell> AttentionWeighting.RAW
 * }</pre>
 */
public enum AttentionWeighting {
  /** {@code score = sum_k attn[k] * h[k]} with the attention as captured (not renormalised; the paper's score). */
  RAW,
  /** The raw score divided by the token's image mass {@code sum_k attn[k]}: a weighted average over patches. */
  PER_IMAGE_MASS
}
