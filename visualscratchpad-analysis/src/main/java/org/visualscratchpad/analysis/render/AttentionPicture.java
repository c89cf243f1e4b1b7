package org.visualscratchpad.analysis.render;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.util.List;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.scratchpad.Picture;
import org.visualscratchpad.vision.ImageTokenLocation;

/**
 * One token's attention over the image: the original pixels with a heat overlay. Each image
 * token's attention is added to every pixel of its {@link ImageTokenLocation#box()}, so LLaVA-NeXT's
 * base crop and tiles (anyres) land on the same pixels; the sum is scaled to its maximum. PNG only.
 *
 * <pre>{@code
 * jshell> AttentionPicture.render(image, attn.weights().row(3), answer.imageTokens(), "token 'red'").save(Path.of("attn.png"))
 * }</pre>
 *
 * <p>Stateless and thread-safe; the same input gives the same bytes.
 */
public final class AttentionPicture {
  private AttentionPicture() {}

  /**
   * @param image the original image
   * @param attention one value per image token, {@code >= 0}
   * @param locations where each image token sits in the image
   * @param title the caption (e.g. the token)
   * @throws InvalidInputException if the lengths differ or a value is negative or NaN
   */
  public static Picture render(BufferedImage image, float[] attention, List<ImageTokenLocation> locations, String title) {
    InvalidInputException.check(attention.length == locations.size(),
        "attention has %s values but there are %s image token locations; pass one value per image token", attention.length,
        locations.size());
    int iw = image.getWidth();
    int ih = image.getHeight();
    double[] heat = new double[iw * ih];
    double mass = 0;
    for (int k = 0; k < attention.length; k++) {
      float a = attention[k];
      InvalidInputException.check(a >= 0f && Float.isFinite(a), "attention of image token %s (%s) must be finite and >= 0", k, a);
      mass += a;
      var box = locations.get(k).box();
      for (int y = Math.max(0, box.y()); y < Math.min(ih, box.y() + box.height()); y++) {
        for (int x = Math.max(0, box.x()); x < Math.min(iw, box.x() + box.width()); x++) {
          heat[y * iw + x] += a;
        }
      }
    }
    double max = 0;
    for (double h : heat) {
      max = Math.max(max, h);
    }
    ColorScale scale = ColorScale.of(0, max > 0 ? max : 1);
    BufferedImage overlay = new BufferedImage(iw, ih, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < ih; y++) {
      for (int x = 0; x < iw; x++) {
        int rgb = image.getRGB(x, y);
        Color c = scale.color(heat[y * iw + x]);
        double alpha = 0.6;
        int r = (int) Math.round((1 - alpha) * ((rgb >> 16) & 255) + alpha * c.getRed());
        int g = (int) Math.round((1 - alpha) * ((rgb >> 8) & 255) + alpha * c.getGreen());
        int b = (int) Math.round((1 - alpha) * (rgb & 255) + alpha * c.getBlue());
        overlay.setRGB(x, y, (r << 16) | (g << 8) | b);
      }
    }
    double s = 448.0 / Math.max(iw, ih);
    double dw = iw * s;
    double dh = ih * s;
    int width = (int) Math.ceil(16 + 2 * dw + 16 + 100);
    int height = (int) Math.ceil(48 + dh + 30);
    String caption = String.format(java.util.Locale.ROOT, "%s  (attention on the image: %.3f)", title, mass);
    return Drawing.draw(width, height, false, canvas -> {
      canvas.text(16, 26, caption, 16, true, Color.BLACK, Canvas.Anchor.START, false);
      canvas.image(image, 16, 40, dw, dh);
      canvas.image(overlay, 24 + dw, 40, dw, dh);
      canvas.text(16 + dw / 2, 40 + dh + 20, "image", 12, false, Color.DARK_GRAY, Canvas.Anchor.MIDDLE, false);
      canvas.text(24 + dw + dw / 2, 40 + dh + 20, "attention overlay", 12, false, Color.DARK_GRAY, Canvas.Anchor.MIDDLE, false);
      scale.drawLegend(canvas, 24 + 2 * dw + 36, 40, 16, Math.min(200, dh), "attention");
    });
  }
}
