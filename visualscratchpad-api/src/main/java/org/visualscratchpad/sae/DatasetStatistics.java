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
   * The paper's noisy latents: the top {@code percent} % on each axis, by the one rule of {@link
   * NoisyLatents}.
   *
   * @throws org.visualscratchpad.InvalidInputException if {@code percent} is not in [0, 100] or a statistic is not finite
   */
  default NoisyLatents noisyLatents(double percent) {
    return NoisyLatents.of(this, percent);
  }
}
