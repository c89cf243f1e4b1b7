package org.visualscratchpad.samples.shapes;

/**
 * The shapes of ShapesWorld, each with the one word the language uses for it.
 *
 * <pre>{@code
 * jshell> ShapeKind.TRIANGLE.word()
 * $1 ==> "triangle"
 * }</pre>
 */
public enum ShapeKind {
  CIRCLE("circle"),
  SQUARE("square"),
  TRIANGLE("triangle"),
  DIAMOND("diamond");

  private final String word;

  ShapeKind(String word) {
    this.word = word;
  }

  /** The word for this shape in questions and answers. */
  public String word() {
    return word;
  }

  /**
   * Whether the point {@code (dx, dy)}, relative to the shape's centre and in units of its radius,
   * lies inside the shape (y grows downwards, as in images).
   */
  boolean contains(double dx, double dy) {
    switch (this) {
      case CIRCLE:
        return dx * dx + dy * dy <= 1.0;
      case SQUARE:
        return Math.abs(dx) <= 0.82 && Math.abs(dy) <= 0.82;
      case DIAMOND:
        return Math.abs(dx) + Math.abs(dy) <= 1.05;
      case TRIANGLE:
        // apex (0, -1), base from (-1, 0.75) to (1, 0.75)
        if (dy > 0.75 || dy < -1.0) {
          return false;
        }
        double halfWidth = (dy + 1.0) / 1.75;
        return Math.abs(dx) <= halfWidth;
      default:
        throw new AssertionError(this);
    }
  }
}
