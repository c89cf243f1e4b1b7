package org.visualscratchpad.sae;

import java.util.Locale;
import org.visualscratchpad.InvalidInputException;

/** {@link DatasetStatistics} held as two arrays ({@link DatasetStatistics#of}); immutable. */
final class ArrayStatistics implements DatasetStatistics {
  private final float[] meanActivation;
  private final float[] frequency;

  ArrayStatistics(float[] meanActivation, float[] frequency) {
    InvalidInputException.check(meanActivation != null && frequency != null, "meanActivation and frequency must not be null");
    InvalidInputException.check(meanActivation.length == frequency.length && meanActivation.length > 0,
        "meanActivation (%s) and frequency (%s) must have the same, non-zero length (d_sae)", meanActivation.length,
        frequency.length);
    for (int j = 0; j < meanActivation.length; j++) {
      InvalidInputException.check(Float.isFinite(meanActivation[j]),
          "meanActivation of latent %s (%s) must be finite", j, meanActivation[j]);
      InvalidInputException.check(frequency[j] >= 0f && frequency[j] <= 1f,
          "frequency of latent %s (%s) must lie in [0, 1]; pass a fraction, not a count or a log10 sparsity", j,
          frequency[j]);
    }
    this.meanActivation = meanActivation.clone();
    this.frequency = frequency.clone();
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

  @Override
  public String toString() {
    float maxMean = Float.NEGATIVE_INFINITY;
    float maxFreq = 0;
    for (int j = 0; j < meanActivation.length; j++) {
      maxMean = Math.max(maxMean, meanActivation[j]);
      maxFreq = Math.max(maxFreq, frequency[j]);
    }
    return String.format(Locale.ROOT, "DatasetStatistics[%d latents, mean activation max %.3f, frequency max %.4f]",
        meanActivation.length, maxMean, maxFreq);
  }
}
