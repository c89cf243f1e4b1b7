package org.visualscratchpad.analysis.heatmap;

import java.util.Locale;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.sae.DatasetStatistics;

/**
 * Per-latent statistics over a reference data set (paper Fig. 6), as plain arrays: the mean
 * activation and the firing frequency of each latent. Produced elsewhere (the SAE module's
 * statistics pass); this module only reads them.
 *
 * <pre>{@code
 * jshell> var stats = LatentStatistics.of(new float[] {0.1f, 2f, 0.3f}, new float[] {0.01f, 0.9f, 0.05f})
 * stats ==> LatentStatistics[3 latents, mean activation max 2.000, frequency max 0.9000]
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class LatentStatistics implements DatasetStatistics {
  private final float[] meanActivation;
  private final float[] frequency;

  private LatentStatistics(float[] meanActivation, float[] frequency) {
    this.meanActivation = meanActivation;
    this.frequency = frequency;
  }

  /**
   * Copies and validates the arrays.
   *
   * @param meanActivation length {@code dSae}, finite
   * @param frequency length {@code dSae}, in [0, 1] (the fraction of tokens on which the latent fires)
   * @throws InvalidInputException if lengths differ or a value is NaN or out of range
   */
  public static LatentStatistics of(float[] meanActivation, float[] frequency) {
    InvalidInputException.check(meanActivation.length == frequency.length && meanActivation.length > 0,
        "meanActivation (%s) and frequency (%s) must have the same, non-zero length (d_sae)", meanActivation.length, frequency.length);
    for (int j = 0; j < meanActivation.length; j++) {
      InvalidInputException.check(Float.isFinite(meanActivation[j]),
          "meanActivation of latent %s (%s) must be finite", j, meanActivation[j]);
      InvalidInputException.check(frequency[j] >= 0f && frequency[j] <= 1f,
          "frequency of latent %s (%s) must lie in [0, 1]; pass a fraction, not a count or a log10 sparsity", j, frequency[j]);
    }
    return new LatentStatistics(meanActivation.clone(), frequency.clone());
  }

  /**
   * From a SAELens {@code sparsity} tensor (log10 of the firing frequency) and mean activations.
   */
  public static LatentStatistics fromLog10Sparsity(float[] meanActivation, float[] log10Sparsity) {
    float[] freq = new float[log10Sparsity.length];
    for (int j = 0; j < freq.length; j++) {
      freq[j] = (float) Math.min(1.0, Math.pow(10, log10Sparsity[j]));
    }
    return of(meanActivation, freq);
  }

  @Override
  public int dSae() {
    return meanActivation.length;
  }

  @Override
  public float meanActivation(int latentId) {
    return meanActivation[latentId];
  }

  @Override
  public float frequency(int latentId) {
    return frequency[latentId];
  }

  /** All mean activations, length {@code dSae} (a copy). */
  public float[] meanActivations() {
    return meanActivation.clone();
  }

  /** All frequencies, length {@code dSae} (a copy). */
  public float[] frequencies() {
    return frequency.clone();
  }

  @Override
  public String toString() {
    float maxMean = Float.NEGATIVE_INFINITY;
    float maxFreq = 0;
    for (int j = 0; j < meanActivation.length; j++) {
      maxMean = Math.max(maxMean, meanActivation[j]);
      maxFreq = Math.max(maxFreq, frequency[j]);
    }
    return String.format(Locale.ROOT, "LatentStatistics[%d latents, mean activation max %.3f, frequency max %.4f]",
        meanActivation.length, maxMean, maxFreq);
  }
}
