package org.visualscratchpad.analysis.ranking;

/**
 * How the per-token scores of a span of tokens combine into one score per latent.
 *
 * <pre>{@code
 * jshell> scores.span(0, 8, SpanAggregation.MEAN).topK(5)
 * }</pre>
 */
public enum SpanAggregation {
  /** The arithmetic mean over the span (the fixture's {@code ranking} uses this over the generated tokens). */
  MEAN,
  /** The sum over the span. */
  SUM,
  /** The maximum over the span. */
  MAX
}
