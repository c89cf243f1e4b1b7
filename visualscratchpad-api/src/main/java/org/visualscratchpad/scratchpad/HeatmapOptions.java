package org.visualscratchpad.scratchpad;

import org.visualscratchpad.InvalidInputException;

/**
 * How the token-latent heatmap is built (the controls of the paper's Fig. 9).
 *
 * @param topK latents taken per token before the union (&gt;= 1; the paper: 20)
 * @param attentionWeighted cells are attention-weighted scores (else plain patch means)
 * @param noisyFilter which dataset-statistics filter removes noisy latents
 * @param noisyPercent the top share (in %) of latents flagged noisy by mean activation / frequency
 * @param normalization how cells are normalised
 * @param includeEndToken keep the end-of-sequence token as a row (false by default: the stop token that
 *     ended the answer, its last generated token when that decodes to nothing, is left out, as it is
 *     not part of the answer's text and would make a 1-word answer a 2-row heatmap)
 */
public record HeatmapOptions(int topK, boolean attentionWeighted, NoisyFilter noisyFilter, double noisyPercent,
    Normalization normalization, boolean includeEndToken) {

  /**
   * Which latents the dataset statistics remove before the heatmap is built: those the one
   * noisy-latent rule ({@link org.visualscratchpad.sae.NoisyLatents}) flags on the chosen axes.
   */
  public enum NoisyFilter {
    /** Keep every latent. */
    NONE(false, false),
    /** Remove the top p % by mean activation. */
    MEAN_ACTIVATION(true, false),
    /** Remove the top p % by activation frequency. */
    FREQUENCY(false, true),
    /** Remove both (the paper's filter). */
    BOTH(true, true);

    private final boolean byMeanActivation;
    private final boolean byFrequency;

    NoisyFilter(boolean byMeanActivation, boolean byFrequency) {
      this.byMeanActivation = byMeanActivation;
      this.byFrequency = byFrequency;
    }

    /** Whether the top latents by mean activation are removed. */
    public boolean byMeanActivation() {
      return byMeanActivation;
    }

    /** Whether the top latents by activation frequency are removed. */
    public boolean byFrequency() {
      return byFrequency;
    }
  }

  /** How heatmap cells are normalised. */
  public enum Normalization {
    NONE,
    /** Each token row divided by its maximum. */
    ROW,
    /** Each latent column divided by its maximum. */
    COLUMN
  }

  public HeatmapOptions {
    InvalidInputException.check(topK >= 1, "heatmap topK (%s) must be >= 1", topK);
    InvalidInputException.check(noisyPercent >= 0 && noisyPercent <= 100, "noisy percent (%s) must lie in [0, 100]", noisyPercent);
    noisyFilter = noisyFilter == null ? NoisyFilter.BOTH : noisyFilter;
    normalization = normalization == null ? Normalization.NONE : normalization;
  }

  /** Options that leave the end-of-sequence token out (see {@link #includeEndToken()}). */
  public HeatmapOptions(int topK, boolean attentionWeighted, NoisyFilter noisyFilter, double noisyPercent,
      Normalization normalization) {
    this(topK, attentionWeighted, noisyFilter, noisyPercent, normalization, false);
  }

  /**
   * Top 20, attention-weighted, both noisy filters at 2 % (applied when statistics are loaded), no
   * normalisation, the end-of-sequence token left out.
   */
  public static HeatmapOptions defaults() {
    return new HeatmapOptions(20, true, NoisyFilter.BOTH, 2.0, Normalization.NONE);
  }

  public HeatmapOptions withTopK(int k) {
    return new HeatmapOptions(k, attentionWeighted, noisyFilter, noisyPercent, normalization, includeEndToken);
  }

  public HeatmapOptions withFilter(NoisyFilter filter, double percent) {
    return new HeatmapOptions(topK, attentionWeighted, filter, percent, normalization, includeEndToken);
  }

  public HeatmapOptions withNormalization(Normalization n) {
    return new HeatmapOptions(topK, attentionWeighted, noisyFilter, noisyPercent, n, includeEndToken);
  }

  /** These options with the end-of-sequence token kept as a row ({@code true}) or left out. */
  public HeatmapOptions withEndToken(boolean include) {
    return new HeatmapOptions(topK, attentionWeighted, noisyFilter, noisyPercent, normalization, include);
  }
}
