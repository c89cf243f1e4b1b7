package org.visualscratchpad.scratchpad;

import java.util.Locale;

/**
 * A latent and its score.
 *
 * @param latentId the latent
 * @param score its (attention-weighted or plain) score
 */
public record RankedLatent(int latentId, float score) {
  @Override
  public String toString() {
    return String.format(Locale.ROOT, "%d=%.4g", latentId, score);
  }
}
