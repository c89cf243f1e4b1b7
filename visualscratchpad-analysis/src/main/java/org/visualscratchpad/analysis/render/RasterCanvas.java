package org.visualscratchpad.analysis.render;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;

/** A {@link Canvas} on a white RGB image, written as PNG (no metadata: the same drawing gives the same bytes). */
final class RasterCanvas implements Canvas {
  private final BufferedImage image;
  private final Graphics2D g;

  RasterCanvas(int width, int height) {
    image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    g = image.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_OFF);
    g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, width, height);
  }

  @Override
  public void fillRect(double x, double y, double w, double h, Color color) {
    g.setColor(color);
    Object aa = g.getRenderingHint(RenderingHints.KEY_ANTIALIASING);
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_OFF);
    g.fill(new Rectangle2D.Double(x, y, w, h));
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, aa);
  }

  @Override
  public void strokeRect(double x, double y, double w, double h, Color color, double width) {
    g.setColor(color);
    g.setStroke(new BasicStroke((float) width));
    g.draw(new Rectangle2D.Double(x, y, w, h));
  }

  @Override
  public void line(double x1, double y1, double x2, double y2, Color color, double width) {
    g.setColor(color);
    g.setStroke(new BasicStroke((float) width));
    g.draw(new Line2D.Double(x1, y1, x2, y2));
  }

  @Override
  public void circle(double cx, double cy, double r, Color fill) {
    g.setColor(fill);
    g.fill(new Ellipse2D.Double(cx - r, cy - r, 2 * r, 2 * r));
  }

  @Override
  public void text(double x, double y, String text, float size, boolean bold, Color color, Anchor anchor, boolean vertical) {
    g.setFont(Fonts.font(size, bold));
    g.setColor(color);
    double w = Fonts.width(text, size, bold);
    double shift = anchor == Anchor.START ? 0 : anchor == Anchor.MIDDLE ? -w / 2 : -w;
    AffineTransform saved = g.getTransform();
    g.translate(x, y);
    if (vertical) {
      g.rotate(-Math.PI / 2);
    }
    g.drawString(text, (float) shift, 0f);
    g.setTransform(saved);
  }

  @Override
  public void image(BufferedImage src, double x, double y, double w, double h) {
    g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    g.drawImage(src, (int) Math.round(x), (int) Math.round(y), (int) Math.round(w), (int) Math.round(h), null);
  }

  byte[] png() {
    g.dispose();
    try (ByteArrayOutputStream out = new ByteArrayOutputStream()) {
      ImageIO.write(image, "png", out);
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode PNG", e);
    }
  }
}
