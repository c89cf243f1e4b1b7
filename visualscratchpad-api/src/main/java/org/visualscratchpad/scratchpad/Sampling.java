package org.visualscratchpad.scratchpad;

import org.visualscratchpad.InvalidInputException;

/**
 * How the next token is chosen: greedy (temperature 0), or sampled with a temperature and nucleus
 * (top-p) from an explicit seed, which is recorded so that a run can be repeated.
 *
 * <pre>{@code
 * jshell> Sampling.greedy()
 * jshell> Sampling.sample(0.7, 0.9, 42L)
 * }</pre>
 *
 * @param temperature 0 for greedy, else &gt; 0
 * @param topP nucleus mass in (0, 1]
 * @param seed the random seed (ignored when greedy)
 */
public record Sampling(double temperature, double topP, long seed) {
  public Sampling {
    InvalidInputException.check(temperature >= 0 && Double.isFinite(temperature),
        "temperature (%s) must be finite and >= 0 (0 = greedy)", temperature);
    InvalidInputException.check(topP > 0 && topP <= 1, "top-p (%s) must lie in (0, 1]", topP);
  }

  /** Always the most likely token. */
  public static Sampling greedy() {
    return new Sampling(0, 1, 0);
  }

  /** Seeded sampling. */
  public static Sampling sample(double temperature, double topP, long seed) {
    InvalidInputException.check(temperature > 0, "sampling temperature (%s) must be > 0; use greedy() for 0", temperature);
    return new Sampling(temperature, topP, seed);
  }

  /** True for greedy decoding. */
  public boolean isGreedy() {
    return temperature == 0;
  }
}
