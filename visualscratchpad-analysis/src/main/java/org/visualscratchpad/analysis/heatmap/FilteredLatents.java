package org.visualscratchpad.analysis.heatmap;

import java.util.BitSet;
import java.util.Locale;
import java.util.OptionalDouble;
import org.visualscratchpad.InvalidInputException;

/**
 * The outcome of a {@link NoisyLatentFilter}: which latents are excluded and the thresholds (the
 * smallest excluded value on each axis, for marking the statistics scatter).
 *
 * <pre>{@code
 * jshell> var f = NoisyLatentFilter.defaults().apply(stats); f.isExcluded(17)
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class FilteredLatents {
  private final NoisyLatentFilter filter;
  private final int dSae;
  private final BitSet excluded;
  private final OptionalDouble meanActivationThreshold;
  private final OptionalDouble frequencyThreshold;

  FilteredLatents(NoisyLatentFilter filter, int dSae, BitSet excluded, OptionalDouble meanActivationThreshold,
      OptionalDouble frequencyThreshold) {
    this.filter = filter;
    this.dSae = dSae;
    this.excluded = (BitSet) excluded.clone();
    this.meanActivationThreshold = meanActivationThreshold;
    this.frequencyThreshold = frequencyThreshold;
  }

  /** Nothing excluded. */
  public static FilteredLatents none(int dSae) {
    InvalidInputException.check(dSae > 0, "dSae (%s) must be > 0", dSae);
    return new FilteredLatents(NoisyLatentFilter.off(), dSae, new BitSet(), OptionalDouble.empty(), OptionalDouble.empty());
  }

  public NoisyLatentFilter filter() {
    return filter;
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

  /** The smallest mean activation that was excluded; empty if that axis is off. */
  public OptionalDouble meanActivationThreshold() {
    return meanActivationThreshold;
  }

  /** The smallest frequency that was excluded; empty if that axis is off. */
  public OptionalDouble frequencyThreshold() {
    return frequencyThreshold;
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "FilteredLatents[excluded %,d of %,d (%s%s%s)]", excludedCount(), dSae, filter,
        meanActivationThreshold.isPresent() ? String.format(Locale.ROOT, ", mean activation >= %.4g", meanActivationThreshold.getAsDouble()) : "",
        frequencyThreshold.isPresent() ? String.format(Locale.ROOT, ", frequency >= %.4g", frequencyThreshold.getAsDouble()) : "");
  }
}
