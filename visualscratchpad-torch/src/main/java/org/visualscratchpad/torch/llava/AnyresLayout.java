package org.visualscratchpad.torch.llava;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import org.visualscratchpad.InvalidInputException;

/**
 * Where each packed image feature of one LLaVA-NeXT image comes from ({@code
 * pack_image_features}): the base crop's patches in row-major order, then the unpadded grid of the
 * tiles row by row, each row followed by {@code image_newline}. Pure index math on the image's
 * original size, the pinpoints and the crop geometry, equal to current transformers (its {@code
 * int(round(x, 7))} rounding; tested on every size of {@code
 * ../shared/fixtures/llava-next-token-counts}). The one implementation of the LLaVA-NeXT layout's
 * index math: {@code LlavaNextFeatureLayout} delegates to {@link #ofGrid}.
 *
 * <pre>{@code
 * jshell> var l = AnyresLayout.of(480, 640, pinpoints, 336, 14)
 * l ==> AnyresLayout[480x640 -> 2x2 tiles, kept rows [6, 42) cols [0, 48), 2340 tokens]
 * }</pre>
 *
 * @param height original image height
 * @param width original image width
 * @param tileRows tiles per column of the grid ({@code best_height / crop})
 * @param tileCols tiles per row of the grid
 * @param grid patches per crop side
 * @param rowStart first kept row of the full patch grid
 * @param rowEnd one past the last kept row
 * @param colStart first kept column
 * @param colEnd one past the last kept column
 */
public record AnyresLayout(
    int height, int width, int tileRows, int tileCols, int grid, int rowStart, int rowEnd, int colStart, int colEnd) {

  /** Marks a newline token in {@link #sourceOf}. */
  public static final int NEWLINE = -1;

  /**
   * The layout of an image of {@code height x width} pixels.
   *
   * @param pinpoints [height, width] candidates ({@code image_grid_pinpoints})
   * @param cropSize the vision tower's image size
   * @param patchSize the vision tower's patch size
   */
  public static AnyresLayout of(int height, int width, List<int[]> pinpoints, int cropSize, int patchSize) {
    InvalidInputException.check(height > 0 && width > 0, "image size (%s x %s) must be positive", height, width);
    InvalidInputException.check(cropSize > 0 && patchSize > 0, "crop size (%s) and patch size (%s) must be positive",
        cropSize, patchSize);
    int[] best = bestResolution(height, width, pinpoints);
    return ofGrid(height, width, best[0] / cropSize, best[1] / cropSize, cropSize / patchSize);
  }

  /**
   * The layout of an image of {@code height x width} pixels whose tiles form a {@code tileRows x
   * tileCols} grid of {@code grid x grid} patches each: transformers' {@code unpad_image} (and
   * {@code LlavaNextProcessor._get_unpadded_features}), rounding with {@code int(round(x, 7))} in
   * the same float operation order. This is the one implementation of the LLaVA-NeXT token count:
   * the input pipeline's {@code LlavaNextFeatureLayout} takes its kept rows and columns from here.
   * A very wide image can keep no grid row: then the image is fed the base view's {@code grid^2}
   * tokens only, as transformers does; a very tall one can keep rows but no column: then each kept
   * row is just its newline.
   */
  public static AnyresLayout ofGrid(int height, int width, int tileRows, int tileCols, int grid) {
    InvalidInputException.check(height > 0 && width > 0, "image size (%s x %s) must be positive", height, width);
    InvalidInputException.check(tileRows > 0 && tileCols > 0 && grid > 0,
        "tile grid (%s x %s tiles of %s patches a side) must be positive", tileRows, tileCols, grid);
    int gh = tileRows * grid;
    int gw = tileCols * grid;
    double originalAspect = (double) width / height;
    double currentAspect = (double) gw / gh;
    int rs = 0;
    int re = gh;
    int cs = 0;
    int ce = gw;
    if (originalAspect > currentAspect) {
      double scale = (double) gw / width;
      int newHeight = (int) roundTo7Digits(height * scale);
      int pad = Math.floorDiv(gh - newHeight, 2);
      rs = Math.min(Math.max(0, pad), gh);
      re = Math.max(rs, gh - Math.max(0, pad));
    } else {
      double scale = (double) gh / height;
      int newWidth = (int) roundTo7Digits(width * scale);
      int pad = Math.floorDiv(gw - newWidth, 2);
      cs = Math.min(Math.max(0, pad), gw);
      ce = Math.max(cs, gw - Math.max(0, pad));
    }
    return new AnyresLayout(height, width, tileRows, tileCols, grid, rs, re, cs, ce);
  }

  /** Python's {@code round(x, 7)}: the exact binary value rounded half-even to 7 decimals. */
  public static double roundTo7Digits(double x) {
    return new BigDecimal(x).setScale(7, RoundingMode.HALF_EVEN).doubleValue();
  }

  /** {@code select_best_resolution}: [height, width] of the best pinpoint. */
  static int[] bestResolution(int height, int width, List<int[]> pinpoints) {
    InvalidInputException.check(!pinpoints.isEmpty(), "image_grid_pinpoints must not be empty");
    int[] best = null;
    long maxEffective = -1;
    long minWasted = Long.MAX_VALUE;
    for (int[] p : pinpoints) {
      double scale = Math.min((double) p[1] / width, (double) p[0] / height);
      long dw = (long) (width * scale);
      long dh = (long) (height * scale);
      long effective = Math.min(dw * dh, (long) width * height);
      long wasted = (long) p[0] * p[1] - effective;
      if (effective > maxEffective || (effective == maxEffective && wasted < minWasted)) {
        maxEffective = effective;
        minWasted = wasted;
        best = p;
      }
    }
    return best;
  }

  /** Crops of this image: the base image plus the tiles. */
  public int numCrops() {
    return 1 + tileRows * tileCols;
  }

  /** Kept grid rows. */
  public int keptRows() {
    return rowEnd - rowStart;
  }

  /** Kept grid columns (without the newline column). */
  public int keptCols() {
    return colEnd - colStart;
  }

  /** Number of packed features: base patches, kept grid cells, one newline per kept row. */
  public int tokenCount() {
    return grid * grid + keptRows() * (keptCols() + 1);
  }

  /**
   * The source of packed feature {@code k}: {@code crop * grid * grid + patchIndex} into the
   * image's projected crops, or {@link #NEWLINE}.
   */
  public int sourceOf(int k) {
    int base = grid * grid;
    if (k < base) {
      return k;
    }
    int m = k - base;
    int r = m / (keptCols() + 1);
    int c = m % (keptCols() + 1);
    if (c == keptCols()) {
      return NEWLINE;
    }
    int row = r + rowStart;
    int col = c + colStart;
    int crop = 1 + (row / grid) * tileCols + col / grid;
    return crop * grid * grid + (row % grid) * grid + col % grid;
  }

  @Override
  public String toString() {
    return "AnyresLayout[" + height + "x" + width + " -> " + tileRows + "x" + tileCols + " tiles, kept rows ["
        + rowStart + ", " + rowEnd + ") cols [" + colStart + ", " + colEnd + "), " + tokenCount() + " tokens]";
  }
}
