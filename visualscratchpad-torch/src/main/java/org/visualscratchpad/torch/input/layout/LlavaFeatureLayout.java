package org.visualscratchpad.torch.input.layout;

import java.util.ArrayList;
import java.util.List;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.torch.input.preprocess.CenterCropGeometry;
import org.visualscratchpad.torch.input.preprocess.ImageSize;
import org.visualscratchpad.torch.input.preprocess.PreprocessorConfig;
import org.visualscratchpad.vision.ImageTokenLocation;
import org.visualscratchpad.vision.PixelBox;

/**
 * LLaVA-1.5's image tokens: the single crop's patches row-major ({@code 576} for a 336 px crop and
 * 14 px patches), preceded by CLS under {@link FeatureSelect#FULL}. Patch {@code (row, col)}
 * covers crop pixels {@code [14 row, 14 row + 14) x [14 col, 14 col + 14)}, which map back through
 * the centre crop and the resize to the original image; the box is the smallest pixel rectangle
 * containing that footprint (so neighbouring boxes may share one pixel row or column), clipped to
 * the image (empty where a patch lies wholly in the crop's black padding). Parts of the image
 * outside the centre crop are covered by no token.
 *
 * <p>Immutable and thread-safe.
 *
 * <pre>{@code
 * jshell> var layout = LlavaFeatureLayout.of(CenterCropGeometry.of(PreprocessorConfig.clip(336), new ImageSize(480, 640)), 14, FeatureSelect.DEFAULT)
 * layout ==> LlavaFeatureLayout[image 480x640 (h x w), grid 24x24, 576 tokens]
 * jshell> layout.locations().get(0).box()
 * $2 ==> PixelBox[x=80, y=0, width=20, height=20]
 * }</pre>
 */
public final class LlavaFeatureLayout implements ImageFeatureLayout {
  private final CenterCropGeometry geometry;
  private final int patchSize;
  private final FeatureSelect select;
  private final int gridRows;
  private final int gridCols;
  private final List<PackedImageToken> tokens;
  private final List<ImageTokenLocation> locations;

  private LlavaFeatureLayout(CenterCropGeometry geometry, int patchSize, FeatureSelect select) {
    this.geometry = geometry;
    this.patchSize = patchSize;
    this.select = select;
    this.gridRows = geometry.crop().height() / patchSize;
    this.gridCols = geometry.crop().width() / patchSize;
    List<PackedImageToken> t = new ArrayList<>();
    List<ImageTokenLocation> l = new ArrayList<>();
    int offset = 0;
    if (select == FeatureSelect.FULL) {
      t.add(new PackedImageToken.ClassToken(0, 0, 0));
      offset = 1;
    }
    for (int row = 0; row < gridRows; row++) {
      for (int col = 0; col < gridCols; col++) {
        int patchIndex = row * gridCols + col;
        ImageTokenLocation loc = new ImageTokenLocation(patchIndex, 0, row, col, patchIndex, box(row, col));
        l.add(loc);
        t.add(new PackedImageToken.Patch(t.size(), patchIndex + offset, loc));
      }
    }
    this.tokens = List.copyOf(t);
    this.locations = List.copyOf(l);
  }

  /**
   * The layout for a crop cut as {@code geometry} describes, with {@code patchSize} px patches.
   *
   * @throws InvalidInputException if the crop is not a whole number of patches
   */
  public static LlavaFeatureLayout of(CenterCropGeometry geometry, int patchSize, FeatureSelect select) {
    InvalidInputException.check(geometry != null && select != null, "geometry and select must not be null");
    InvalidInputException.check(patchSize > 0 && geometry.crop().height() % patchSize == 0
            && geometry.crop().width() % patchSize == 0,
        "crop %s must be a whole number of patches (patch_size %s). Check crop_size against the vision config.",
        geometry.crop(), patchSize);
    return new LlavaFeatureLayout(geometry, patchSize, select);
  }

  /**
   * The layout from the model's side only: the original image's size, {@code
   * vision_config.image_size} and {@code patch_size}, assuming the standard CLIP processor (shortest
   * edge and centre crop equal to the tower's image size).
   */
  public static LlavaFeatureLayout forModel(ImageSize imageSize, int towerImageSize, int patchSize, FeatureSelect select) {
    return of(CenterCropGeometry.of(PreprocessorConfig.clip(towerImageSize), imageSize), patchSize, select);
  }

  private PixelBox box(int row, int col) {
    int y0 = toOriginal(row * patchSize, geometry.cropTop(), geometry.resized().height(), geometry.original().height()).floor();
    int y1 = toOriginal((row + 1) * patchSize, geometry.cropTop(), geometry.resized().height(), geometry.original().height()).ceil();
    int x0 = toOriginal(col * patchSize, geometry.cropLeft(), geometry.resized().width(), geometry.original().width()).floor();
    int x1 = toOriginal((col + 1) * patchSize, geometry.cropLeft(), geometry.resized().width(), geometry.original().width()).ceil();
    return new PixelBox(x0, y0, Math.max(0, x1 - x0), Math.max(0, y1 - y0));
  }

  private static AxisMap toOriginal(int cropEdge, int cropOffset, int resized, int original) {
    return new AxisMap(cropEdge).add(cropOffset).clip(0, resized).scale(original, resized).clip(0, original);
  }

  public CenterCropGeometry geometry() {
    return geometry;
  }

  /** Patch rows of the crop. */
  public int gridRows() {
    return gridRows;
  }

  /** Patch columns of the crop. */
  public int gridCols() {
    return gridCols;
  }

  @Override
  public int tokenCount() {
    return tokens.size();
  }

  @Override
  public int cropCount() {
    return 1;
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
    return "LlavaFeatureLayout[image " + geometry.original() + ", grid " + gridRows + "x" + gridCols
        + (select == FeatureSelect.FULL ? " + CLS" : "") + ", " + tokens.size() + " tokens]";
  }
}
