package org.visualscratchpad.sae;

/**
 * Per-latent statistics of an SAE over an image dataset, as the noisy-latent filter and the
 * exploration views read them. {@code visualscratchpad-sae} computes, saves and loads them.
 *
 * <pre>{@code
 * jshell> DatasetStatistics stats = pad.statistics().orElseThrow();
 * jshell> stats.frequency(412)
 * }</pre>
 */
public interface DatasetStatistics {

  /** Number of latents. */
  int dSae();

  /** Mean activation of {@code latentId} over all images. */
  float meanActivation(int latentId);

  /** Fraction of images (or patches, as the implementation documents) where {@code latentId} fires. */
  float frequency(int latentId);
}
