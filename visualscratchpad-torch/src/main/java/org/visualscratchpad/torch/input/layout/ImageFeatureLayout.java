package org.visualscratchpad.torch.input.layout;

import java.util.List;
import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.torch.input.preprocess.AnyresGeometry;
import org.visualscratchpad.torch.input.preprocess.CenterCropGeometry;
import org.visualscratchpad.torch.input.preprocess.CropGeometry;
import org.visualscratchpad.torch.input.preprocess.ImageInputs;
import org.visualscratchpad.torch.input.preprocess.PreprocessorConfig;
import org.visualscratchpad.vision.ImageTokenLocation;

/**
 * The image's block of {@code <image>} tokens in the language model's input, as pure index math:
 * how many tokens, which vision-feature row each carries (HF's {@code pack_image_features}), and
 * where each patch token lies in the original image.
 *
 * <p>LLaVA-1.5 ({@link LlavaFeatureLayout}): the crop's patches row-major. LLaVA-NeXT ({@link
 * LlavaNextFeatureLayout}): the base image's patches, then the unpadded tile grid row-major with
 * an {@code image_newline} after every row.
 *
 * <p>Immutable and thread-safe.
 *
 * <pre>{@code
 * jshell> var cfg = PreprocessorConfig.read(Path.of("llava-v1.6-mistral-7b-hf"))
 * jshell> var in = LlavaNextImageProcessor.of(cfg).preprocess(image)         // 480 x 640
 * jshell> var layout = ImageFeatureLayout.of(in, cfg, 14, FeatureSelect.DEFAULT)
 * layout ==> LlavaNextFeatureLayout[image 480x640 (h x w), grid 2x2 tiles, kept rows [6, 42) cols [0, 48), 2340 tokens]
 * jshell> layout.locations().size()   // 2340 - 36 newlines
 * $4 ==> 2304
 * }</pre>
 */
public sealed interface ImageFeatureLayout permits LlavaFeatureLayout, LlavaNextFeatureLayout {

  /** The number of {@code <image>} tokens this image takes in the sequence (newlines included). */
  int tokenCount();

  /** Every image token in sequence order; {@code tokens().get(k).position() == k}. */
  List<PackedImageToken> tokens();

  /**
   * The patch tokens' locations in sequence order (newlines and CLS excluded); {@code
   * imageTokenIndex} counts patch tokens only.
   */
  List<ImageTokenLocation> locations();

  /**
   * For each token position, the row of the stacked per-crop vision features it carries ({@code
   * crop * featuresPerCrop + row}), or -1 for an {@code image_newline}: the gather index that turns
   * {@code [crops * featuresPerCrop, d]} features into the packed {@code [tokenCount, d]} sequence.
   */
  default int[] featureSourceRows() {
    List<PackedImageToken> tokens = tokens();
    int[] rows = new int[tokens.size()];
    for (int position = 0; position < rows.length; position++) {
      PackedImageToken t = tokens.get(position);
      if (t instanceof PackedImageToken.Patch p) {
        rows[position] = p.featureRow();
      } else if (t instanceof PackedImageToken.ClassToken c) {
        rows[position] = c.featureRow();
      } else {
        rows[position] = -1;
      }
    }
    return rows;
  }

  /**
   * The layout of a preprocessed image: LLaVA-1.5 for a centre crop, LLaVA-NeXT for anyres tiles.
   *
   * @param inputs the preprocessed image
   * @param config the preprocessor settings that produced it
   * @param patchSize the vision tower's {@code patch_size}
   * @param select {@code vision_feature_select_strategy}
   */
  static ImageFeatureLayout of(ImageInputs inputs, PreprocessorConfig config, int patchSize, FeatureSelect select) {
    InvalidInputException.check(inputs != null, "arguments must not be null");
    return of(inputs.geometry(), config, patchSize, select);
  }

  /** The layout of an image whose preprocessing has (or would have) {@code geometry}. */
  static ImageFeatureLayout of(CropGeometry geometry, PreprocessorConfig config, int patchSize, FeatureSelect select) {
    InvalidInputException.check(geometry != null && config != null && select != null, "arguments must not be null");
    if (geometry instanceof AnyresGeometry g) {
      return LlavaNextFeatureLayout.of(g, config, patchSize, select);
    }
    return LlavaFeatureLayout.of((CenterCropGeometry) geometry, patchSize, select);
  }
}
