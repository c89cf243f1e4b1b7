package org.visualscratchpad.torch.llava;

import org.visualscratchpad.InvalidInputException;

/**
 * How the next token is chosen.
 *
 * <pre>{@code
 * jshell> Sampling.greedy()
 * jshell> Sampling.topP(0.7f, 0.9f, 42L)
 * }</pre>
 */
public sealed interface Sampling permits Sampling.Greedy, Sampling.TopP {

  /** The argmax of the logits (first index on ties), as {@code generate(do_sample=False)}. */
  static Greedy greedy() {
    return new Greedy();
  }

  /** Nucleus sampling with a temperature and an explicit seed. */
  static TopP topP(float temperature, float topP, long seed) {
    return new TopP(temperature, topP, seed);
  }

  /** The seed recorded in results (0 for greedy). */
  long seed();

  /** Greedy decoding. */
  record Greedy() implements Sampling {
    @Override
    public long seed() {
      return 0;
    }
  }

  /**
   * Temperature then top-p (nucleus) sampling, as Hugging Face's {@code TemperatureLogitsWarper}
   * and {@code TopPLogitsWarper}: the smallest set of most likely tokens whose probability reaches
   * {@code topP} is kept (at least one).
   *
   * @param temperature &gt; 0
   * @param topP in (0, 1]
   * @param seed the random seed
   */
  record TopP(float temperature, float topP, long seed) implements Sampling {
    public TopP {
      InvalidInputException.check(temperature > 0 && Float.isFinite(temperature),
          "temperature (%s) must be > 0; use Sampling.greedy() for deterministic decoding", temperature);
      InvalidInputException.check(topP > 0 && topP <= 1, "top_p (%s) must lie in (0, 1]", topP);
    }
  }
}
