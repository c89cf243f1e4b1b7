package org.visualscratchpad.sae.format;

import java.util.Arrays;
import java.util.Locale;
import org.visualscratchpad.InvalidInputException;

/**
 * Summary of an SAE's per-latent firing frequencies, from SAELens' {@code sparsity.safetensors}
 * (tensor {@code sparsity} {@code [d_sae]}: log10 of the fraction of tokens on which each latent
 * fired; about -10 or -inf where it never fired).
 *
 * <pre>{@code
 * jshell> SparsityStatistics.of(new float[] {-1f, -2f, -10f})
 * $1 ==> SparsityStatistics[3 latents, log10 frequency mean -1.50 median -2.00 min -10.00 max -1.00, dead 1, dense 1]
 * }</pre>
 *
 * @param latents number of latents ({@code d_sae})
 * @param meanLog10 mean log10 frequency over the latents that fired
 * @param medianLog10 median log10 frequency over all latents
 * @param minLog10 smallest log10 frequency (dead latents included)
 * @param maxLog10 largest log10 frequency
 * @param dead latents that never fired (log10 frequency at most {@value #DEAD_LOG10}, -inf or NaN)
 * @param dense latents that fired on at least 10 % of tokens (log10 frequency &gt;= -1)
 */
public record SparsityStatistics(int latents, double meanLog10, double medianLog10, double minLog10,
    double maxLog10, int dead, int dense) {

  /** At or below this log10 frequency a latent counts as dead (SAELens writes -10 for "never"). */
  public static final double DEAD_LOG10 = -9.999;

  public SparsityStatistics {
    InvalidInputException.check(latents > 0, "latents (%s) must be > 0", latents);
    InvalidInputException.check(dead >= 0 && dead <= latents && dense >= 0 && dense <= latents,
        "dead (%s) and dense (%s) must lie in [0, %s]", dead, dense, latents);
  }

  /** The statistics of a log10-frequency vector (one value per latent). */
  public static SparsityStatistics of(float[] log10Frequency) {
    InvalidInputException.check(log10Frequency != null && log10Frequency.length > 0,
        "sparsity vector must hold one value per latent");
    double[] all = new double[log10Frequency.length];
    int dead = 0;
    int dense = 0;
    double sum = 0;
    int alive = 0;
    for (int i = 0; i < all.length; i++) {
      double v = log10Frequency[i];
      if (Double.isNaN(v)) {
        v = Double.NEGATIVE_INFINITY;
      }
      all[i] = v;
      if (v <= DEAD_LOG10) {
        dead++;
      } else {
        sum += v;
        alive++;
      }
      if (v >= -1) {
        dense++;
      }
    }
    Arrays.sort(all);
    int n = all.length;
    double median = n % 2 == 1 ? all[n / 2] : (all[n / 2 - 1] + all[n / 2]) / 2;
    return new SparsityStatistics(n, alive == 0 ? Double.NEGATIVE_INFINITY : sum / alive, median, all[0],
        all[n - 1], dead, dense);
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT,
        "SparsityStatistics[%d latents, log10 frequency mean %.2f median %.2f min %.2f max %.2f, dead %d, dense %d]",
        latents, meanLog10, medianLog10, minLog10, maxLog10, dead, dense);
  }
}
