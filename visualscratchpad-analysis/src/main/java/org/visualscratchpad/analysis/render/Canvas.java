package org.visualscratchpad.analysis.render;

import java.awt.Color;
import java.awt.image.BufferedImage;

/**
 * The drawing operations every picture of this package uses, so that one drawing routine yields
 * both the PNG and the SVG. Coordinates are pixels, origin top-left.
 */
interface Canvas {
  /** Text anchors: where {@code (x, y)} sits on the text's baseline. */
  enum Anchor { START, MIDDLE, END }

  void fillRect(double x, double y, double w, double h, Color color);

  void strokeRect(double x, double y, double w, double h, Color color, double width);

  void line(double x1, double y1, double x2, double y2, Color color, double width);

  void circle(double cx, double cy, double r, Color fill);

  /** Text at baseline {@code (x, y)}; {@code vertical} rotates it -90 degrees around that point. */
  void text(double x, double y, String text, float size, boolean bold, Color color, Anchor anchor, boolean vertical);

  /** Draws an image scaled into the box (nearest-neighbour for exact pixels). */
  void image(BufferedImage image, double x, double y, double w, double h);
}
