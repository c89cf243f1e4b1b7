package org.visualscratchpad.torch.input.preprocess;

import java.util.List;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.vision.PixelBox;

/**
 * The geometry of LLaVA-NeXT's anyres tiling ({@code LlavaNextImageProcessor.get_image_patches}):
 * the best pinpoint resolution for the image, the aspect-preserving resize into it, the black
 * padding around it, and the grid of square tiles. Crop 0 is the whole image squashed to one
 * tile; crops {@code 1..} are the tiles, row-major.
 *
 * <pre>{@code
 * jshell> AnyresGeometry.plan(new ImageSize(480, 640), PreprocessorConfig.LLAVA_NEXT_PINPOINTS, 336)
 * $1 ==> AnyresGeometry[original=480x640 (h x w), best=672x672 (h x w), resized=504x672 (h x w), pasteTop=84, pasteLeft=0, tileSide=336]
 * }</pre>
 *
 * @param original the original image's size ({@code image_sizes} entry)
 * @param best the selected pinpoint resolution (the padded canvas)
 * @param resized the image's size inside the canvas
 * @param pasteTop rows of padding above the resized image
 * @param pasteLeft columns of padding left of it
 * @param canvas the padded image that is cut into tiles: {@code best}, or one pixel less on an
 *     axis with an odd leftover under {@link AnyresPadding#SYMMETRIC}
 * @param tileSide side of one tile ({@code crop_size}; the tower's {@code image_size})
 */
public record AnyresGeometry(
    ImageSize original, ImageSize best, ImageSize resized, int pasteTop, int pasteLeft, ImageSize canvas,
    int tileSide) implements CropGeometry {

  public AnyresGeometry {
    InvalidInputException.check(original != null && best != null && resized != null && canvas != null,
        "sizes must not be null");
    InvalidInputException.check(canvas.height() > best.height() - tileSide && canvas.width() > best.width() - tileSide
            && canvas.height() <= best.height() && canvas.width() <= best.width(),
        "canvas %s must cover the same tile grid as the pinpoint %s", canvas, best);
    InvalidInputException.check(tileSide > 0 && best.height() % tileSide == 0 && best.width() % tileSide == 0,
        "grid pinpoint %s must be a multiple of the tile side (%s). Fix image_grid_pinpoints or crop_size.",
        best, tileSide);
    InvalidInputException.check(pasteTop >= 0 && pasteLeft >= 0
            && pasteTop + resized.height() <= best.height() && pasteLeft + resized.width() <= best.width(),
        "resized image %s at (%s, %s) must lie inside the canvas %s", resized, pasteTop, pasteLeft, best);
  }

  /**
   * Plans the tiling of an image of size {@code original}: {@link #selectBestResolution}, then
   * HF's {@code _get_patch_output_size} and {@code _pad_for_patching} offsets under {@code padding}.
   */
  public static AnyresGeometry plan(ImageSize original, List<ImageSize> pinpoints, int tileSide, AnyresPadding padding) {
    ImageSize best = selectBestResolution(original, pinpoints);
    ImageSize resized = patchOutputSize(original, best);
    int pasteTop = (best.height() - resized.height()) / 2;
    int pasteLeft = (best.width() - resized.width()) / 2;
    ImageSize canvas = padding == AnyresPadding.EXACT
        ? best
        : new ImageSize(resized.height() + 2 * pasteTop, resized.width() + 2 * pasteLeft);
    return new AnyresGeometry(original, best, resized, pasteTop, pasteLeft, canvas, tileSide);
  }

  /** {@link #plan(ImageSize, List, int, AnyresPadding)} with {@link AnyresPadding#SYMMETRIC}. */
  public static AnyresGeometry plan(ImageSize original, List<ImageSize> pinpoints, int tileSide) {
    return plan(original, pinpoints, tileSide, AnyresPadding.SYMMETRIC);
  }

  /**
   * The rectangle of the canvas that tile {@code (tileRow, tileCol)} was cut from: {@code
   * tileSide} square except on the last row/column of a short canvas.
   */
  public PixelBox tileRect(int tileRow, int tileCol) {
    InvalidInputException.check(tileRow >= 0 && tileRow < gridRows() && tileCol >= 0 && tileCol < gridCols(),
        "tile (%s, %s) must lie in the %s x %s grid", tileRow, tileCol, gridRows(), gridCols());
    int top = tileRow * tileSide;
    int left = tileCol * tileSide;
    return new PixelBox(left, top, Math.min(tileSide, canvas.width() - left), Math.min(tileSide, canvas.height() - top));
  }

  /**
   * HF's {@code select_best_resolution}: the pinpoint that keeps the most of the image's
   * resolution when the image is fitted inside it, ties broken by the least wasted area, then by
   * order.
   *
   * @throws InvalidInputException if {@code pinpoints} is empty
   */
  public static ImageSize selectBestResolution(ImageSize original, List<ImageSize> pinpoints) {
    InvalidInputException.check(!pinpoints.isEmpty(), "image_grid_pinpoints must not be empty");
    int h = original.height();
    int w = original.width();
    ImageSize bestFit = null;
    long maxEffective = 0;
    double minWasted = Double.POSITIVE_INFINITY;
    for (ImageSize p : pinpoints) {
      double scale = Math.min((double) p.width() / w, (double) p.height() / h);
      long downW = (long) (w * scale);
      long downH = (long) (h * scale);
      long effective = Math.min(downW * downH, (long) w * h);
      long wasted = (long) p.width() * p.height() - effective;
      if (effective > maxEffective || (effective == maxEffective && wasted < minWasted)) {
        maxEffective = effective;
        minWasted = wasted;
        bestFit = p;
      }
    }
    InvalidInputException.check(bestFit != null, "no grid pinpoint in %s fits image %s", pinpoints, original);
    return bestFit;
  }

  /** HF's {@code _get_patch_output_size}: the aspect-preserving size of {@code original} inside {@code target}. */
  public static ImageSize patchOutputSize(ImageSize original, ImageSize target) {
    double scaleW = (double) target.width() / original.width();
    double scaleH = (double) target.height() / original.height();
    if (scaleW < scaleH) {
      return new ImageSize((int) Math.min(Math.ceil(original.height() * scaleW), target.height()), target.width());
    }
    return new ImageSize(target.height(), (int) Math.min(Math.ceil(original.width() * scaleH), target.width()));
  }

  /** Tile rows: {@code best.height / tileSide}. */
  public int gridRows() {
    return best.height() / tileSide;
  }

  /** Tile columns: {@code best.width / tileSide}. */
  public int gridCols() {
    return best.width() / tileSide;
  }

  /** {@code 1 + gridRows * gridCols}: the base image plus the tiles. */
  @Override
  public int cropCount() {
    return 1 + gridRows() * gridCols();
  }
}
