package org.visualscratchpad.torch.family.qwen2vl;

import java.util.ArrayList;
import java.util.List;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.torch.input.layout.ImageFeatureLayout;
import org.visualscratchpad.torch.input.layout.PackedImageToken;
import org.visualscratchpad.torch.input.preprocess.ImageSize;
import org.visualscratchpad.vision.ImageTokenLocation;
import org.visualscratchpad.vision.PixelBox;

/**
 * Qwen2-VL's image tokens, as pure index math: the image's {@code t * h * w} patches (the rows of its vision
 * stream and of its SAE activations, in merge-window order: no CLS) and its {@code t * h/2 * w/2} merged
 * language-model tokens, each made by the {@code PatchMerger} from {@code merge^2} consecutive patch rows.
 * The one layout the input pipeline (how many {@code <|image_pad|>} tokens an image takes) and the model
 * (which patch rows each token merges) share.
 *
 * <p>Patch row {@code p} lies in merge window {@code p / 4} (row-major over the {@code h/2 x w/2} windows)
 * at position {@code ((p % 4) / 2, p % 2)} within it; its raster index in the {@code h x w} grid is {@link
 * #rasterIndex}: wherever patches are drawn, the merge-window row is mapped back to its raster place through
 * its {@link ImageTokenLocation} ({@code patchRow}, {@code patchCol}, {@code patchIndex} raster; {@code saeRow}
 * the merge-window row). Its box is the resized image's {@code 14 x 14} pixels mapped back to the original
 * image (the smallest pixel rectangle containing them: neighbouring boxes may share a pixel row or column);
 * the processor only resizes, so every pixel is covered.
 *
 * <p>As an {@link ImageFeatureLayout}: token {@code k} is a {@link PackedImageToken.Mixed} of patch rows
 * {@code 4k .. 4k + 3} with weights {@code 1/4} each (its features are the merger's MLP of the four rows,
 * computed by the model; the weights say how attention to the token is spread over its patches for ranking,
 * heatmaps and overlays), located at its {@code 2 x 2} window; {@link #attribution()} gives the patches as
 * columns in merge-window order, each with its SAE row.
 *
 * <p>Immutable and thread-safe.
 *
 * <pre>{@code
 * jshell> var layout = Qwen2VLFeatureLayout.of(new ImageSize(60, 90), new ImageSize(56, 84), 14, 2)
 * layout ==> Qwen2VLFeatureLayout[60x90 (h x w) as 56x84 (h x w), grid 4 x 6, 24 patches, 6 merged tokens]
 * jshell> layout.patchLocations().get(1)    // the second patch of the first window: raster (0, 1)
 * jshell> layout.attribution().locations().size()   // attention to 6 tokens spread over 24 patches
 * $3 ==> 24
 * }</pre>
 */
public final class Qwen2VLFeatureLayout implements ImageFeatureLayout {
  private final ImageSize original;
  private final ImageSize resized;
  private final int patchSize;
  private final int merge;
  private final int gridRows;
  private final int gridCols;
  private final List<ImageTokenLocation> patches;
  private final List<ImageTokenLocation> tokenLocations;
  private final List<PackedImageToken> tokens;

  private Qwen2VLFeatureLayout(ImageSize original, ImageSize resized, int patchSize, int merge) {
    this.original = original;
    this.resized = resized;
    this.patchSize = patchSize;
    this.merge = merge;
    this.gridRows = resized.height() / patchSize;
    this.gridCols = resized.width() / patchSize;
    List<ImageTokenLocation> out = new ArrayList<>(gridRows * gridCols);
    for (int p = 0; p < gridRows * gridCols; p++) {
      int row = patchRow(p);
      int col = patchCol(p);
      out.add(new ImageTokenLocation(p, 0, row, col, row * gridCols + col, box(row, col, 1), p));
    }
    this.patches = List.copyOf(out);
    int unit = merge * merge;
    float[] quarter = new float[unit];
    java.util.Arrays.fill(quarter, 1f / unit);
    List<ImageTokenLocation> locs = new ArrayList<>();
    List<PackedImageToken> toks = new ArrayList<>();
    for (int k = 0; k < mergedTokens(); k++) {
      int first = k * unit;
      int row = patchRow(first);
      int col = patchCol(first);
      ImageTokenLocation loc = new ImageTokenLocation(k, 0, row, col, row * gridCols + col, tokenBox(k), first);
      int[] rows = new int[unit];
      for (int i = 0; i < unit; i++) {
        rows[i] = first + i;
      }
      locs.add(loc);
      toks.add(new PackedImageToken.Mixed(k, rows, quarter, patches.subList(first, first + unit), loc));
    }
    this.tokenLocations = List.copyOf(locs);
    this.tokens = List.copyOf(toks);
  }

  /**
   * The layout of an image of {@code original} size resized to {@code resized} ({@link
   * Qwen2VLImageProcessor#plan}).
   *
   * @throws InvalidInputException if the resized size is not a whole number of merge windows
   */
  public static Qwen2VLFeatureLayout of(ImageSize original, ImageSize resized, int patchSize, int merge) {
    InvalidInputException.check(original != null && resized != null, "sizes must not be null");
    int factor = patchSize * merge;
    InvalidInputException.check(patchSize > 0 && merge > 0 && resized.height() % factor == 0
            && resized.width() % factor == 0,
        "resized image %s must be a whole number of %s px merge windows (patch_size %s x merge_size %s)", resized,
        factor, patchSize, merge);
    return new Qwen2VLFeatureLayout(original, resized, patchSize, merge);
  }

  /** The layout of a preprocessed image. */
  public static Qwen2VLFeatureLayout of(Qwen2VLImage image, int patchSize, int merge) {
    return of(image.original(), image.resized(), patchSize, merge);
  }

  /** The layout of an image the processor shaped as {@code geometry}. */
  public static Qwen2VLFeatureLayout of(Qwen2VLGeometry geometry, int patchSize, int merge) {
    InvalidInputException.check(geometry != null, "geometry must not be null");
    return of(geometry.original(), geometry.resized(), patchSize, merge);
  }

  /** The merged tokens: as many {@code <|image_pad|>} tokens as the prompt holds for this image. */
  @Override
  public int tokenCount() {
    return tokens.size();
  }

  /** One: the vision tower sees the whole image. */
  @Override
  public int cropCount() {
    return 1;
  }

  @Override
  public List<PackedImageToken> tokens() {
    return tokens;
  }

  /**
   * One location per merged token, in sequence order: its window's top-left patch ({@code patchRow}, {@code
   * patchCol}, raster {@code patchIndex}), its first patch row as {@code saeRow} and its window's box.
   */
  @Override
  public List<ImageTokenLocation> locations() {
    return tokenLocations;
  }

  public ImageSize original() {
    return original;
  }

  public ImageSize resized() {
    return resized;
  }

  /** Patch rows of the grid ({@code image_grid_thw}'s h). */
  public int gridRows() {
    return gridRows;
  }

  /** Patch columns of the grid ({@code image_grid_thw}'s w). */
  public int gridCols() {
    return gridCols;
  }

  /** Patches: rows of the vision stream and of the SAE activations. */
  public int patchCount() {
    return gridRows * gridCols;
  }

  /** Language-model tokens: {@code patchCount / merge^2}. */
  public int mergedTokens() {
    return patchCount() / (merge * merge);
  }

  /** Patches per merged token: {@code merge^2}. */
  public int patchesPerToken() {
    return merge * merge;
  }

  /** The raster row of patch row {@code p} (merge-window order). */
  public int patchRow(int p) {
    int window = p / (merge * merge);
    int within = p % (merge * merge);
    return (window / (gridCols / merge)) * merge + within / merge;
  }

  /** The raster column of patch row {@code p} (merge-window order). */
  public int patchCol(int p) {
    int window = p / (merge * merge);
    int within = p % (merge * merge);
    return (window % (gridCols / merge)) * merge + within % merge;
  }

  /** {@code patchRow(p) * gridCols + patchCol(p)}: where patch row {@code p} is drawn in raster order. */
  public int rasterIndex(int p) {
    return patchRow(p) * gridCols + patchCol(p);
  }

  /** The patch row (merge-window order) drawn at raster index {@code rasterIndex}. */
  public int patchAtRaster(int rasterIndex) {
    int row = rasterIndex / gridCols;
    int col = rasterIndex % gridCols;
    int window = (row / merge) * (gridCols / merge) + col / merge;
    return window * merge * merge + (row % merge) * merge + col % merge;
  }

  /**
   * One location per patch, in patch-row (merge-window) order: {@code imageTokenIndex} = the patch row,
   * {@code patchRow} / {@code patchCol} its raster position, {@code patchIndex} its raster index, and its box
   * in the original image.
   */
  public List<ImageTokenLocation> patchLocations() {
    return patches;
  }

  /** The box of merged token {@code token}: its {@code merge x merge} window in the original image. */
  public PixelBox tokenBox(int token) {
    InvalidInputException.check(token >= 0 && token < mergedTokens(), "merged token (%s) must lie in [0, %s)", token,
        mergedTokens());
    int windowsPerRow = gridCols / merge;
    return box((token / windowsPerRow) * merge, (token % windowsPerRow) * merge, merge);
  }

  /** The original-image box of the {@code span x span} patches from raster {@code (row, col)}. */
  private PixelBox box(int row, int col, int span) {
    int y0 = (int) Math.floorDiv((long) row * patchSize * original.height(), resized.height());
    int y1 = (int) -Math.floorDiv(-(long) (row + span) * patchSize * original.height(), resized.height());
    int x0 = (int) Math.floorDiv((long) col * patchSize * original.width(), resized.width());
    int x1 = (int) -Math.floorDiv(-(long) (col + span) * patchSize * original.width(), resized.width());
    return new PixelBox(x0, y0, Math.min(x1, original.width()) - x0, Math.min(y1, original.height()) - y0);
  }

  @Override
  public String toString() {
    return "Qwen2VLFeatureLayout[" + original + " as " + resized + ", grid " + gridRows + " x " + gridCols + ", "
        + patchCount() + " patches, " + mergedTokens() + " merged tokens]";
  }
}
