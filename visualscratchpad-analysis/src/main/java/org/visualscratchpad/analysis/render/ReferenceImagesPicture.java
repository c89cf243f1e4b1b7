package org.visualscratchpad.analysis.render;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.util.List;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.scratchpad.Picture;

/**
 * A latent's reference images (e.g. its maximally activating images) with patch masks: each patch
 * is darkened in proportion to how weak the latent is there (inactive patches nearly black, the
 * strongest patch untouched). The scale is shared by all images (their joint maximum), and each
 * tile is captioned with its own maximum. PNG only.
 *
 * <pre>{@code
 * jshell> ReferenceImagesPicture.render(412, images, perPatchActivations, 24).save(Path.of("latent412.png"))
 * }</pre>
 *
 * <p>Stateless and thread-safe; the same input gives the same bytes.
 */
public final class ReferenceImagesPicture {
  private ReferenceImagesPicture() {}

  /**
   * @param latentId the latent shown
   * @param images the reference images (each resized to a square tile)
   * @param patchActivations per image, the latent's activation per patch (row-major grid, length {@code grid * grid})
   * @param grid patches per side (e.g. 24 for CLIP-L/14 at 336 px)
   * @throws InvalidInputException if the counts or lengths disagree, or a value is NaN
   */
  public static Picture render(int latentId, List<BufferedImage> images, List<float[]> patchActivations, int grid) {
    InvalidInputException.check(!images.isEmpty() && images.size() == patchActivations.size(),
        "images (%s) and patch activation arrays (%s) must be the same, non-zero number", images.size(), patchActivations.size());
    InvalidInputException.check(grid >= 1, "grid (%s) must be >= 1", grid);
    float max = 0;
    for (int i = 0; i < patchActivations.size(); i++) {
      float[] a = patchActivations.get(i);
      InvalidInputException.check(a.length == grid * grid,
          "patch activations of image %s have %s values; expected grid x grid = %s", i, a.length, grid * grid);
      for (float v : a) {
        InvalidInputException.check(Float.isFinite(v), "patch activation of image %s (%s) must be finite", i, v);
        max = Math.max(max, v);
      }
    }
    int tile = 200;
    int perRow = Math.min(images.size(), 4);
    int rowsOfTiles = (images.size() + perRow - 1) / perRow;
    int width = 16 + perRow * (tile + 12) + 100;
    int height = 48 + rowsOfTiles * (tile + 30);
    ColorScale scale = ColorScale.grey(0, max > 0 ? max : 1);
    final float fMax = max;
    return Drawing.draw(width, height, false, canvas -> {
      canvas.text(16, 26, "Latent #" + latentId + ": reference images with patch masks", 16, true, Color.BLACK,
          Canvas.Anchor.START, false);
      for (int i = 0; i < images.size(); i++) {
        double x = 16 + (i % perRow) * (tile + 12);
        double y = 40 + (i / perRow) * (tile + 30);
        canvas.image(images.get(i), x, y, tile, tile);
        float[] a = patchActivations.get(i);
        double cell = (double) tile / grid;
        float imageMax = 0;
        for (int p = 0; p < a.length; p++) {
          imageMax = Math.max(imageMax, a[p]);
          double strength = fMax > 0 ? a[p] / fMax : 0;
          double px = x + (p % grid) * cell;
          double py = y + (p / grid) * cell;
          // the mask: a patch is darkened in proportion to how weak the latent is there
          int dim = (int) Math.round(190 * (1 - Math.max(0, Math.min(1, strength))));
          if (dim > 0) {
            canvas.fillRect(px, py, cell, cell, new Color(0, 0, 0, dim));
          }
        }
        canvas.strokeRect(x, y, tile, tile, Color.DARK_GRAY, 1);
        canvas.text(x + tile / 2.0, y + tile + 18, "max " + ColorScale.format(imageMax), 12, false, Color.BLACK,
            Canvas.Anchor.MIDDLE, false);
      }
      scale.drawLegend(canvas, 16 + perRow * (tile + 12) + 30, 40, 16, Math.min(200, tile), "activation (mask)");
    });
  }
}
