package org.visualscratchpad.samples.shapes.training;

import java.util.List;
import java.util.Objects;

/**
 * What a training run did: its options, the measured time, and the loss curve (mean loss per
 * {@code lossEvery} steps).
 *
 * @param options the options (seed included)
 * @param parameters number of model parameters
 * @param wallSeconds wall-clock time of the optimisation loops (vision pre-training included)
 * @param lossEvery steps per entry of {@code lossCurve}
 * @param lossCurve mean training loss per block of {@code lossEvery} steps (skipped steps left out)
 * @param skippedSteps steps (vision pre-training included) whose loss or gradient was not finite, left without an update
 *     <pre>{@code
 * jshell> report.secondsPerStep()
 * }</pre>
 */
public record TrainingReport(TrainingOptions options, long parameters, double wallSeconds, int lossEvery, List<Double> lossCurve,
    int skippedSteps) {
  public TrainingReport {
    Objects.requireNonNull(options, "options");
    lossCurve = List.copyOf(lossCurve);
  }

  public double secondsPerStep() {
    return wallSeconds / options.steps();
  }

  /** The last entry of the loss curve. */
  public double finalLoss() {
    return lossCurve.isEmpty() ? Double.NaN : lossCurve.get(lossCurve.size() - 1);
  }

  @Override
  public String toString() {
    return String.format("TrainingReport[%d steps x %d, seed %d, %d parameters, %.1f s (%.3f s/step), final loss %.4f, %d skipped]",
        options.steps(), options.batchSize(), options.seed(), parameters, wallSeconds, secondsPerStep(), finalLoss(), skippedSteps);
  }
}
