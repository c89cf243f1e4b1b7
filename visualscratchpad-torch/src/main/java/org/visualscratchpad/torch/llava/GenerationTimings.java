package org.visualscratchpad.torch.llava;

import java.util.List;
import java.util.Locale;
import org.visualscratchpad.scratchpad.PhaseTiming;

/**
 * Where one generation spent its time, with the work done in each phase (counted from the model's
 * shapes), so that a rate can be printed beside each figure. Only the CPU engine records them.
 *
 * @param visionNanos the vision tower and projector (the SAE tap included)
 * @param visionLayers vision encoder layers run (crops batched: one per layer)
 * @param visionFlops multiply-adds x 2 of the vision tower and projector
 * @param tapNanos the SAE tap alone (reading the stream, applying the plan)
 * @param prefillNanos the language model over the prompt (from the first position not reused)
 * @param prefillTokens prompt positions run
 * @param prefillFlops their FLOPs
 * @param decodeNanos the decode steps after the first token
 * @param decodeSteps decode steps run
 * @param weightBytesPerStep bytes of language-model weights each decode step reads
 */
public record GenerationTimings(long visionNanos, int visionLayers, double visionFlops, long tapNanos,
    long prefillNanos, int prefillTokens, double prefillFlops, long decodeNanos, int decodeSteps,
    long weightBytesPerStep) {

  /** Milliseconds per decode step (0 without decode steps). */
  public double msPerDecodeStep() {
    return decodeSteps == 0 ? 0 : decodeNanos / 1e6 / decodeSteps;
  }

  /**
   * The phases as {@link PhaseTiming}s (what {@code Answer.timings()} and {@code vsp ask --timings} show).
   *
   * @param reused whether the layers up to the SAE hook were reused from an earlier run
   */
  public List<PhaseTiming> phases(boolean reused) {
    double gbs = decodeNanos == 0 ? 0 : weightBytesPerStep * (double) decodeSteps / decodeNanos;
    return List.of(
        new PhaseTiming("vision", visionNanos / 1e6, String.format(Locale.ROOT, "%d layers%s, %.0f GFLOP, %.0f GFLOP/s",
            visionLayers, reused ? " (layers up to the hook reused)" : "", visionFlops / 1e9,
            rate(visionFlops, visionNanos))),
        new PhaseTiming("sae-tap", tapNanos / 1e6, "reading the stream and applying the plan"),
        new PhaseTiming("prefill", prefillNanos / 1e6, String.format(Locale.ROOT, "%d tokens, %.0f GFLOP, %.0f GFLOP/s",
            prefillTokens, prefillFlops / 1e9, rate(prefillFlops, prefillNanos))),
        new PhaseTiming("decode", decodeNanos / 1e6, String.format(Locale.ROOT,
            "%d steps, %.0f ms/token, %.1f GB/s of weights", decodeSteps, msPerDecodeStep(), gbs)));
  }

  /** One line per phase. */
  public String describe() {
    StringBuilder b = new StringBuilder();
    for (PhaseTiming p : phases(false)) {
      b.append(String.format(Locale.ROOT, "%-9s %8.0f ms  %s%n", p.phase(), p.millis(), p.detail()));
    }
    return b.toString().stripTrailing();
  }

  private static double rate(double flops, long nanos) {
    return nanos == 0 ? 0 : flops / nanos;
  }
}
