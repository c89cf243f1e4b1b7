package org.visualscratchpad.samples.shapes;

import java.util.Objects;
import org.visualscratchpad.InvalidInputException;

/**
 * A correlation planted on purpose in the training scenes: an object of {@code colour} is given
 * {@code shape} with probability {@code probability} (else a shape drawn uniformly), so that a model
 * can learn to read the shape off the colour and fail on scenes where the cue is broken (the paper's
 * "misleading cue" case).
 *
 * @param colour the cue colour
 * @param shape the shape the cue predicts
 * @param probability how often the cue colour gets that shape, in [0, 1]
 *     <pre>{@code
 * jshell> SpuriousCue.YELLOW_TRIANGLES
 * $1 ==> SpuriousCue[colour=YELLOW, shape=TRIANGLE, probability=0.99]
 * }</pre>
 */
public record SpuriousCue(Colour colour, ShapeKind shape, double probability) {
  /** The cue of the shipped model: about 99 % of yellow training objects are triangles. */
  public static final SpuriousCue YELLOW_TRIANGLES = new SpuriousCue(Colour.YELLOW, ShapeKind.TRIANGLE, 0.99);

  public SpuriousCue {
    Objects.requireNonNull(colour, "colour");
    Objects.requireNonNull(shape, "shape");
    InvalidInputException.check(probability >= 0 && probability <= 1,
        "cue probability (%s) must lie in [0, 1]", probability);
  }
}
