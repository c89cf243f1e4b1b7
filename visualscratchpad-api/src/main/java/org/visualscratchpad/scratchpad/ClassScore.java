package org.visualscratchpad.scratchpad;

import java.util.Locale;

/**
 * One class's zero-shot score.
 *
 * @param className the class
 * @param logit CLIP's scaled cosine similarity
 * @param probability softmax over the classes' logits
 */
public record ClassScore(String className, float logit, float probability) {
  @Override
  public String toString() {
    return String.format(Locale.ROOT, "%s %.1f%%", className, 100 * probability);
  }
}
