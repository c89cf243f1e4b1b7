package org.visualscratchpad.torch.input.preprocess;

import java.util.ArrayList;
import java.util.List;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.torch.input.image.PillowResize;
import org.visualscratchpad.torch.input.image.RgbImage;
import org.visualscratchpad.vision.PixelBox;

/**
 * Hugging Face's {@code LlavaNextImageProcessor} (slow path, anyres): pick the best grid pinpoint
 * ({@link AnyresGeometry#selectBestResolution}), resize the image into it keeping the aspect ratio
 * (Pillow bicubic), pad with black (0 in 8-bit, so padded pixels normalise to {@code -mean/std}),
 * cut square tiles row-major, and put the whole image squashed to one tile first; every crop then
 * goes through the CLIP steps ({@link ClipImageProcessor}).
 *
 * <p>HF's batch padding ({@code _pad_for_batching}: all-zero crops appended so that every image of
 * a batch has as many crops) is not applied: {@link ImageInputs#crops()} holds the real crops only.
 * Immutable and thread-safe.
 *
 * <pre>{@code
 * jshell> var proc = LlavaNextImageProcessor.of(PreprocessorConfig.read(Path.of("llava-v1.6-mistral-7b-hf")))
 * jshell> proc.preprocess(RgbImage.filled(480, 640, 9, 9, 9)).cropCount()
 * $2 ==> 5
 * }</pre>
 */
public final class LlavaNextImageProcessor implements ImagePreprocessor {
  private final PreprocessorConfig config;
  private final ClipImageProcessor perCrop;
  private final int baseSide;
  private final int tileSide;
  private final AnyresPadding padding;

  private LlavaNextImageProcessor(PreprocessorConfig config, AnyresPadding padding) {
    this.config = config;
    this.padding = padding;
    this.perCrop = ClipImageProcessor.of(config);
    // get_image_patches: size = (shortest_edge, shortest_edge), or min(height, width) squared.
    if (config.size() instanceof ResizeTarget.ShortestEdge se) {
      this.baseSide = se.length();
    } else {
      ImageSize s = ((ResizeTarget.Exact) config.size()).size();
      this.baseSide = Math.min(s.height(), s.width());
    }
    this.tileSide = config.cropSize().height();
  }

  /**
   * A processor with the settings of {@code config}.
   *
   * @throws InvalidInputException if {@code config} has no grid pinpoints
   */
  public static LlavaNextImageProcessor of(PreprocessorConfig config) {
    InvalidInputException.check(config != null && config.isAnyres(),
        "preprocessor config (%s) must have image_grid_pinpoints for LLaVA-NeXT. Use ClipImageProcessor for LLaVA-1.5.",
        config);
    return new LlavaNextImageProcessor(config, AnyresPadding.SYMMETRIC);
  }

  /** This processor with another padding rule (default {@link AnyresPadding#SYMMETRIC}, transformers 4.45). */
  public LlavaNextImageProcessor withPadding(AnyresPadding rule) {
    InvalidInputException.check(rule != null, "padding rule must not be null");
    return new LlavaNextImageProcessor(config, rule);
  }

  public AnyresPadding padding() {
    return padding;
  }

  @Override
  public PreprocessorConfig config() {
    return config;
  }

  /** The anyres geometry an image of size {@code original} gets. */
  @Override
  public AnyresGeometry plan(ImageSize original) {
    return AnyresGeometry.plan(original, config.imageGridPinpoints(), tileSide, padding);
  }

  /** The base image and the tiles of {@code image}, preprocessed. */
  @Override
  public ImageInputs preprocess(RgbImage image) {
    ImageSize original = new ImageSize(image.height(), image.width());
    AnyresGeometry geometry = plan(original);
    RgbImage resized = PillowResize.resize(image, geometry.resized().height(), geometry.resized().width(), config.resample());
    RgbImage canvas = resized.region(-geometry.pasteTop(), -geometry.pasteLeft(),
        geometry.canvas().height(), geometry.canvas().width());
    List<PixelValues> crops = new ArrayList<>(geometry.cropCount());
    RgbImage base = PillowResize.resize(image, baseSide, baseSide, config.resample());
    crops.add(clipStep(base));
    for (int row = 0; row < geometry.gridRows(); row++) {
      for (int col = 0; col < geometry.gridCols(); col++) {
        PixelBox rect = geometry.tileRect(row, col);
        crops.add(clipStep(canvas.region(rect.y(), rect.x(), rect.height(), rect.width())));
      }
    }
    return new ImageInputs(original, crops, geometry);
  }

  /** The CLIP step's geometry for a tile of {@code tileSize} (resize back up + crop for a short tile). */
  public CenterCropGeometry tileStep(ImageSize tileSize) {
    return CenterCropGeometry.of(config, tileSize);
  }

  private PixelValues clipStep(RgbImage crop) {
    ImageSize size = new ImageSize(crop.height(), crop.width());
    return perCrop.crop(crop, CenterCropGeometry.of(config, size));
  }

  @Override
  public String toString() {
    return "LlavaNextImageProcessor[" + padding + " padding, " + config + "]";
  }
}
