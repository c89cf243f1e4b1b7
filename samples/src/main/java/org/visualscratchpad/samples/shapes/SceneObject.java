package org.visualscratchpad.samples.shapes;

import java.util.Objects;
import org.visualscratchpad.InvalidInputException;

/**
 * The label of one drawn object: what it is and where it was drawn.
 *
 * @param shape its shape
 * @param colour its colour
 * @param size big or small
 * @param quadrant the quarter of the image it lies in
 * @param centerX centre column in pixels
 * @param centerY centre row in pixels
 * @param radius radius in pixels (within {@code size}'s range)
 *     <pre>{@code
 * jshell> new SceneObject(ShapeKind.CIRCLE, Colour.RED, ObjectSize.BIG, Quadrant.TOP_LEFT, 16, 16, 12).phrase()
 * $1 ==> "a big red circle"
 * }</pre>
 */
public record SceneObject(
    ShapeKind shape, Colour colour, ObjectSize size, Quadrant quadrant, int centerX, int centerY, int radius) {
  public SceneObject {
    Objects.requireNonNull(shape, "shape");
    Objects.requireNonNull(colour, "colour");
    Objects.requireNonNull(size, "size");
    Objects.requireNonNull(quadrant, "quadrant");
    InvalidInputException.check(radius >= size.minRadius() && radius <= size.maxRadius(),
        "radius (%s) must lie in [%s, %s] for a %s object", radius, size.minRadius(), size.maxRadius(), size.word());
  }

  /** The noun phrase a description uses, e.g. {@code "a small blue square"}. */
  public String phrase() {
    return "a " + size.word() + " " + colour.word() + " " + shape.word();
  }
}
