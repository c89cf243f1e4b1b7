package org.visualscratchpad.torch.nn;

import ai.djl.ndarray.NDArray;
import org.visualscratchpad.torch.checkpoint.Weights;

/**
 * An {@code nn.Linear}: {@code y = x W^T + b}, weight stored {@code [out, in]} as on disk.
 *
 * @param weightT the transposed weight {@code [in, out]} (a view of the stored tensor)
 * @param bias {@code [out]}, or null
 */
public record Linear(NDArray weightT, NDArray bias) {

  /** Loads {@code prefix.weight} {@code [out, in]} and, if {@code withBias}, {@code prefix.bias} {@code [out]}. */
  public static Linear load(Weights w, String prefix, long out, long in, boolean withBias) {
    NDArray weight = w.load(prefix + ".weight", out, in);
    NDArray b = withBias ? w.load(prefix + ".bias", out) : null;
    return new Linear(weight.transpose(), b);
  }

  /** {@code x [..., in]} to {@code [..., out]}, in {@code x}'s manager. */
  public NDArray apply(NDArray x) {
    NDArray y = x.matMul(weightT);
    return bias == null ? y : y.add(bias);
  }
}
