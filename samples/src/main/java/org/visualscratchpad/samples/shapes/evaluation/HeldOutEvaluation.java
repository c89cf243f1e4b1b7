package org.visualscratchpad.samples.shapes.evaluation;

import java.util.List;
import java.util.Objects;
import org.visualscratchpad.samples.shapes.SceneDistribution;

/**
 * Per-task accuracy of greedy answers on held-out scenes of one distribution.
 *
 * @param distribution where the scenes came from
 * @param seed seed of the scenes and questions
 * @param tasks accuracy per task
 *     <pre>{@code
 * jshell> evaluation.minimumAccuracy()
 * }</pre>
 */
public record HeldOutEvaluation(SceneDistribution distribution, long seed, List<TaskAccuracy> tasks) {
  public HeldOutEvaluation {
    Objects.requireNonNull(distribution, "distribution");
    tasks = List.copyOf(tasks);
  }

  /** The lowest per-task accuracy. */
  public double minimumAccuracy() {
    return tasks.stream().mapToDouble(TaskAccuracy::accuracy).min().orElse(Double.NaN);
  }

  @Override
  public String toString() {
    return "HeldOutEvaluation[" + distribution + ", seed " + seed + ": " + tasks + "]";
  }
}
