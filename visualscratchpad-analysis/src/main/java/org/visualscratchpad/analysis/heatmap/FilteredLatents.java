package org.visualscratchpad.analysis.heatmap;

import java.util.BitSet;
import java.util.Locale;
import java.util.OptionalDouble;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.sae.DatasetStatistics;
import org.visualscratchpad.sae.NoisyLatents;
import org.visualscratchpad.scratchpad.HeatmapOptions.NoisyFilter;

/**
 * The latents a heatmap leaves out: the API's {@link NoisyLatents} (the one noisy-latent rule) on
 * the axes a {@link NoisyFilter} chooses, with the thresholds (the smallest excluded value on each
 * axis, for marking the statistics scatter).
 *
 * <pre>{@code
 * jshell> var f = FilteredLatents.of(stats, HeatmapOptions.NoisyFilter.BOTH, 2.0); f.isExcluded(17)
 * f ==> FilteredLatents[excluded 901 of 32,768 (top 2.0% by mean activation or frequency, ...)]
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class FilteredLatents {
  private final NoisyFilter filter;
  private final double percent;
  private final int dSae;
  private final BitSet excluded;
  private final OptionalDouble meanActivationThreshold;
  private final OptionalDouble frequencyThreshold;

  private FilteredLatents(NoisyFilter filter, double percent, int dSae, BitSet excluded,
      OptionalDouble meanActivationThreshold, OptionalDouble frequencyThreshold) {
    this.filter = filter;
    this.percent = percent;
    this.dSae = dSae;
    this.excluded = excluded;
    this.meanActivationThreshold = meanActivationThreshold;
    this.frequencyThreshold = frequencyThreshold;
  }

  /** Nothing excluded. */
  public static FilteredLatents none(int dSae) {
    InvalidInputException.check(dSae > 0, "dSae (%s) must be > 0", dSae);
    return new FilteredLatents(NoisyFilter.NONE, 0, dSae, new BitSet(), OptionalDouble.empty(), OptionalDouble.empty());
  }

  /**
   * The noisy latents of {@code stats} on the axes {@code filter} chooses.
   *
   * @param percent in [0, 100], per axis
   * @throws InvalidInputException if {@code percent} is out of range or a statistic is not finite
   */
  public static FilteredLatents of(DatasetStatistics stats, NoisyFilter filter, double percent) {
    NoisyLatents noisy = stats.noisyLatents(percent);
    return new FilteredLatents(filter, percent, noisy.dSae(),
        noisy.flagged(filter.byMeanActivation(), filter.byFrequency()),
        filter.byMeanActivation() ? noisy.meanActivationThreshold() : OptionalDouble.empty(),
        filter.byFrequency() ? noisy.frequencyThreshold() : OptionalDouble.empty());
  }

  /** The axes the filter used. */
  public NoisyFilter filter() {
    return filter;
  }

  /** The percentage applied on each axis. */
  public double percent() {
    return percent;
  }

  public int dSae() {
    return dSae;
  }

  public boolean isExcluded(int latentId) {
    return excluded.get(latentId);
  }

  public int excludedCount() {
    return excluded.cardinality();
  }

  /** The excluded latent ids, ascending (a new array). */
  public int[] excludedIds() {
    return excluded.stream().toArray();
  }

  /** The excluded set (the scorer reads it; never written). */
  BitSet excludedSet() {
    return excluded;
  }

  /** The smallest mean activation that was excluded; empty if that axis is off or excluded nothing. */
  public OptionalDouble meanActivationThreshold() {
    return meanActivationThreshold;
  }

  /** The smallest frequency that was excluded; empty if that axis is off or excluded nothing. */
  public OptionalDouble frequencyThreshold() {
    return frequencyThreshold;
  }

  /** The filter in words, e.g. {@code top 2.0% by mean activation or frequency}. */
  public String describe() {
    if (filter == NoisyFilter.NONE || percent == 0) {
      return "no noisy-latent filter";
    }
    return String.format(Locale.ROOT, "top %s%% by %s", percent, filter.byMeanActivation() && filter.byFrequency()
        ? "mean activation or frequency" : filter.byMeanActivation() ? "mean activation" : "frequency");
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "FilteredLatents[excluded %,d of %,d (%s%s%s)]", excludedCount(), dSae, describe(),
        meanActivationThreshold.isPresent() ? String.format(Locale.ROOT, ", mean activation >= %.4g", meanActivationThreshold.getAsDouble()) : "",
        frequencyThreshold.isPresent() ? String.format(Locale.ROOT, ", frequency >= %.4g", frequencyThreshold.getAsDouble()) : "");
  }
}
