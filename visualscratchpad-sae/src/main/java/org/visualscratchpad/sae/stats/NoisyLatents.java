package org.visualscratchpad.sae.stats;

import java.util.BitSet;

/**
 * The paper's noisy-latent filter (A.2): the top {@code percent} % of latents by mean activation and,
 * separately, by activation frequency. The filter removes their union.
 *
 * <pre>{@code
 * jshell> var noisy = stats.noisyLatents(2.0)
 * noisy ==> NoisyLatents[2.0 %: 656 by mean activation, 656 by frequency, 901 in the union]
 * jshell> noisy.isNoisy(123)
 * }</pre>
 *
 * @param percent the percentage flagged on each axis
 * @param byMeanActivation latents flagged by mean activation (a copy is returned by the accessor)
 * @param byFrequency latents flagged by activation frequency
 */
public record NoisyLatents(double percent, BitSet byMeanActivation, BitSet byFrequency) {
  public NoisyLatents {
    byMeanActivation = (BitSet) byMeanActivation.clone();
    byFrequency = (BitSet) byFrequency.clone();
  }

  @Override
  public BitSet byMeanActivation() {
    return (BitSet) byMeanActivation.clone();
  }

  @Override
  public BitSet byFrequency() {
    return (BitSet) byFrequency.clone();
  }

  /** Latents flagged on either axis. */
  public BitSet union() {
    BitSet u = (BitSet) byMeanActivation.clone();
    u.or(byFrequency);
    return u;
  }

  /** Whether {@code latentId} is flagged on either axis. */
  public boolean isNoisy(int latentId) {
    return byMeanActivation.get(latentId) || byFrequency.get(latentId);
  }

  @Override
  public String toString() {
    return "NoisyLatents[" + percent + " %: " + byMeanActivation.cardinality() + " by mean activation, "
        + byFrequency.cardinality() + " by frequency, " + union().cardinality() + " in the union]";
  }
}
