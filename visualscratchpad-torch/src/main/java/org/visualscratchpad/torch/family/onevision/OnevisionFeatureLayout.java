package org.visualscratchpad.torch.family.onevision;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.torch.input.layout.AxisMap;
import org.visualscratchpad.torch.input.layout.ImageFeatureLayout;
import org.visualscratchpad.torch.input.layout.LlavaNextFeatureLayout;
import org.visualscratchpad.torch.input.layout.PackedImageToken;
import org.visualscratchpad.torch.input.preprocess.AnyresGeometry;
import org.visualscratchpad.vision.ImageTokenLocation;
import org.visualscratchpad.vision.PixelBox;

/**
 * LLaVA-OneVision's image tokens, as {@code LlavaOnevisionForConditionalGeneration.pack_image_features} orders
 * them (transformers 4.45.1): the base view's {@code g x g} patches row-major (no CLS: SigLIP has none), then the
 * tile grid ({@code tileRows * g} x {@code tileCols * g} patches) after {@code unpad_image} dropped the padding
 * rows or columns ({@link LlavaNextFeatureLayout#keptGrid}, the same rule as LLaVA-NeXT); if the kept grid still
 * holds more than {@code maxTiles} tiles' worth ({@code sqrt(h w / (maxTiles g^2)) > 1.1}, {@code anyres_max_9})
 * it is downscaled bilinearly ({@code align_corners=False}) to {@code floor(h / ratio) x floor(w / ratio)}; then
 * row-major with one {@code image_newline} after every row. The token count equals {@code
 * LlavaOnevisionProcessor._get_number_of_features}.
 *
 * <p>Tokens: base and kept grid cells are {@link PackedImageToken.Patch}es; a cell of a downscaled grid is a
 * {@link PackedImageToken.Mixed} token of up to four grid patches with the bilinear weights (so the analysis
 * spreads attention to it over them). Each patch's SAE row is its patch index (no CLS row).
 *
 * <p>Boxes: a base patch maps through the squash to the whole image; a grid patch through its tile (squashed to
 * the tile side when the canvas is short), the tile's place on the canvas, the padding offset and the
 * aspect-preserving resize. A downscaled cell's box is its footprint on the grid, mapped the same way; its crop and
 * patch are those of its largest-weight source. Each box is the smallest pixel rectangle holding the footprint,
 * clipped to the image.
 *
 * <p>Immutable and thread-safe.
 */
public final class OnevisionFeatureLayout implements ImageFeatureLayout {
  private final AnyresGeometry geometry;
  private final int grid;
  private final int patchSize;
  private final int[] kept;      // rowStart, rowEnd, colStart, colEnd of the full grid
  private final int outRows;     // rows and columns after the downscale (= kept when none)
  private final int outCols;
  private final boolean downscaled;
  private final List<PackedImageToken> tokens;
  private final List<ImageTokenLocation> locations;

  private OnevisionFeatureLayout(AnyresGeometry geometry, int patchSize, int maxTiles) {
    this.geometry = geometry;
    this.patchSize = patchSize;
    this.grid = geometry.tileSide() / patchSize;
    int h = geometry.original().height();
    int w = geometry.original().width();
    kept = LlavaNextFeatureLayout.keptGrid(h, w, geometry.gridRows(), geometry.gridCols(), grid);
    int curH = kept[1] - kept[0];
    int curW = kept[3] - kept[2];
    double ratio = Math.sqrt((double) ((long) curH * curW) / (double) ((long) maxTiles * grid * grid));
    downscaled = ratio > 1.1;
    if (downscaled) {
      outRows = (int) pyFloorDiv(curH, ratio);
      outCols = (int) pyFloorDiv(curW, ratio);
      InvalidInputException.check(outRows > 0 && outCols > 0,
          "image %s would downscale its %s x %s patch grid to %s x %s; transformers cannot either", geometry.original(),
          curH, curW, outRows, outCols);
    } else {
      outRows = curH;
      outCols = curW;
    }
    int perCrop = grid * grid;
    List<PackedImageToken> t = new ArrayList<>();
    List<ImageTokenLocation> l = new ArrayList<>();
    for (int row = 0; row < grid; row++) {
      for (int col = 0; col < grid; col++) {
        int patchIndex = row * grid + col;
        PixelBox box = box(baseEdge(row, h, false), baseEdge(row + 1, h, true), baseEdge(col, w, false),
            baseEdge(col + 1, w, true));
        ImageTokenLocation loc = new ImageTokenLocation(l.size(), 0, row, col, patchIndex, box, patchIndex);
        l.add(loc);
        t.add(new PackedImageToken.Patch(t.size(), patchIndex, loc));
      }
    }
    for (int i = 0; i < outRows; i++) {
      if (!downscaled) {
        for (int j = 0; j < outCols; j++) {
          ImageTokenLocation loc = gridPatch(kept[0] + i, kept[2] + j, l.size());
          l.add(loc);
          t.add(new PackedImageToken.Patch(t.size(), loc.crop() * perCrop + loc.patchIndex(), loc));
        }
      } else {
        float[] ly = lambdas(i, curH, outRows);
        float[] lx = null;
        for (int j = 0; j < outCols; j++) {
          lx = lambdas(j, curW, outCols);
          // bilinear sources: rows (y0, y1) with weights (h0, h1), columns (x0, x1) with (w0, w1); equal
          // neighbours at the grid's edge merge, zero weights drop
          Map<List<Integer>, Float> sources = new LinkedHashMap<>();
          int[] ys = {(int) ly[0], (int) ly[1]};
          int[] xs = {(int) lx[0], (int) lx[1]};
          float[] hw = {ly[2], ly[3]};
          float[] ww = {lx[2], lx[3]};
          for (int a = 0; a < 2; a++) {
            for (int b = 0; b < 2; b++) {
              float weight = hw[a] * ww[b];
              if (weight != 0f) {
                sources.merge(List.of(ys[a], xs[b]), weight, Float::sum);
              }
            }
          }
          int[] rows = new int[sources.size()];
          float[] weights = new float[sources.size()];
          List<ImageTokenLocation> srcLocs = new ArrayList<>();
          int k = 0;
          int best = 0;
          for (Map.Entry<List<Integer>, Float> e : sources.entrySet()) {
            ImageTokenLocation src = gridPatch(kept[0] + e.getKey().get(0), kept[2] + e.getKey().get(1), 0);
            srcLocs.add(src);
            rows[k] = src.crop() * perCrop + src.patchIndex();
            weights[k] = e.getValue();
            if (weights[k] > weights[best]) {
              best = k;
            }
            k++;
          }
          ImageTokenLocation dominant = srcLocs.get(best);
          // the cell's footprint on the unpadded grid: [i curH / outRows, (i + 1) curH / outRows) rows, likewise columns
          PixelBox box = box(gridEdge((long) kept[0] * outRows + (long) i * curH, outRows, false, true),
              gridEdge((long) kept[0] * outRows + (long) (i + 1) * curH, outRows, true, true),
              gridEdge((long) kept[2] * outCols + (long) j * curW, outCols, false, false),
              gridEdge((long) kept[2] * outCols + (long) (j + 1) * curW, outCols, true, false));
          ImageTokenLocation loc = new ImageTokenLocation(l.size(), dominant.crop(), dominant.patchRow(),
              dominant.patchCol(), dominant.patchIndex(), box, dominant.saeRow());
          l.add(loc);
          t.add(new PackedImageToken.Mixed(t.size(), rows, weights, srcLocs, loc));
        }
      }
      t.add(new PackedImageToken.Newline(t.size(), i));
    }
    this.tokens = List.copyOf(t);
    this.locations = List.copyOf(l);
  }

  /**
   * The layout of an image tiled as {@code geometry}, seen by a tower with {@code patchSize} px patches, with
   * {@code anyres_max_N}'s {@code N = maxTiles}.
   *
   * <p>The tile holds {@code tileSide / patchSize} patches a side, rounded down as SigLIP's strided convolution
   * does (384 px and 14 px patches: 27, the last 6 px of each tile unused).
   *
   * @throws InvalidInputException if a patch is larger than the tile
   */
  public static OnevisionFeatureLayout of(AnyresGeometry geometry, int patchSize, int maxTiles) {
    InvalidInputException.check(geometry != null, "geometry must not be null");
    InvalidInputException.check(patchSize > 0 && patchSize <= geometry.tileSide(),
        "patch_size (%s) must be positive and at most the tile side (%s). Check size against the vision config.",
        patchSize, geometry.tileSide());
    InvalidInputException.check(maxTiles > 0, "anyres_max_N needs N > 0 (got %s)", maxTiles);
    return new OnevisionFeatureLayout(geometry, patchSize, maxTiles);
  }

  /**
   * PyTorch's source index and weights of output {@code i} of a bilinear resize ({@code align_corners=False})
   * from {@code in} to {@code out} samples, in float32 as its CPU kernel: {@code {index0, index1, lambda0,
   * lambda1}}.
   */
  static float[] lambdas(int i, int in, int out) {
    float scale = (float) in / out;
    float real = (float) ((double) scale * (i + 0.5) - 0.5);
    if (real < 0f) {
      real = 0f;
    }
    int i0 = (int) real;
    int i1 = i0 < in - 1 ? i0 + 1 : i0;
    float l1 = real - i0;
    float l0 = 1f - l1;
    return new float[] {i0, i1, l0, l1};
  }

  /** Python's float floor division {@code a // b} (CPython's {@code float_divmod}, exact at integer boundaries). */
  static double pyFloorDiv(double a, double b) {
    double mod = a % b;   // fmod
    double div = (a - mod) / b;
    if (mod != 0 && (b < 0) != (mod < 0)) {
      div -= 1.0;
    }
    double floordiv = Math.floor(div);
    if (div - floordiv > 0.5) {
      floordiv += 1.0;
    }
    return floordiv;
  }

  /** Grid patch {@code (gridRow, gridCol)} of the full grid: its tile (crop), patch and box. */
  private ImageTokenLocation gridPatch(int gridRow, int gridCol, int index) {
    int tileRow = gridRow / grid;
    int tileCol = gridCol / grid;
    int crop = 1 + tileRow * geometry.gridCols() + tileCol;
    int pr = gridRow % grid;
    int pc = gridCol % grid;
    int patchIndex = pr * grid + pc;
    PixelBox box = box(gridEdge(gridRow, 1, false, true), gridEdge(gridRow + 1, 1, true, true),
        gridEdge(gridCol, 1, false, false), gridEdge(gridCol + 1, 1, true, false));
    return new ImageTokenLocation(index, crop, pr, pc, patchIndex, box, patchIndex);
  }

  /**
   * The original image's pixel edge of the full grid's edge {@code num / den} (in patches) on one axis: through
   * its tile (an end edge on a tile boundary belongs to the tile before), the tile's squash, its canvas offset,
   * the padding and the resize; floored for a start edge, ceiled for an end edge.
   */
  private int gridEdge(long num, long den, boolean end, boolean vertical) {
    int tiles = vertical ? geometry.gridRows() : geometry.gridCols();
    long t = Math.floorDiv(num, den * grid);
    if (end && t > 0 && num == t * grid * den) {
      t--;
    }
    t = Math.min(t, tiles - 1);
    long within = num - t * grid * den;   // in patches / den, inside tile t
    PixelBox rect = vertical ? geometry.tileRect((int) t, 0) : geometry.tileRect(0, (int) t);
    int extent = vertical ? rect.height() : rect.width();
    int origin = vertical ? rect.y() : rect.x();
    int paste = vertical ? geometry.pasteTop() : geometry.pasteLeft();
    int resized = vertical ? geometry.resized().height() : geometry.resized().width();
    int original = vertical ? geometry.original().height() : geometry.original().width();
    AxisMap m = new AxisMap(within * patchSize).scale(1, den).scale(extent, geometry.tileSide()).add(origin)
        .add(-paste).clip(0, resized).scale(original, resized).clip(0, original);
    return end ? m.ceil() : m.floor();
  }

  /** A base-view patch edge {@code k} (in patches) on an axis of {@code original} pixels. */
  private int baseEdge(int k, int original, boolean end) {
    AxisMap m = new AxisMap((long) k * patchSize).scale(original, geometry.tileSide()).clip(0, original);
    return end ? m.ceil() : m.floor();
  }

  private static PixelBox box(int y0, int y1, int x0, int x1) {
    return new PixelBox(x0, y0, Math.max(0, x1 - x0), Math.max(0, y1 - y0));
  }

  public AnyresGeometry geometry() {
    return geometry;
  }

  /** Patches per crop side. */
  public int patchGrid() {
    return grid;
  }

  /** {@code [rowStart, rowEnd, colStart, colEnd)} of the full tile grid that unpadding keeps. */
  public int[] keptGrid() {
    return kept.clone();
  }

  /** Whether the kept grid was downscaled ({@code anyres_max_N}). */
  public boolean downscaled() {
    return downscaled;
  }

  /** Rows of grid tokens (after any downscale): one newline each. */
  public int gridRows() {
    return outRows;
  }

  /** Columns of grid tokens (after any downscale), newline not counted. */
  public int gridCols() {
    return outCols;
  }

  @Override
  public int tokenCount() {
    return tokens.size();
  }

  @Override
  public int cropCount() {
    return geometry.cropCount();
  }

  @Override
  public List<PackedImageToken> tokens() {
    return tokens;
  }

  @Override
  public List<ImageTokenLocation> locations() {
    return locations;
  }

  @Override
  public String toString() {
    return "OnevisionFeatureLayout[image " + geometry.original() + ", grid " + geometry.gridRows() + "x"
        + geometry.gridCols() + " tiles, kept rows [" + kept[0] + ", " + kept[1] + ") cols [" + kept[2] + ", " + kept[3]
        + ")" + (downscaled ? ", downscaled to " + outRows + "x" + outCols : "") + ", " + tokens.size() + " tokens]";
  }
}
