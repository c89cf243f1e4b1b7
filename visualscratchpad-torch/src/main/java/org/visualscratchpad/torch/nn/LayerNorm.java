package org.visualscratchpad.torch.nn;

import ai.djl.ndarray.NDArray;
import org.visualscratchpad.torch.checkpoint.Weights;

/**
 * {@code nn.LayerNorm} over the last axis with the biased variance.
 *
 * @param weight {@code [d]}
 * @param bias {@code [d]}
 * @param eps the epsilon added to the variance
 */
public record LayerNorm(NDArray weight, NDArray bias, float eps) {

  /** Loads {@code prefix.weight} and {@code prefix.bias}, both {@code [d]}. */
  public static LayerNorm load(Weights w, String prefix, long d, double eps) {
    return new LayerNorm(w.load(prefix + ".weight", d), w.load(prefix + ".bias", d), (float) eps);
  }

  /** Normalises {@code x [..., d]}, in {@code x}'s manager. */
  public NDArray apply(NDArray x) {
    NDArray mean = x.mean(new int[] {-1}, true);
    NDArray xc = x.sub(mean);
    NDArray var = xc.square().mean(new int[] {-1}, true);
    return xc.div(var.add(eps).sqrt()).mul(weight).add(bias);
  }
}
