package org.visualscratchpad.torch.llava;

import org.visualscratchpad.torch.cpu.CpuLlama;
import org.visualscratchpad.torch.llama.LlamaConfig;

/** FLOPs (2 per multiply-add) of the phases of a generation, counted from the shapes (every family). */
final class CpuFlops {
  private CpuFlops() {}

  /** {@code layers} vision encoder layers over {@code crops} crops, plus the projector. */
  static double vision(org.visualscratchpad.torch.family.VlmConfig cfg, int crops, int layers) {
    var v = cfg.vision();
    double t = v.tokensPerCrop();
    double d = v.hiddenSize();
    double rows = crops * t;
    double perLayer = 2 * rows * (4 * d * d + 2 * d * v.intermediateSize()) + crops * 4 * t * t * d;
    double dt = cfg.text().hiddenSize();
    double projector = 2 * crops * (double) (v.gridSize() * v.gridSize()) * (d * dt + dt * dt);
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
