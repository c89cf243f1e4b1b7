package org.visualscratchpad.scratchpad;

import org.visualscratchpad.InvalidInputException;

/**
 * How latents are ranked for a token: attention-weighted ({@code score = h_patches^T attn}, the
 * paper's re-ranking) or the plain mean over patches (its Fig. 2B baseline).
 *
 * @param attentionWeighted weight patch activations by the token's attention to them
 * @param divideByImageMass divide the weighted score by the attention mass on the image (a weighted mean)
 * @param topK latents kept per token and over the span (&gt;= 1)
 * @param spanStart first generated token of the span aggregated in {@link LatentRanking#overall()}
 * @param spanEnd one past the last token of the span; -1 for the end of the answer
 */
public record RankOptions(boolean attentionWeighted, boolean divideByImageMass, int topK, int spanStart, int spanEnd) {
  public RankOptions {
    InvalidInputException.check(topK >= 1, "topK (%s) must be >= 1", topK);
    InvalidInputException.check(spanStart >= 0 && (spanEnd == -1 || spanEnd >= spanStart),
        "token span [%s, %s) must have 0 <= start <= end (end -1 = to the end)", spanStart, spanEnd);
  }

  /** Attention-weighted, un-normalised, top 20, the whole answer. */
  public static RankOptions defaults() {
    return new RankOptions(true, false, 20, 0, -1);
  }

  /** The unweighted mean over patches. */
  public RankOptions plain() {
    return new RankOptions(false, false, topK, spanStart, spanEnd);
  }

  public RankOptions withTopK(int k) {
    return new RankOptions(attentionWeighted, divideByImageMass, k, spanStart, spanEnd);
  }

  public RankOptions withSpan(int start, int end) {
    return new RankOptions(attentionWeighted, divideByImageMass, topK, start, end);
  }
}
