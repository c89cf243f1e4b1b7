package org.visualscratchpad.samples.shapes;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Draws ShapesWorld scenes: 64 x 64 RGB images with 1-3 objects (shape, colour, size, quadrant) on a
 * lightly textured background. The same seed and distribution always give the same scene, pixel for
 * pixel ({@link SplittableRandom} is specified exactly, and drawing uses integer arithmetic and
 * 4 x 4 supersampled edges).
 *
 * <pre>{@code
 * jshell> var generator = new SceneGenerator();
 * jshell> var scene = generator.generate(42, SceneDistribution.TRAINING);
 * jshell> scene.image().writePng(Path.of("scene.png"));
 * }</pre>
 *
 * <p>Thread-safe (immutable).
 */
public final class SceneGenerator {
  /** Side of the square images in pixels. */
  public static final int IMAGE_SIZE = 64;

  private static final int QUADRANT = IMAGE_SIZE / 2;
  private static final int SUPERSAMPLE = 4;

  private final SpuriousCue cue;

  /** A generator with the shipped model's cue ({@link SpuriousCue#YELLOW_TRIANGLES}). */
  public SceneGenerator() {
    this(SpuriousCue.YELLOW_TRIANGLES);
  }

  /** A generator that plants {@code cue} in {@link SceneDistribution#TRAINING} scenes. */
  public SceneGenerator(SpuriousCue cue) {
    this.cue = Objects.requireNonNull(cue, "cue");
  }

  /** The cue this generator plants in training scenes and breaks in cue-broken ones. */
  public SpuriousCue cue() {
    return cue;
  }

  /** The scene for {@code seed} drawn from {@code distribution}. */
  public Scene generate(long seed, SceneDistribution distribution) {
    SplittableRandom rng = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + 31L * distribution.ordinal() + 7L);
    List<SceneObject> objects = sampleObjects(rng, distribution);
    RgbImage image = draw(rng, objects);
    return new Scene(seed, distribution, objects, image);
  }

  private List<SceneObject> sampleObjects(SplittableRandom rng, SceneDistribution distribution) {
    int count = 1 + rng.nextInt(3);
    List<Quadrant> quadrants = pick(rng, Quadrant.values(), count);
    List<Colour> colours = pick(rng, Colour.values(), count);
    if (distribution == SceneDistribution.CUE_BROKEN && !colours.contains(cue.colour())) {
      colours.set(rng.nextInt(count), cue.colour());
    }
    ShapeKind[] shapes = new ShapeKind[count];
    List<ShapeKind> free = new ArrayList<>(Arrays.asList(ShapeKind.values()));
    int cueIndex = colours.indexOf(cue.colour());
    if (cueIndex >= 0) {
      ShapeKind cueShape;
      if (distribution == SceneDistribution.CUE_BROKEN) {
        List<ShapeKind> others = new ArrayList<>(free);
        others.remove(cue.shape());
        cueShape = others.get(rng.nextInt(others.size()));
      } else if (distribution == SceneDistribution.TRAINING && rng.nextDouble() < cue.probability()) {
        cueShape = cue.shape();
      } else {
        cueShape = free.get(rng.nextInt(free.size()));
      }
      shapes[cueIndex] = cueShape;
      free.remove(cueShape);
    }
    for (int i = 0; i < count; i++) {
      if (shapes[i] == null) {
        shapes[i] = free.remove(rng.nextInt(free.size()));
      }
    }
    List<SceneObject> objects = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ObjectSize size = rng.nextBoolean() ? ObjectSize.BIG : ObjectSize.SMALL;
      int radius = size.minRadius() + rng.nextInt(size.maxRadius() - size.minRadius() + 1);
      Quadrant q = quadrants.get(i);
      // centre anywhere that keeps the shape inside its quadrant with a 1-pixel margin
      int lo = radius + 1;
      int hi = QUADRANT - radius - 1;
      int cx = q.column() * QUADRANT + lo + rng.nextInt(hi - lo + 1);
      int cy = q.row() * QUADRANT + lo + rng.nextInt(hi - lo + 1);
      objects.add(new SceneObject(shapes[i], colours.get(i), size, q, cx, cy, radius));
    }
    objects.sort((a, b) -> a.quadrant().compareTo(b.quadrant()));
    return objects;
  }

  private static <T> List<T> pick(SplittableRandom rng, T[] values, int count) {
    List<T> pool = new ArrayList<>(Arrays.asList(values));
    List<T> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      out.add(pool.remove(rng.nextInt(pool.size())));
    }
    return out;
  }

  private static RgbImage draw(SplittableRandom rng, List<SceneObject> objects) {
    int[] pixels = new int[IMAGE_SIZE * IMAGE_SIZE * 3];
    // background: a muted grey with a slight tint, faint diagonal stripes and per-pixel noise
    int base = 105 + rng.nextInt(50);
    int[] tint = {rng.nextInt(21) - 10, rng.nextInt(21) - 10, rng.nextInt(21) - 10};
    int period = 6 + rng.nextInt(6);
    int phase = rng.nextInt(period);
    for (int y = 0; y < IMAGE_SIZE; y++) {
      for (int x = 0; x < IMAGE_SIZE; x++) {
        int stripe = ((x + y + phase) % period) < period / 2 ? 5 : -5;
        for (int c = 0; c < 3; c++) {
          pixels[(y * IMAGE_SIZE + x) * 3 + c] = base + tint[c] + stripe + rng.nextInt(17) - 8;
        }
      }
    }
    for (SceneObject o : objects) {
      int[] colour = new int[3];
      for (int c = 0; c < 3; c++) {
        colour[c] = o.colour().channel(c) + rng.nextInt(31) - 15;
      }
      int r = o.radius();
      for (int y = o.centerY() - r - 1; y <= o.centerY() + r + 1; y++) {
        for (int x = o.centerX() - r - 1; x <= o.centerX() + r + 1; x++) {
          int covered = 0;
          for (int sy = 0; sy < SUPERSAMPLE; sy++) {
            for (int sx = 0; sx < SUPERSAMPLE; sx++) {
              double dx = (x + (sx + 0.5) / SUPERSAMPLE - (o.centerX() + 0.5)) / r;
              double dy = (y + (sy + 0.5) / SUPERSAMPLE - (o.centerY() + 0.5)) / r;
              if (o.shape().contains(dx, dy)) {
                covered++;
              }
            }
          }
          if (covered == 0) {
            continue;
          }
          int total = SUPERSAMPLE * SUPERSAMPLE;
          for (int c = 0; c < 3; c++) {
            int at = (y * IMAGE_SIZE + x) * 3 + c;
            pixels[at] = (pixels[at] * (total - covered) + colour[c] * covered + total / 2) / total;
          }
        }
      }
    }
    byte[] rgb = new byte[pixels.length];
    for (int i = 0; i < pixels.length; i++) {
      rgb[i] = (byte) Math.max(0, Math.min(255, pixels[i]));
    }
    return RgbImage.adopt(IMAGE_SIZE, IMAGE_SIZE, rgb);
  }

  @Override
  public String toString() {
    return "SceneGenerator[" + IMAGE_SIZE + " x " + IMAGE_SIZE + ", cue " + cue + "]";
  }
}
