package org.visualscratchpad.sae.stats;

import org.visualscratchpad.InvalidInputException;

/**
 * How {@link LatentStatistics} counts.
 *
 * <pre>{@code
 * jshell> StatisticsOptions.defaults().withTopK(50)
 * $1 ==> StatisticsOptions[topK=50, includeCls=true]
 * }</pre>
 *
 * @param topK maximally activating images kept per latent (default 20, as the paper)
 * @param includeCls whether the CLS row of each crop counts as a token (default true, as PatchSAE,
 *     whose image-level activation is the mean over all of an image's tokens)
 */
public record StatisticsOptions(int topK, boolean includeCls) {
  public StatisticsOptions {
    InvalidInputException.check(topK >= 1 && topK <= 10_000, "topK (%s) must lie in [1, 10000]", topK);
  }

  /** Top 20 images, CLS counted. */
  public static StatisticsOptions defaults() {
    return new StatisticsOptions(20, true);
  }

  /** These options with another top-k. */
  public StatisticsOptions withTopK(int k) {
    return new StatisticsOptions(k, includeCls);
  }

  /** These options counting or not counting the CLS row. */
  public StatisticsOptions withCls(boolean include) {
    return new StatisticsOptions(topK, include);
  }
}
