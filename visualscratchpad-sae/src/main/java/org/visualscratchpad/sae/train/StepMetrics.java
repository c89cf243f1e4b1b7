package org.visualscratchpad.sae.train;

import java.util.Locale;

/**
 * What one training step measured on its batch, before the update: one line of the JSON-lines
 * training log.
 *
 * <pre>{@code
 * jshell> var m = trainer.step(batch)
 * m ==> StepMetrics[step 1, loss 0.8123 (mse 0.8011, l1 140.2), L0 83.2, EV 0.412, dead 0, lr 2.0E-6]
 * }</pre>
 *
 * @param step 1-based index of the step just taken
 * @param tokensSeen training rows seen so far, including this batch
 * @param loss {@code mse + l1Coefficient * l1}
 * @param mse mean over rows of the squared reconstruction error, summed over {@code d_in}
 * @param l1 mean over rows of {@code sum_j h_j w_j}
 * @param l0 mean number of active latents per row
 * @param explainedVariance {@code 1 - sum ||x - x_hat||^2 / sum ||x - mean(x)||^2} over the batch
 * @param deadLatents latents that have not fired for the dead-latent window
 * @param learningRate the learning rate this step used
 */
public record StepMetrics(
    long step,
    long tokensSeen,
    double loss,
    double mse,
    double l1,
    double l0,
    double explainedVariance,
    int deadLatents,
    double learningRate) {

  /** This record as one JSON object on one line. */
  public String toJson() {
    return String.format(Locale.ROOT,
        "{\"step\":%d,\"tokens\":%d,\"loss\":%s,\"mse\":%s,\"l1\":%s,\"l0\":%s,\"explained_variance\":%s,"
            + "\"dead_latents\":%d,\"lr\":%s}",
        step, tokensSeen, json(loss), json(mse), json(l1), json(l0), json(explainedVariance), deadLatents,
        json(learningRate));
  }

  private static String json(double v) {
    return Double.isFinite(v) ? Double.toString(v) : "null";
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT,
        "StepMetrics[step %d, loss %.4g (mse %.4g, l1 %.4g), L0 %.1f, EV %.3f, dead %d, lr %.3g]",
        step, loss, mse, l1, l0, explainedVariance, deadLatents, learningRate);
  }
}
