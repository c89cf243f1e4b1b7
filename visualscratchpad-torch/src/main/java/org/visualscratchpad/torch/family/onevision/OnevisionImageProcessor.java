package org.visualscratchpad.torch.family.onevision;

import java.util.ArrayList;
import java.util.List;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.torch.input.image.PillowResize;
import org.visualscratchpad.torch.input.image.RgbImage;
import org.visualscratchpad.torch.input.preprocess.AnyresGeometry;
import org.visualscratchpad.torch.input.preprocess.AnyresPadding;
import org.visualscratchpad.torch.input.preprocess.ClipImageProcessor;
import org.visualscratchpad.torch.input.preprocess.ImageInputs;
import org.visualscratchpad.torch.input.preprocess.ImagePreprocessor;
import org.visualscratchpad.torch.input.preprocess.ImageSize;
import org.visualscratchpad.torch.input.preprocess.PixelValues;
import org.visualscratchpad.torch.input.preprocess.PreprocessorConfig;
import org.visualscratchpad.torch.input.preprocess.ResizeTarget;
import org.visualscratchpad.vision.PixelBox;

/**
 * Hugging Face's {@code LlavaOnevisionImageProcessor} (transformers 4.45.1, one image per prompt): pick the best
 * grid pinpoint, resize the image into it keeping the aspect ratio (Pillow bicubic), pad it centred with black
 * ({@link AnyresPadding#SYMMETRIC} as that release; the canvas is a pixel short on an axis with an odd leftover),
 * cut square tiles of {@code size} row-major, and put the whole image resized to one tile first; every crop is
 * then resized to {@code size} if it is not already (the base view; a short edge tile), rescaled and normalised
 * ({@code image_mean} and {@code image_std} 0.5 on the Hub). No centre crop, unlike LLaVA-NeXT.
 *
 * <p>HF's batch padding (all-zero crops so that every image of a batch has as many) is not applied. Immutable and
 * thread-safe.
 *
 * <pre>{@code
 * jshell> var proc = OnevisionImageProcessor.of(PreprocessorConfig.read(Path.of("llava-onevision-qwen2-7b-ov-hf")))
 * jshell> proc.preprocess(RgbImage.filled(480, 640, 9, 9, 9)).cropCount()
 * }</pre>
 */
public final class OnevisionImageProcessor implements ImagePreprocessor {
  private final PreprocessorConfig config;
  private final int tile;
  private final ClipImageProcessor normalizer;
  private final AnyresPadding padding;

  private OnevisionImageProcessor(PreprocessorConfig config, int tile, AnyresPadding padding) {
    this.config = config;
    this.tile = tile;
    this.padding = padding;
    this.normalizer = ClipImageProcessor.of(config);
  }

  /**
   * The processor of {@code config}: its {@code size} (square) is the tile side, its pinpoints the grids.
   *
   * @throws InvalidInputException if {@code config} has no pinpoints or a non-square size
   */
  public static OnevisionImageProcessor of(PreprocessorConfig config) {
    InvalidInputException.check(config != null && config.isAnyres(),
        "preprocessor config (%s) must have image_grid_pinpoints for LLaVA-OneVision", config);
    int tile;
    if (config.size() instanceof ResizeTarget.ShortestEdge se) {
      tile = se.length();
    } else {
      ImageSize s = ((ResizeTarget.Exact) config.size()).size();
      InvalidInputException.check(s.height() == s.width(),
          "field size (%s) must be square for LLaVA-OneVision's tiles", s);
      tile = s.height();
    }
    return new OnevisionImageProcessor(config, tile, AnyresPadding.SYMMETRIC);
  }

  /** This processor with another padding rule (default {@link AnyresPadding#SYMMETRIC}, transformers 4.45). */
  public OnevisionImageProcessor withPadding(AnyresPadding rule) {
    InvalidInputException.check(rule != null, "padding rule must not be null");
    return new OnevisionImageProcessor(config, tile, rule);
  }

  /** Side of a tile (and of the base view) in pixels: {@code size}. */
  public int tileSide() {
    return tile;
  }

  @Override
  public PreprocessorConfig config() {
    return config;
  }

  @Override
  public AnyresGeometry plan(ImageSize original) {
    return AnyresGeometry.plan(original, config.imageGridPinpoints(), tile, padding);
  }

  /** The base view and the tiles of {@code image}, preprocessed. */
  @Override
  public ImageInputs preprocess(RgbImage image) {
    ImageSize original = new ImageSize(image.height(), image.width());
    AnyresGeometry geometry = plan(original);
    RgbImage resized = PillowResize.resize(image, geometry.resized().height(), geometry.resized().width(),
        config.resample());
    RgbImage canvas = resized.region(-geometry.pasteTop(), -geometry.pasteLeft(), geometry.canvas().height(),
        geometry.canvas().width());
    List<PixelValues> crops = new ArrayList<>(geometry.cropCount());
    crops.add(toTile(image));
    for (int row = 0; row < geometry.gridRows(); row++) {
      for (int col = 0; col < geometry.gridCols(); col++) {
        PixelBox rect = geometry.tileRect(row, col);
        crops.add(toTile(canvas.region(rect.y(), rect.x(), rect.height(), rect.width())));
      }
    }
    return new ImageInputs(original, crops, geometry);
  }

  /** Resized to the tile (unchanged when it already is one, as Pillow), rescaled and normalised. */
  private PixelValues toTile(RgbImage crop) {
    RgbImage t = config.doResize() ? PillowResize.resize(crop, tile, tile, config.resample()) : crop;
    return normalizer.normalize(t);
  }

  @Override
  public String toString() {
    return "OnevisionImageProcessor[" + padding + " padding, tile " + tile + ", " + config + "]";
  }
}
