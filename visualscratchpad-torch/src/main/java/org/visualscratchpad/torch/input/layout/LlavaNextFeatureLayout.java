package org.visualscratchpad.torch.input.layout;

import java.util.ArrayList;
import java.util.List;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.torch.input.preprocess.AnyresGeometry;
import org.visualscratchpad.torch.input.preprocess.CenterCropGeometry;
import org.visualscratchpad.torch.input.preprocess.ImageSize;
import org.visualscratchpad.torch.input.preprocess.PreprocessorConfig;
import org.visualscratchpad.torch.input.preprocess.ResizeTarget;
import org.visualscratchpad.vision.ImageTokenLocation;
import org.visualscratchpad.vision.PixelBox;

/**
 * LLaVA-NeXT's image tokens, as HF's {@code LlavaNextModel.pack_image_features} orders them: the
 * base crop's {@code g x g} patches row-major, then the tile grid (tiles of {@code g x g} patches
 * laid out as a {@code (tileRows * g) x (tileCols * g)} grid) after {@code unpad_image} removed the
 * rows or columns that are padding, row-major, with one {@code image_newline} after every row.
 * Token count: {@code g^2 + keptRows * (keptCols + 1)}, with the kept rows and columns of {@link
 * #keptGrid} (transformers' {@code unpad_image}). This is the one LLaVA-NeXT layout: the input pipeline
 * expands {@code <image>} by it and the model packs its features by it ({@code featureSourceRows}). An image
 * so wide that no grid row is kept gets the base view's {@code g^2} tokens only, as transformers feeds it.
 *
 * <p>Boxes: a base patch maps through the squash to the whole image; a tile patch maps through the
 * tile's CLIP step, the tile's place on the padded canvas, the padding offset and the
 * aspect-preserving resize. Each box is the smallest pixel rectangle holding the patch's footprint,
 * clipped to the image; a kept grid cell that lies wholly in the padding gets an empty box.
 *
 * <p>Immutable and thread-safe.
 *
 * <pre>{@code
 * jshell> var g = AnyresGeometry.plan(new ImageSize(480, 640), PreprocessorConfig.LLAVA_NEXT_PINPOINTS, 336)
 * jshell> LlavaNextFeatureLayout.of(g, PreprocessorConfig.llavaNext(336, PreprocessorConfig.LLAVA_NEXT_PINPOINTS), 14, FeatureSelect.DEFAULT)
 * $2 ==> LlavaNextFeatureLayout[image 480x640 (h x w), grid 2x2 tiles, kept rows [6, 42) cols [0, 48), 2340 tokens]
 * }</pre>
 */
public final class LlavaNextFeatureLayout implements ImageFeatureLayout {
  private final AnyresGeometry geometry;
  private final int grid;
  private final int rowStart;
  private final int rowEnd;
  private final int colStart;
  private final int colEnd;
  private final List<PackedImageToken> tokens;
  private final List<ImageTokenLocation> locations;

  private LlavaNextFeatureLayout(AnyresGeometry geometry, PreprocessorConfig config, int patchSize) {
    this.geometry = geometry;
    this.grid = geometry.tileSide() / patchSize;
    int gh = geometry.gridRows() * grid;
    int gw = geometry.gridCols() * grid;
    int h = geometry.original().height();
    int w = geometry.original().width();
    int[] kept = keptGrid(h, w, geometry.gridRows(), geometry.gridCols(), grid);
    rowStart = kept[0];
    rowEnd = kept[1];
    colStart = kept[2];
    colEnd = kept[3];

    int perCrop = grid * grid;
    List<PackedImageToken> t = new ArrayList<>();
    List<ImageTokenLocation> l = new ArrayList<>();
    ImageSize baseSize = baseSize(config);
    CenterCropGeometry baseStep = CenterCropGeometry.of(config, baseSize);
    for (int row = 0; row < grid; row++) {
      for (int col = 0; col < grid; col++) {
        int patchIndex = row * grid + col;
        PixelBox box = box(
            baseAxis(row * patchSize, baseStep.cropTop(), baseStep.resized().height(), baseSize.height(), h).floor(),
            baseAxis((row + 1) * patchSize, baseStep.cropTop(), baseStep.resized().height(), baseSize.height(), h).ceil(),
            baseAxis(col * patchSize, baseStep.cropLeft(), baseStep.resized().width(), baseSize.width(), w).floor(),
            baseAxis((col + 1) * patchSize, baseStep.cropLeft(), baseStep.resized().width(), baseSize.width(), w).ceil());
        ImageTokenLocation loc = new ImageTokenLocation(l.size(), 0, row, col, patchIndex, box);
        l.add(loc);
        t.add(new PackedImageToken.Patch(t.size(), patchIndex, loc));
      }
    }
    CenterCropGeometry[] steps = new CenterCropGeometry[geometry.cropCount()];
    for (int gridRow = rowStart; gridRow < rowEnd; gridRow++) {
      for (int gridCol = colStart; gridCol < colEnd; gridCol++) {
        int tileRow = gridRow / grid;
        int tileCol = gridCol / grid;
        int crop = 1 + tileRow * geometry.gridCols() + tileCol;
        int patchRow = gridRow % grid;
        int patchCol = gridCol % grid;
        int patchIndex = patchRow * grid + patchCol;
        PixelBox rect = geometry.tileRect(tileRow, tileCol);
        if (steps[crop] == null) {
          steps[crop] = CenterCropGeometry.of(config, new ImageSize(rect.height(), rect.width()));
        }
        CenterCropGeometry step = steps[crop];
        PixelBox box = box(
            tileAxis(patchRow * patchSize, step.cropTop(), step.resized().height(), rect.height(), rect.y(),
                geometry.pasteTop(), geometry.resized().height(), h).floor(),
            tileAxis((patchRow + 1) * patchSize, step.cropTop(), step.resized().height(), rect.height(), rect.y(),
                geometry.pasteTop(), geometry.resized().height(), h).ceil(),
            tileAxis(patchCol * patchSize, step.cropLeft(), step.resized().width(), rect.width(), rect.x(),
                geometry.pasteLeft(), geometry.resized().width(), w).floor(),
            tileAxis((patchCol + 1) * patchSize, step.cropLeft(), step.resized().width(), rect.width(), rect.x(),
                geometry.pasteLeft(), geometry.resized().width(), w).ceil());
        ImageTokenLocation loc = new ImageTokenLocation(l.size(), crop, patchRow, patchCol, patchIndex, box);
        l.add(loc);
        t.add(new PackedImageToken.Patch(t.size(), crop * perCrop + patchIndex, loc));
      }
      t.add(new PackedImageToken.Newline(t.size(), gridRow - rowStart));
    }
    this.tokens = List.copyOf(t);
    this.locations = List.copyOf(l);
  }

  /**
   * The layout of an image tiled as {@code geometry}, preprocessed with {@code config}, seen by a
   * tower with {@code patchSize} px patches.
   *
   * @throws InvalidInputException if the tile is not a whole number of patches, or {@code select}
   *     is {@link FeatureSelect#FULL} (HF's {@code pack_image_features} cannot pack CLS rows)
   */
  public static LlavaNextFeatureLayout of(AnyresGeometry geometry, PreprocessorConfig config, int patchSize,
      FeatureSelect select) {
    InvalidInputException.check(geometry != null && config != null, "geometry and config must not be null");
    InvalidInputException.check(select == FeatureSelect.DEFAULT,
        "vision_feature_select_strategy (%s) must be \"default\" for LLaVA-NeXT: HF's pack_image_features cannot"
            + " lay out CLS rows in the tile grid", select);
    InvalidInputException.check(patchSize > 0 && geometry.tileSide() % patchSize == 0,
        "tile side (%s) must be a whole number of patches (patch_size %s). Check crop_size against the vision config.",
        geometry.tileSide(), patchSize);
    return new LlavaNextFeatureLayout(geometry, config, patchSize);
  }

  /**
   * The layout from the model's side only, as {@code LlavaNextModel.pack_image_features} sees it:
   * {@code image_sizes} entry, {@code config.image_grid_pinpoints}, {@code vision_config.image_size}
   * and {@code patch_size}. Boxes assume the standard processor (shortest edge and crop equal to
   * the tower's image size, transformers 4.45 padding).
   */
  public static LlavaNextFeatureLayout forModel(ImageSize imageSize, List<ImageSize> gridPinpoints, int towerImageSize,
      int patchSize, FeatureSelect select) {
    PreprocessorConfig standard = PreprocessorConfig.llavaNext(towerImageSize, gridPinpoints);
    return of(AnyresGeometry.plan(imageSize, gridPinpoints, towerImageSize), standard, patchSize, select);
  }

  private static ImageSize baseSize(PreprocessorConfig config) {
    if (config.size() instanceof ResizeTarget.ShortestEdge se) {
      return new ImageSize(se.length(), se.length());
    }
    ImageSize s = ((ResizeTarget.Exact) config.size()).size();
    int side = Math.min(s.height(), s.width());
    return new ImageSize(side, side);
  }

  /**
   * The rows and columns {@code [rowStart, rowEnd, colStart, colEnd)} of the full {@code (tileRows * grid) x
   * (tileCols * grid)} feature grid of an image of {@code height x width} pixels that transformers' {@code
   * unpad_image} keeps (and {@code LlavaNextProcessor._get_unpadded_features} counts), rounding with {@code
   * int(round(x, 7))} in the same float operation order (tested on every size of {@code
   * ../shared/fixtures/llava-next-token-counts}). A very wide image can keep no row; a very tall one rows but no
   * column. LLaVA-OneVision unpads the same way.
   */
  public static int[] keptGrid(int height, int width, int tileRows, int tileCols, int grid) {
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
    return new int[] {rs, re, cs, ce};
  }

  /** Python's {@code round(x, 7)}: the exact binary value rounded half-even to 7 decimals. */
  public static double roundTo7Digits(double x) {
    return new java.math.BigDecimal(x).setScale(7, java.math.RoundingMode.HALF_EVEN).doubleValue();
  }

  private static AxisMap baseAxis(int cropEdge, int cropOffset, int stepResized, int baseSide, int original) {
    return new AxisMap(cropEdge).add(cropOffset).clip(0, stepResized).scale(baseSide, stepResized)
        .scale(original, baseSide).clip(0, original);
  }

  private static AxisMap tileAxis(int cropEdge, int cropOffset, int stepResized, int tileExtent, int tileOrigin,
      int paste, int resized, int original) {
    return new AxisMap(cropEdge).add(cropOffset).clip(0, stepResized).scale(tileExtent, stepResized)
        .add(tileOrigin).add(-paste).clip(0, resized).scale(original, resized).clip(0, original);
  }

  private static PixelBox box(int y0, int y1, int x0, int x1) {
    return new PixelBox(x0, y0, Math.max(0, x1 - x0), Math.max(0, y1 - y0));
  }

  public AnyresGeometry geometry() {
    return geometry;
  }

  /** Patches per crop side ({@code tileSide / patchSize}, 24 for the released checkpoints). */
  public int patchGrid() {
    return grid;
  }

  /** First kept row of the full tile grid. */
  public int keptRowStart() {
    return rowStart;
  }

  /** End (exclusive) of the kept rows. */
  public int keptRowEnd() {
    return rowEnd;
  }

  /** First kept column of the full tile grid. */
  public int keptColStart() {
    return colStart;
  }

  /** End (exclusive) of the kept columns. */
  public int keptColEnd() {
    return colEnd;
  }

  /** Number of {@code image_newline} tokens: one per kept grid row. */
  public int newlineCount() {
    return rowEnd - rowStart;
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
    return "LlavaNextFeatureLayout[image " + geometry.original() + ", grid " + geometry.gridRows() + "x"
        + geometry.gridCols() + " tiles, kept rows [" + rowStart + ", " + rowEnd + ") cols [" + colStart + ", "
        + colEnd + "), " + tokens.size() + " tokens]";
  }
}
