package org.visualscratchpad.scratchpad;

import java.util.Locale;
import org.visualscratchpad.InvalidInputException;

/**
 * A latent and its score, as it appears in a ranking.
 *
 * <pre>{@code
 * jshell> new RankedLatent(196, 0.42f)
 * $1 ==> 196=0.4200
 * }</pre>
 *
 * @param latentId the latent, {@code >= 0}
 * @param score its (attention-weighted or plain) score, finite
 */
public record RankedLatent(int latentId, float score) {
  public RankedLatent {
    InvalidInputException.check(latentId >= 0, "latentId (%s) must be >= 0", latentId);
    InvalidInputException.check(Float.isFinite(score), "score of latent %s (%s) must be finite", latentId, score);
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "%d=%.4g", latentId, score);
  }
}
