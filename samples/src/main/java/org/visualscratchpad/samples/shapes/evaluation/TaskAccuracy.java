package org.visualscratchpad.samples.shapes.evaluation;

import java.util.List;
import java.util.Objects;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.samples.shapes.language.Task;

/**
 * Exact-match accuracy of greedy answers on one task.
 *
 * @param task the task
 * @param correct answers equal to the expected words
 * @param total questions asked
 * @param mistakes up to five wrong answers, as {@code "question -> given (expected)"}
 *     <pre>{@code
 * jshell> new TaskAccuracy(Task.COUNT, 99, 100, List.of()).accuracy()
 * $1 ==> 0.99
 * }</pre>
 */
public record TaskAccuracy(Task task, int correct, int total, List<String> mistakes) {
  public TaskAccuracy {
    Objects.requireNonNull(task, "task");
    InvalidInputException.check(total > 0 && correct >= 0 && correct <= total,
        "correct (%s) must lie in [0, total (%s)] and total must be positive", correct, total);
    mistakes = List.copyOf(mistakes);
  }

  public double accuracy() {
    return (double) correct / total;
  }

  @Override
  public String toString() {
    return String.format("%s %d/%d = %.1f %%", task, correct, total, 100.0 * accuracy());
  }
}
