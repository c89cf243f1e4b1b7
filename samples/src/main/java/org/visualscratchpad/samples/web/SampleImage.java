package org.visualscratchpad.samples.web;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.Locale;
import java.util.function.Supplier;
import org.visualscratchpad.samples.shapes.SceneDistribution;
import org.visualscratchpad.samples.shapes.SceneGenerator;

/**
 * The built-in pictures the page offers to pick when no image is uploaded: simple shapes on a light
 * background, drawn here (no file is read), and three ShapesWorld scenes of fixed seeds, the demo
 * model's own kind of input ({@value SceneGenerator#IMAGE_SIZE} px): the two-object scene of {@code
 * vsp demo run}, a scene whose yellow square the shipped model calls a triangle (the planted cue), and
 * a three-object scene.
 *
 * <pre>{@code
 * jshell> SampleImage.RED_CIRCLE.render()
 * }</pre>
 */
public enum SampleImage {
  RED_CIRCLE(new Color(0xd62728), "circle"),
  BLUE_SQUARE(new Color(0x1f5fbf), "square"),
  GREEN_TRIANGLE(new Color(0x2ca02c), "triangle"),
  RED_AND_BLUE(new Color(0xd62728), "pair"),
  /** "a big red triangle and a big blue diamond" (uniform scene 6, the scene of {@code vsp demo run}). */
  SHAPESWORLD_TWO_OBJECTS(() -> scene(6, SceneDistribution.UNIFORM)),
  /** "a small yellow square and a big red circle" (cue-broken scene 4): asked its shape, the model says "triangle". */
  SHAPESWORLD_MISLEADING_CUE(() -> scene(4, SceneDistribution.CUE_BROKEN)),
  /** "a big yellow triangle and a big green circle and a small blue diamond" (uniform scene 1). */
  SHAPESWORLD_THREE_OBJECTS(() -> scene(1, SceneDistribution.UNIFORM));

  /** Side of the drawn samples, in pixels (the ShapesWorld scenes keep their own size). */
  public static final int SIZE = 336;

  private final Color colour;
  private final String shape;
  private final Supplier<BufferedImage> scene;

  SampleImage(Color colour, String shape) {
    this.colour = colour;
    this.shape = shape;
    this.scene = null;
  }

  SampleImage(Supplier<BufferedImage> scene) {
    this.colour = null;
    this.shape = null;
    this.scene = scene;
  }

  private static BufferedImage scene(long seed, SceneDistribution distribution) {
    return new SceneGenerator().generate(seed, distribution).image().toBufferedImage();
  }

  /** The name the page and the API use, e.g. {@code red-circle}. */
  public String slug() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** The sample named {@code slug}, or a 404 naming the choices. */
  public static SampleImage bySlug(String slug) {
    for (SampleImage s : values()) {
      if (s.slug().equals(slug)) {
        return s;
      }
    }
    throw new WebRequestException(404, "sample image '" + (slug == null ? "" : slug.replaceAll("[^a-z0-9-]", "?"))
        + "' does not exist; choose one of " + java.util.Arrays.stream(values()).map(SampleImage::slug).toList() + ".");
  }

  /** Draws the picture (RGB; {@value #SIZE} px square, or the scene's own size). */
  public BufferedImage render() {
    if (scene != null) {
      return scene.get();
    }
    BufferedImage img = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setColor(new Color(0xf4f1ea));
    g.fillRect(0, 0, SIZE, SIZE);
    g.setColor(colour);
    switch (shape) {
      case "circle" -> g.fillOval(88, 88, 160, 160);
      case "square" -> g.fillRect(98, 98, 140, 140);
      case "triangle" -> g.fillPolygon(new int[] {168, 258, 78}, new int[] {78, 248, 248}, 3);
      default -> {
        g.fillOval(30, 100, 130, 130);
        g.setColor(new Color(0x1f5fbf));
        g.fillRect(190, 110, 110, 110);
      }
    }
    g.setColor(new Color(0x333333));
    g.setStroke(new BasicStroke(2f));
    g.drawRect(1, 1, SIZE - 3, SIZE - 3);
    g.dispose();
    return img;
  }
}
