package org.visualscratchpad.analysis.render;

import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;

/** The one font family of every picture, and text measurement for layout. */
final class Fonts {
  static final String FAMILY = "SansSerif";
  private static final Graphics2D MEASURE;

  static {
    System.setProperty("java.awt.headless", "true");
    MEASURE = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics();
    MEASURE.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    MEASURE.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_OFF);
  }

  private Fonts() {}

  static Font font(float size, boolean bold) {
    return new Font(FAMILY, bold ? Font.BOLD : Font.PLAIN, 1).deriveFont(size);
  }

  static synchronized double width(String text, float size, boolean bold) {
    FontMetrics fm = MEASURE.getFontMetrics(font(size, bold));
    return fm.stringWidth(text);
  }

  /** Shortens {@code text} with an ellipsis to fit {@code max} pixels. */
  static String fit(String text, float size, double max) {
    if (width(text, size, true) <= max) {
      return text;
    }
    String s = text;
    while (s.length() > 1 && width(s + "…", size, true) > max) {
      s = s.substring(0, s.length() - 1);
    }
    return s + "…";
  }

  /** Control characters and leading/trailing blanks made visible (tokens are often " the" or "\n"). */
  static String visible(String token) {
    StringBuilder sb = new StringBuilder();
    for (char ch : token.toCharArray()) {
      if (ch == '\n') {
        sb.append("\\n");
      } else if (ch == '\t') {
        sb.append("\\t");
      } else if (ch < 0x20) {
        sb.append('?');
      } else {
        sb.append(ch);
      }
    }
    String s = sb.toString().replace('\u2581', ' ').replace('\u0120', ' ');
    return s.isBlank() ? "␣" : s.strip();
  }
}
