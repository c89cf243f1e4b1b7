package org.visualscratchpad.torch.family;

import org.visualscratchpad.torch.cpu.CpuOps;
import org.visualscratchpad.torch.cpu.CpuWeights;
import org.visualscratchpad.torch.cpu.PackedWeight;

/**
 * The LLaVA projector ({@code multi_modal_projector}): linear, GELU (erf), linear, from the vision width to the
 * language model's. LLaVA-1.5, LLaVA-NeXT and LLaVA-OneVision share it. Immutable and thread-safe.
 */
public final class GeluProjector {
  private static final String PREFIX = "multi_modal_projector.";
  private final PackedWeight linear1;  // (d_text, d_vision)
  private final float[] bias1;         // (d_text) or null
  private final PackedWeight linear2;  // (d_text, d_text)
  private final float[] bias2;
  private final int dText;

  private GeluProjector(PackedWeight linear1, float[] bias1, PackedWeight linear2, float[] bias2, int dText) {
    this.linear1 = linear1;
    this.bias1 = bias1;
    this.linear2 = linear2;
    this.bias2 = bias2;
    this.dText = dText;
  }

  /** Reads {@code multi_modal_projector.linear_{1,2}.weight} (and their biases when {@code bias}). */
  public static GeluProjector load(CpuWeights cw, int dVision, int dText, boolean bias) {
    return new GeluProjector(cw.matrix(PREFIX + "linear_1.weight", dText, dVision),
        bias ? cw.floats(PREFIX + "linear_1.bias", dText) : null,
        cw.matrix(PREFIX + "linear_2.weight", dText, dText),
        bias ? cw.floats(PREFIX + "linear_2.bias", dText) : null, dText);
  }

  /** Projects {@code rows} rows of {@code x} (row-major, d_vision wide): a new (rows, d_text) array. */
  public float[] project(float[] x, int rows) {
    float[] hidden = new float[Math.multiplyExact(rows, dText)];
    CpuOps.linear(x, rows, linear1, bias1, hidden);
    CpuOps.geluErf(hidden, hidden.length);
    float[] out = new float[hidden.length];
    CpuOps.linear(hidden, rows, linear2, bias2, out);
    return out;
  }
}
