package org.visualscratchpad.server;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Locale;
import javax.imageio.ImageIO;
import java.util.function.Supplier;

/**
 * The built-in pictures the page offers to pick when no image is uploaded: simple shapes on a light
 * background, drawn here (no file is read), and three ShapesWorld scenes of fixed seeds, the demo
 * model's own kind of input (64 px): the two-object scene of {@code vsp demo run}, a scene whose
 * yellow square the shipped model calls a triangle (the planted cue), and a three-object scene. The
 * scenes are PNG resources next to this class, drawn once by the demo's {@code SceneGenerator} (the
 * server does not depend on the demo; {@code SampleImageTest} checks them against the generator).
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
  SHAPESWORLD_TWO_OBJECTS(() -> scene("shapesworld-two-objects")),
  /** "a small yellow square and a big red circle" (cue-broken scene 4): asked its shape, the model says "triangle". */
  SHAPESWORLD_MISLEADING_CUE(() -> scene("shapesworld-misleading-cue")),
  /** "a big yellow triangle and a big green circle and a small blue diamond" (uniform scene 1). */
  SHAPESWORLD_THREE_OBJECTS(() -> scene("shapesworld-three-objects"));

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

  /** The scene resource {@code samples/<name>.png} as an RGB image (the type the generator draws). */
  private static BufferedImage scene(String name) {
    String resource = "samples/" + name + ".png";
    try (InputStream in = SampleImage.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("the server jar lacks " + resource + " (org/visualscratchpad/server/"
            + resource + "); rebuild visualscratchpad-server");
      }
      BufferedImage png = ImageIO.read(in);
      BufferedImage rgb = new BufferedImage(png.getWidth(), png.getHeight(), BufferedImage.TYPE_INT_RGB);
      Graphics2D g = rgb.createGraphics();
      g.drawImage(png, 0, 0, null);
      g.dispose();
      return rgb;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + resource + " from the server jar: " + e.getMessage(), e);
    }
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
