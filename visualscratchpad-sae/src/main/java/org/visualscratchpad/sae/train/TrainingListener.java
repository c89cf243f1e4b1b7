package org.visualscratchpad.sae.train;

/**
 * Called by {@link SaeTrainer#train} after every step: where a progress bar, a JSON-lines log and
 * periodic checkpoints hook in ({@link TrainingRun} combines them).
 */
@FunctionalInterface
public interface TrainingListener {
  /** Called after step {@code metrics.step()}; may save a checkpoint of {@code trainer}. */
  void afterStep(SaeTrainer trainer, StepMetrics metrics);

  /** A listener that does nothing. */
  static TrainingListener none() {
    return (t, m) -> { };
  }
}
