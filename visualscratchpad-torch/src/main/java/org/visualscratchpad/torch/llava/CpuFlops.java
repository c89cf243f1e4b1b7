package org.visualscratchpad.torch.llava;

import org.visualscratchpad.torch.cpu.CpuLlama;
import org.visualscratchpad.torch.llama.LlamaConfig;

/** FLOPs (2 per multiply-add) of the phases of a generation, counted from the shapes (every family). */
final class CpuFlops {
  private CpuFlops() {}

  /** {@code layers} vision encoder layers over {@code crops} crops, plus the projector. */
  static double vision(org.visualscratchpad.torch.family.VlmConfig cfg, int crops, int layers) {
    double t = cfg.vision().tokensPerCrop();
    return vision(cfg, crops, layers, (long) (crops * t), (long) (crops * t * t));
  }

  /**
   * {@code layers} vision encoder layers over a stream of {@code rows} rows in {@code crops} crops whose squared
   * row counts sum to {@code squares} (each crop attends within itself; Qwen2-VL's images vary in size), plus
   * the projector (counted as LLaVA's two-layer MLP per patch: an estimate for other families' projectors).
   */
  static double vision(org.visualscratchpad.torch.family.VlmConfig cfg, int crops, int layers, long rows, long squares) {
    var v = cfg.vision();
    double d = v.hiddenSize();
    double perLayer = 2 * (double) rows * (4 * d * d + 2 * d * v.intermediateSize()) + 4 * (double) squares * d;
    double dt = cfg.text().hiddenSize();
    double patchRows = rows - (v.hasClsToken() ? crops : 0);
    double projector = 2 * patchRows * (d * dt + dt * dt);
    return layers * perLayer + projector;
  }

  /** The language model over {@code rows} prompt positions after {@code past} cached ones, and one logits row. */
  static double prefill(LlamaConfig c, int past, int rows) {
    double d = c.hiddenSize();
    double qd = (double) c.numHeads() * c.headDim();
    double kvd = (double) c.numKeyValueHeads() * c.headDim();
    double linear = 2 * rows * (d * qd + 2 * d * kvd + qd * d + 3 * d * c.intermediateSize());
    double keys = (double) rows * past + rows * (rows + 1) / 2.0;
    double attention = 4 * keys * qd;
    return c.numLayers() * (linear + attention) + 2 * d * c.vocabSize();
  }

  /** Bytes of weights one decode step reads (every layer's matrices and the output head). */
  static long decodeWeightBytes(CpuLlama decoder) {
    return decoder.matrixBytes();
  }
}
