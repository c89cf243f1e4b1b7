package org.visualscratchpad.attention;

/**
 * Which attention row is attributed to a text token {@code t} (see the scratchpad fixture's
 * README).
 */
public enum AttentionConvention {
  /**
   * The row of the query that produced token {@code t}: the previous position. For the first
   * generated token that is the last prompt token (the prefill's query).
   */
  PRODUCING_STEP,
  /** Token {@code t}'s own row, from one extra forward pass over the whole sequence. */
  OWN_POSITION
}
