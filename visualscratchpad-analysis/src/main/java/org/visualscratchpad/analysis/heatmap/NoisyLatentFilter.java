package org.visualscratchpad.analysis.heatmap;

import java.util.Arrays;
import java.util.BitSet;
import java.util.Locale;
import java.util.OptionalDouble;
import org.visualscratchpad.InvalidInputException;

/**
 * The noisy-latent filter of the paper (§A.2, Fig. 6): drop the latents in the top {@code percent}
 * % by mean activation and/or the top {@code percent} % by firing frequency. Each axis excludes
 * {@code floor(percent / 100 * dSae)} latents (ties broken by ascending latent id); the union is
 * excluded.
 *
 * <pre>{@code
 * jshell> NoisyLatentFilter.defaults().apply(stats)
 * $1 ==> FilteredLatents[excluded 1,296 of 32,768 (top 2% by mean activation >= 1.93, by frequency >= 0.21)]
 * }</pre>
 *
 * @param percent in [0, 100]; the paper uses 2
 * @param byMeanActivation whether to exclude the top latents by mean activation
 * @param byFrequency whether to exclude the top latents by frequency
 */
public record NoisyLatentFilter(double percent, boolean byMeanActivation, boolean byFrequency) {
  public NoisyLatentFilter {
    InvalidInputException.check(percent >= 0 && percent <= 100, "filter percent (%s) must lie in [0, 100]", percent);
  }

  /** 2 % on both axes (the paper's setting). */
  public static NoisyLatentFilter defaults() {
    return new NoisyLatentFilter(2, true, true);
  }

  /** No filtering. */
  public static NoisyLatentFilter off() {
    return new NoisyLatentFilter(0, false, false);
  }

  /** Whether this filter can exclude anything. */
  public boolean active() {
    return percent > 0 && (byMeanActivation || byFrequency);
  }

  /** Applies the filter to statistics. */
  public FilteredLatents apply(LatentStatistics stats) {
    int d = stats.dSae();
    int count = (int) Math.floor(percent / 100.0 * d + 1e-9);
    BitSet excluded = new BitSet(d);
    OptionalDouble meanThreshold = OptionalDouble.empty();
    OptionalDouble freqThreshold = OptionalDouble.empty();
    if (byMeanActivation && count > 0) {
      meanThreshold = OptionalDouble.of(excludeTop(stats.meanActivations(), count, excluded));
    }
    if (byFrequency && count > 0) {
      freqThreshold = OptionalDouble.of(excludeTop(stats.frequencies(), count, excluded));
    }
    return new FilteredLatents(this, d, excluded, meanThreshold, freqThreshold);
  }

  /** Marks the {@code count} largest values (stable) and returns the smallest marked value. */
  private static double excludeTop(float[] values, int count, BitSet excluded) {
    Integer[] order = new Integer[values.length];
    for (int j = 0; j < order.length; j++) {
      order[j] = j;
    }
    Arrays.sort(order, (a, b) -> Float.compare(values[b], values[a]));
    for (int i = 0; i < count; i++) {
      excluded.set(order[i]);
    }
    return values[order[count - 1]];
  }

  @Override
  public String toString() {
    if (!active()) {
      return "no noisy-latent filter";
    }
    return String.format(Locale.ROOT, "top %s%% by %s", percent,
        byMeanActivation && byFrequency ? "mean activation or frequency" : byMeanActivation ? "mean activation" : "frequency");
  }
}
