package org.visualscratchpad.samples.shapes;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.visualscratchpad.InvalidInputException;

/**
 * One generated scene: its image and the labels of its 1-3 objects, listed in reading order
 * (top left, top right, bottom left, bottom right). Objects in a scene have distinct shapes, distinct
 * colours and distinct quadrants, so "the circle", "the red object" and "top left" each name at most one.
 *
 * @param seed the seed that reproduces it with {@link SceneGenerator#generate(long, SceneDistribution)}
 * @param distribution the population it was drawn from
 * @param objects the object labels, in reading order
 * @param image the RGB image, {@code [64, 64, 3]}
 *     <pre>{@code
 * jshell> new SceneGenerator().generate(42, SceneDistribution.TRAINING)
 * $1 ==> Scene[seed=42, TRAINING, a big red circle and a small blue square, 64 x 64]
 * }</pre>
 */
public record Scene(long seed, SceneDistribution distribution, List<SceneObject> objects, RgbImage image) {
  public Scene {
    Objects.requireNonNull(distribution, "distribution");
    Objects.requireNonNull(image, "image");
    objects = List.copyOf(objects);
    InvalidInputException.check(!objects.isEmpty() && objects.size() <= 3,
        "scene object count (%s) must be 1 to 3", objects.size());
    List<SceneObject> sorted = new ArrayList<>(objects);
    sorted.sort(Comparator.comparing(SceneObject::quadrant));
    InvalidInputException.check(sorted.equals(objects), "scene objects must be listed in reading order of their quadrants");
    InvalidInputException.check(objects.stream().map(SceneObject::shape).distinct().count() == objects.size(),
        "scene objects must have distinct shapes: %s", objects);
    InvalidInputException.check(objects.stream().map(SceneObject::colour).distinct().count() == objects.size(),
        "scene objects must have distinct colours: %s", objects);
    InvalidInputException.check(objects.stream().map(SceneObject::quadrant).distinct().count() == objects.size(),
        "scene objects must lie in distinct quadrants: %s", objects);
  }

  /** The object of this shape, if the scene has one. */
  public Optional<SceneObject> withShape(ShapeKind shape) {
    return objects.stream().filter(o -> o.shape() == shape).findFirst();
  }

  /** The object of this colour, if the scene has one. */
  public Optional<SceneObject> withColour(Colour colour) {
    return objects.stream().filter(o -> o.colour() == colour).findFirst();
  }

  /**
   * The object covering the most pixels of the square {@code [x0, x0 + side) x [y0, y0 + side)}, if it covers
   * at least {@code minCover} of them (a share in [0, 1]).
   */
  public Optional<SceneObject> objectOn(int x0, int y0, int side, double minCover) {
    SceneObject best = null;
    int bestCover = 0;
    for (SceneObject o : objects) {
      int c = o.coveredPixels(x0, y0, side);
      if (c > bestCover) {
        bestCover = c;
        best = o;
      }
    }
    return best != null && bestCover >= minCover * side * side ? Optional.of(best) : Optional.empty();
  }

  /** The scene described in words: the objects' phrases joined by "and", in reading order. */
  public String description() {
    StringBuilder sb = new StringBuilder();
    for (SceneObject o : objects) {
      if (sb.length() > 0) {
        sb.append(" and ");
      }
      sb.append(o.phrase());
    }
    return sb.toString();
  }

  @Override
  public String toString() {
    return "Scene[seed=" + seed + ", " + distribution + ", " + description() + ", " + image.width() + " x "
        + image.height() + "]";
  }
}
