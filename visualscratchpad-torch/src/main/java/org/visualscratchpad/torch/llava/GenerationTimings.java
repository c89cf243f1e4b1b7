package org.visualscratchpad.torch.llava;

import java.util.Locale;

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

  /** The lines {@code vsp ask --timings} prints. */
  public String describe() {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "vision    %8.0f ms  %d layers, %.0f GFLOP, %.0f GFLOP/s (SAE tap %.0f ms)%n",
        visionNanos / 1e6, visionLayers, visionFlops / 1e9, rate(visionFlops, visionNanos), tapNanos / 1e6));
    b.append(String.format(Locale.ROOT, "prefill   %8.0f ms  %d tokens, %.0f GFLOP, %.0f GFLOP/s%n",
        prefillNanos / 1e6, prefillTokens, prefillFlops / 1e9, rate(prefillFlops, prefillNanos)));
    double gbs = decodeNanos == 0 ? 0 : weightBytesPerStep * (double) decodeSteps / decodeNanos;
    b.append(String.format(Locale.ROOT, "decode    %8.0f ms  %d steps, %.0f ms/token, %.1f GB/s of weights",
        decodeNanos / 1e6, decodeSteps, msPerDecodeStep(), gbs));
    return b.toString();
  }

  private static double rate(double flops, long nanos) {
    return nanos == 0 ? 0 : flops / nanos;
  }
}
