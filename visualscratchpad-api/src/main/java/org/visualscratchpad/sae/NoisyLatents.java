package org.visualscratchpad.sae;

import java.util.Arrays;
import java.util.BitSet;
import java.util.Locale;
import java.util.OptionalDouble;
import org.visualscratchpad.InvalidInputException;

/**
 * The paper's noisy latents (§A.2, Fig. 6), the one rule that {@code vsp stats}, the heatmap's
 * noisy-latent filter and the statistics scatter of the web page all apply: on each axis (mean
 * activation, activation frequency) separately, the top {@code percent} % of latents.
 *
 * <p>The rule, exactly: each axis flags {@code n = floor(percent / 100 x d_sae)} latents (never more
 * than {@code percent} % of them: at d_sae 32,768 and 2 %, 655 per axis), the {@code n} largest
 * values, ties broken towards the lower latent id (a stable descending sort); a latent whose value
 * is 0 (it never fires) is never flagged, so an axis flags fewer when fewer than {@code n} latents
 * fire. The filter removes the latents flagged on the axes it uses ({@link #flagged}).
 *
 * <pre>{@code
 * jshell> var noisy = pad.statistics().orElseThrow().noisyLatents(2.0)
 * noisy ==> NoisyLatents[2.0 % of 32,768: 655 by mean activation, 655 by frequency, 901 in the union]
 * jshell> noisy.isNoisy(123)
 * }</pre>
 *
 * <p>Immutable and thread-safe (the sets are copied on the way out).
 */
public final class NoisyLatents {
  private final double percent;
  private final int dSae;
  private final BitSet byMeanActivation;
  private final BitSet byFrequency;
  private final OptionalDouble meanActivationThreshold;
  private final OptionalDouble frequencyThreshold;

  private NoisyLatents(double percent, int dSae, BitSet byMeanActivation, BitSet byFrequency,
      OptionalDouble meanActivationThreshold, OptionalDouble frequencyThreshold) {
    this.percent = percent;
    this.dSae = dSae;
    this.byMeanActivation = byMeanActivation;
    this.byFrequency = byFrequency;
    this.meanActivationThreshold = meanActivationThreshold;
    this.frequencyThreshold = frequencyThreshold;
  }

  /**
   * Applies the rule to {@code stats}.
   *
   * @param percent in [0, 100]; the paper uses 2
   * @throws InvalidInputException if {@code percent} is out of range or a statistic is NaN or infinite
   */
  public static NoisyLatents of(DatasetStatistics stats, double percent) {
    InvalidInputException.check(stats != null, "statistics must not be null");
    InvalidInputException.check(percent >= 0 && percent <= 100, "noisy percent (%s) must lie in [0, 100]", percent);
    int d = stats.dSae();
    float[] mean = new float[d];
    float[] freq = new float[d];
    for (int latentId = 0; latentId < d; latentId++) {
      mean[latentId] = stats.meanActivation(latentId);
      freq[latentId] = stats.frequency(latentId);
      InvalidInputException.check(Float.isFinite(mean[latentId]) && Float.isFinite(freq[latentId]),
          "statistics of latent %s (mean activation %s, frequency %s) must be finite; recompute the statistics",
          latentId, mean[latentId], freq[latentId]);
    }
    int n = perAxis(d, percent);
    BitSet byMean = new BitSet(d);
    BitSet byFreq = new BitSet(d);
    OptionalDouble meanCut = top(mean, n, byMean);
    OptionalDouble freqCut = top(freq, n, byFreq);
    return new NoisyLatents(percent, d, byMean, byFreq, meanCut, freqCut);
  }

  /** How many latents one axis flags at most: {@code floor(percent / 100 x dSae)}. */
  public static int perAxis(int dSae, double percent) {
    InvalidInputException.check(dSae >= 0, "d_sae (%s) must be >= 0", dSae);
    InvalidInputException.check(percent >= 0 && percent <= 100, "noisy percent (%s) must lie in [0, 100]", percent);
    // the epsilon keeps e.g. 2 % of 50 at exactly 1 despite 0.02 * 50 = 0.99999... in binary
    return (int) Math.min(dSae, Math.floor(percent / 100.0 * dSae + 1e-9));
  }

  /** Marks the {@code n} largest positive values (ties: lower id first); returns the smallest marked one. */
  private static OptionalDouble top(float[] values, int n, BitSet out) {
    if (n == 0) {
      return OptionalDouble.empty();
    }
    Integer[] order = new Integer[values.length];
    for (int latentId = 0; latentId < order.length; latentId++) {
      order[latentId] = latentId;
    }
    Arrays.sort(order, (a, b) -> Float.compare(values[b], values[a])); // stable: equal values keep id order
    OptionalDouble smallest = OptionalDouble.empty();
    for (int i = 0; i < n && values[order[i]] > 0; i++) {
      out.set(order[i]);
      smallest = OptionalDouble.of(values[order[i]]);
    }
    return smallest;
  }

  /** The percentage applied on each axis. */
  public double percent() {
    return percent;
  }

  /** Number of latents the statistics cover. */
  public int dSae() {
    return dSae;
  }

  /** Latents flagged by mean activation (a copy). */
  public BitSet byMeanActivation() {
    return (BitSet) byMeanActivation.clone();
  }

  /** Latents flagged by activation frequency (a copy). */
  public BitSet byFrequency() {
    return (BitSet) byFrequency.clone();
  }

  /** Latents flagged on either axis (a new set). */
  public BitSet union() {
    return flagged(true, true);
  }

  /** The latents flagged on the chosen axes (a new set; empty when neither is chosen). */
  public BitSet flagged(boolean meanActivation, boolean frequency) {
    BitSet out = new BitSet(dSae);
    if (meanActivation) {
      out.or(byMeanActivation);
    }
    if (frequency) {
      out.or(byFrequency);
    }
    return out;
  }

  /** Whether {@code latentId} is flagged on either axis. */
  public boolean isNoisy(int latentId) {
    return byMeanActivation.get(latentId) || byFrequency.get(latentId);
  }

  /** The smallest mean activation flagged (where the scatter draws its line); empty when none is flagged. */
  public OptionalDouble meanActivationThreshold() {
    return meanActivationThreshold;
  }

  /** The smallest frequency flagged; empty when none is flagged. */
  public OptionalDouble frequencyThreshold() {
    return frequencyThreshold;
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "NoisyLatents[%s %% of %,d: %d by mean activation, %d by frequency, %d in the union]",
        percent, dSae, byMeanActivation.cardinality(), byFrequency.cardinality(), union().cardinality());
  }
}
