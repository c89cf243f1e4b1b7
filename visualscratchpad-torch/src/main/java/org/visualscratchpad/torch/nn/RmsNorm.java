package org.visualscratchpad.torch.nn;

import ai.djl.ndarray.NDArray;
import org.visualscratchpad.torch.checkpoint.Weights;

/**
 * Llama's RMSNorm: {@code y = w * x / sqrt(mean(x^2) + eps)} over the last axis.
 *
 * @param weight {@code [d]}
 * @param eps the epsilon
 */
public record RmsNorm(NDArray weight, float eps) {

  /** Loads {@code prefix.weight} {@code [d]}. */
  public static RmsNorm load(Weights w, String prefix, long d, double eps) {
    return new RmsNorm(w.load(prefix + ".weight", d), (float) eps);
  }

  /** Normalises {@code x [..., d]}, in {@code x}'s manager. */
  public NDArray apply(NDArray x) {
    NDArray ms = x.square().mean(new int[] {-1}, true);
    return x.mul(ms.add(eps).sqrt().pow(-1f)).mul(weight);
  }
}
