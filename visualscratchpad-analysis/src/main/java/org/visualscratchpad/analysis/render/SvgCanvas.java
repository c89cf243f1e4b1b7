package org.visualscratchpad.analysis.render;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.Locale;
import javax.imageio.ImageIO;

/** A {@link Canvas} that writes SVG text (numbers with 2 decimals, so output is deterministic). */
final class SvgCanvas implements Canvas {
  private final StringBuilder sb = new StringBuilder();

  SvgCanvas(int width, int height) {
    sb.append(String.format(Locale.ROOT,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"DejaVu Sans, Arial, sans-serif\">\n",
        width, height, width, height));
    sb.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n", width, height));
  }

  private static String hex(Color c) {
    return String.format(Locale.ROOT, "#%02x%02x%02x", c.getRed(), c.getGreen(), c.getBlue());
  }

  private static String alpha(Color c) {
    return c.getAlpha() == 255 ? "" : String.format(Locale.ROOT, " fill-opacity=\"%.3f\"", c.getAlpha() / 255.0);
  }

  private static String n(double v) {
    return String.format(Locale.ROOT, "%.2f", v);
  }

  static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }

  @Override
  public void fillRect(double x, double y, double w, double h, Color color) {
    sb.append("<rect x=\"").append(n(x)).append("\" y=\"").append(n(y)).append("\" width=\"").append(n(w))
        .append("\" height=\"").append(n(h)).append("\" fill=\"").append(hex(color)).append('"').append(alpha(color))
        .append("/>\n");
  }

  @Override
  public void strokeRect(double x, double y, double w, double h, Color color, double width) {
    sb.append("<rect x=\"").append(n(x)).append("\" y=\"").append(n(y)).append("\" width=\"").append(n(w))
        .append("\" height=\"").append(n(h)).append("\" fill=\"none\" stroke=\"").append(hex(color))
        .append("\" stroke-width=\"").append(n(width)).append("\"/>\n");
  }

  @Override
  public void line(double x1, double y1, double x2, double y2, Color color, double width) {
    sb.append("<line x1=\"").append(n(x1)).append("\" y1=\"").append(n(y1)).append("\" x2=\"").append(n(x2))
        .append("\" y2=\"").append(n(y2)).append("\" stroke=\"").append(hex(color)).append("\" stroke-width=\"")
        .append(n(width)).append("\"/>\n");
  }

  @Override
  public void circle(double cx, double cy, double r, Color fill) {
    sb.append("<circle cx=\"").append(n(cx)).append("\" cy=\"").append(n(cy)).append("\" r=\"").append(n(r))
        .append("\" fill=\"").append(hex(fill)).append('"').append(alpha(fill)).append("/>\n");
  }

  @Override
  public void text(double x, double y, String text, float size, boolean bold, Color color, Anchor anchor, boolean vertical) {
    String a = anchor == Anchor.START ? "start" : anchor == Anchor.MIDDLE ? "middle" : "end";
    sb.append("<text x=\"").append(n(x)).append("\" y=\"").append(n(y)).append("\" font-size=\"").append(n(size))
        .append("\" fill=\"").append(hex(color)).append("\" text-anchor=\"").append(a).append('"');
    if (bold) {
      sb.append(" font-weight=\"bold\"");
    }
    if (vertical) {
      sb.append(" transform=\"rotate(-90 ").append(n(x)).append(' ').append(n(y)).append(")\"");
    }
    sb.append('>').append(escape(text)).append("</text>\n");
  }

  @Override
  public void image(BufferedImage image, double x, double y, double w, double h) {
    try (ByteArrayOutputStream out = new ByteArrayOutputStream()) {
      ImageIO.write(image, "png", out);
      sb.append("<image x=\"").append(n(x)).append("\" y=\"").append(n(y)).append("\" width=\"").append(n(w))
          .append("\" height=\"").append(n(h)).append("\" preserveAspectRatio=\"none\" href=\"data:image/png;base64,")
          .append(Base64.getEncoder().encodeToString(out.toByteArray())).append("\"/>\n");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode embedded PNG", e);
    }
  }

  String finish() {
    return sb.append("</svg>\n").toString();
  }
}
