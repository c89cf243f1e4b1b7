package org.visualscratchpad.sae;

/**
 * Per-latent statistics of an SAE over an image dataset, as the noisy-latent filter and the
 * exploration views read them. {@code visualscratchpad-sae} computes, saves and loads them.
 *
 * <pre>{@code
 * jshell> DatasetStatistics stats = pad.statistics().orElseThrow();
 * jshell> stats.frequency(412)
 * jshell> stats.noisyLatents(2.0)
 * }</pre>
 */
public interface DatasetStatistics {

  /** Number of latents. */
  int dSae();

  /** Mean activation of {@code latentId} over all images. */
  float meanActivation(int latentId);

  /** Fraction of images (or patches, as the implementation documents) where {@code latentId} fires. */
  float frequency(int latentId);

  /**
   * Statistics given as plain arrays (copied and validated), e.g. from another tool or a test.
   *
   * <pre>{@code
   * jshell> var stats = DatasetStatistics.of(new float[] {0.1f, 2f, 0.3f}, new float[] {0.01f, 0.9f, 0.05f})
   * stats ==> DatasetStatistics[3 latents, mean activation max 2.000, frequency max 0.9000]
   * }</pre>
   *
   * @param meanActivation length {@code dSae}, finite
   * @param frequency length {@code dSae}, in [0, 1] (the fraction on which the latent fires)
   * @throws org.visualscratchpad.InvalidInputException if lengths differ or a value is NaN or out of range
   */
  static DatasetStatistics of(float[] meanActivation, float[] frequency) {
    return new ArrayStatistics(meanActivation, frequency);
  }

  /** {@link #of} from a SAELens {@code sparsity} tensor (log10 of the firing frequency) and mean activations. */
  static DatasetStatistics fromLog10Sparsity(float[] meanActivation, float[] log10Sparsity) {
    float[] freq = new float[log10Sparsity.length];
    for (int j = 0; j < freq.length; j++) {
      freq[j] = (float) Math.min(1.0, Math.pow(10, log10Sparsity[j]));
    }
    return of(meanActivation, freq);
  }

  /** All mean activations, length {@code dSae} (a new array). */
  default float[] meanActivations() {
    float[] out = new float[dSae()];
    for (int j = 0; j < out.length; j++) {
      out[j] = meanActivation(j);
    }
    return out;
  }

  /** All frequencies, length {@code dSae} (a new array). */
  default float[] frequencies() {
    float[] out = new float[dSae()];
    for (int j = 0; j < out.length; j++) {
      out[j] = frequency(j);
    }
    return out;
  }

  /**
   * The paper's noisy latents: the top {@code percent} % on each axis, by the one rule of {@link
   * NoisyLatents}.
   *
   * @throws org.visualscratchpad.InvalidInputException if {@code percent} is not in [0, 100] or a statistic is not finite
   */
  default NoisyLatents noisyLatents(double percent) {
    return NoisyLatents.of(this, percent);
  }
}
