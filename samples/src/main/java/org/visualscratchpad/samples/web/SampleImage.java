package org.visualscratchpad.samples.web;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.Locale;

/**
 * The built-in pictures the page offers to pick when no image is uploaded: simple shapes on a light
 * background, drawn here (no file is read), in the spirit of the ShapesWorld demo.
 *
 * <pre>{@code
 * jshell> SampleImage.RED_CIRCLE.render()
 * }</pre>
 */
public enum SampleImage {
  RED_CIRCLE(new Color(0xd62728), "circle"),
  BLUE_SQUARE(new Color(0x1f5fbf), "square"),
  GREEN_TRIANGLE(new Color(0x2ca02c), "triangle"),
  RED_AND_BLUE(new Color(0xd62728), "pair");

  /** Side of every sample, in pixels. */
  public static final int SIZE = 336;

  private final Color colour;
  private final String shape;

  SampleImage(Color colour, String shape) {
    this.colour = colour;
    this.shape = shape;
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

  /** Draws the picture ({@value #SIZE} x {@value #SIZE}, RGB). */
  public BufferedImage render() {
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
