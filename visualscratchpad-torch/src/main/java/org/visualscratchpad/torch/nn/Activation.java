package org.visualscratchpad.torch.nn;

import ai.djl.ndarray.NDArray;
import java.util.Locale;
import org.visualscratchpad.torch.checkpoint.ConfigJson;

/** The activation functions of the supported models, named as Hugging Face's {@code ACT2FN}. */
public enum Activation {
  /** {@code x * sigmoid(1.702 x)} (CLIP). */
  QUICK_GELU("quick_gelu"),
  /** {@code 0.5 x (1 + erf(x / sqrt 2))}, the exact GELU (LLaVA's projector). */
  GELU("gelu"),
  /** {@code x * sigmoid(x)} (Llama, Mistral, Qwen2 MLPs). */
  SILU("silu"),
  /**
   * GELU with the tanh approximation, {@code 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))} (SigLIP; Hugging
   * Face's {@code gelu_pytorch_tanh}, also read for {@code gelu_new}, the same function).
   */
  GELU_TANH("gelu_pytorch_tanh");

  private final String hfName;

  Activation(String hfName) {
    this.hfName = hfName;
  }

  /** Applies the activation; the result lives in {@code x}'s manager. */
  public NDArray apply(NDArray x) {
    switch (this) {
      case QUICK_GELU:
        return x.mul(sigmoid(x.mul(1.702f)));
      case GELU:
        return x.mul(x.mul((float) (1.0 / Math.sqrt(2.0))).erf().add(1f)).mul(0.5f);
      case SILU:
        return x.mul(sigmoid(x));
      case GELU_TANH:
        return x.mul(sigmoid(x.mul(x).mul(x).mul(0.044715f).add(x).mul((float) (2 * Math.sqrt(2 / Math.PI)))));
      default:
        throw new AssertionError(this);
    }
  }

  private static NDArray sigmoid(NDArray x) {
    return x.neg().exp().add(1f).pow(-1f);
  }

  /**
   * Parses {@code config.json}'s activation name.
   *
   * @throws org.visualscratchpad.CheckpointFormatException for an unsupported name
   */
  public static Activation parse(ConfigJson cfg, String key, String dflt) {
    String name = cfg.getString(key, dflt).toLowerCase(Locale.ROOT);
    for (Activation a : values()) {
      if (a.hfName.equals(name)) {
        return a;
      }
    }
    if (name.equals("swish")) {
      return SILU;
    }
    if (name.equals("gelu_new")) {
      return GELU_TANH;
    }
    throw cfg.bad(key, name, "one of quick_gelu, gelu, silu, gelu_pytorch_tanh");
  }
}
