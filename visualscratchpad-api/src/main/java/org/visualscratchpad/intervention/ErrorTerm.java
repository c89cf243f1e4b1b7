package org.visualscratchpad.intervention;

/** What happens to the SAE's error term {@code z - decode(h)} when latents are edited. */
public enum ErrorTerm {
  /**
   * Kept (default): {@code z' = z + (h' - h) W_dec}. An empty edit reproduces the baseline
   * bit for bit, so the edit is the only change.
   */
  KEEP,
  /**
   * Dropped: {@code z' = decode(h') = h' W_dec + b_dec} on every row, CLS included: the stream is
   * replaced by the reconstruction.
   */
  DROP
}
