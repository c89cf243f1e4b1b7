package org.visualscratchpad.samples.shapes.evaluation;

import java.util.Objects;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.samples.shapes.SpuriousCue;

/**
 * The planted misleading cue measured on held-out scenes that break it: each scene holds an object of
 * the cue colour with another shape, and the model is asked that object's shape.
 *
 * @param cue the planted cue
 * @param asked questions asked
 * @param correct answers naming the true shape
 * @param followedCue answers naming the cue's shape (the misleading-cue failure)
 * @param seed seed of the scenes
 *     <pre>{@code
 * jshell> new CueEvaluation(SpuriousCue.YELLOW_TRIANGLES, 100, 80, 15, 3).failureRate()
 * $1 ==> 0.15
 * }</pre>
 */
public record CueEvaluation(SpuriousCue cue, int asked, int correct, int followedCue, long seed) {
  public CueEvaluation {
    Objects.requireNonNull(cue, "cue");
    InvalidInputException.check(asked > 0 && correct >= 0 && followedCue >= 0 && correct + followedCue <= asked,
        "counts (asked %s, correct %s, followed cue %s) are inconsistent", asked, correct, followedCue);
  }

  /** Fraction of answers that named the cue's shape instead of the true one. */
  public double failureRate() {
    return (double) followedCue / asked;
  }

  public double accuracy() {
    return (double) correct / asked;
  }

  @Override
  public String toString() {
    return String.format("CueEvaluation[%s objects asked for their shape: %d, correct %.1f %%, answered %s %.1f %%, seed %d]",
        cue.colour().word(), asked, 100 * accuracy(), cue.shape().word(), 100 * failureRate(), seed);
  }
}
