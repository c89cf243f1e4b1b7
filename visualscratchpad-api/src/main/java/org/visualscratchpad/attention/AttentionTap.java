package org.visualscratchpad.attention;

import java.util.List;
import org.visualscratchpad.InvalidInputException;

/**
 * What text-to-image attention to capture: the convention, and which LLM layers and heads to
 * average (empty = all, the paper's choice).
 *
 * <pre>{@code
 * jshell> AttentionTap.all(AttentionConvention.PRODUCING_STEP)
 * jshell> new AttentionTap(AttentionConvention.OWN_POSITION, List.of(10, 11), List.of())
 * }</pre>
 *
 * @param convention which row is attributed to a token
 * @param layers LLM layers to average, 0-based; empty means all
 * @param heads heads to average; empty means all
 */
public record AttentionTap(AttentionConvention convention, List<Integer> layers, List<Integer> heads) {
  public AttentionTap {
    InvalidInputException.check(convention != null, "attention convention must not be null");
    layers = List.copyOf(layers);
    heads = List.copyOf(heads);
    for (int l : layers) {
      InvalidInputException.check(l >= 0, "attention layer (%s) must be >= 0", l);
    }
    for (int h : heads) {
      InvalidInputException.check(h >= 0, "attention head (%s) must be >= 0", h);
    }
  }

  /** Every layer and head, averaged. */
  public static AttentionTap all(AttentionConvention convention) {
    return new AttentionTap(convention, List.of(), List.of());
  }
}
