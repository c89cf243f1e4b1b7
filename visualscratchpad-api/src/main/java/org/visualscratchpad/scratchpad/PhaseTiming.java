package org.visualscratchpad.scratchpad;

/**
 * How long one phase of an {@link Scratchpad#ask} took, with the work done where the backend counts
 * it.
 *
 * <pre>{@code
 * jshell> answer.timings()
 * $3 ==> [PhaseTiming[phase=vision, millis=2210.4, detail=23 layers, 349 GFLOP, 158 GFLOP/s], ...]
 * }</pre>
 *
 * @param phase {@code preprocess}, {@code vision}, {@code sae-tap}, {@code prefill}, {@code decode},
 *     {@code sae-encode}, ...
 * @param millis wall-clock milliseconds
 * @param detail the work done and its rate (may be empty)
 */
public record PhaseTiming(String phase, double millis, String detail) {
  public PhaseTiming {
    detail = detail == null ? "" : detail;
  }
}
