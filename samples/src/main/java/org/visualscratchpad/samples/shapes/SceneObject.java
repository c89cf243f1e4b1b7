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

  /**
   * Whether the centre of pixel {@code (x, y)} lies inside this object, as the generator draws it
   * (pixels only partly covered at the edge are blended by the generator and count here by their centre).
   */
  public boolean covers(int x, int y) {
    double dx = (x + 0.5 - (centerX + 0.5)) / radius;
    double dy = (y + 0.5 - (centerY + 0.5)) / radius;
    return shape.contains(dx, dy);
  }

  /** How many pixels of the square {@code [x0, x0 + side) x [y0, y0 + side)} this object covers. */
  public int coveredPixels(int x0, int y0, int side) {
    int n = 0;
    for (int y = Math.max(y0, centerY - radius - 1); y < Math.min(y0 + side, centerY + radius + 2); y++) {
      for (int x = Math.max(x0, centerX - radius - 1); x < Math.min(x0 + side, centerX + radius + 2); x++) {
        n += covers(x, y) ? 1 : 0;
      }
    }
    return n;
  }
}
