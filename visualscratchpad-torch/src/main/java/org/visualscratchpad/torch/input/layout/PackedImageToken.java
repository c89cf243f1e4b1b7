package org.visualscratchpad.torch.input.layout;

import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.vision.ImageTokenLocation;

/**
 * One image-feature token of the language model's input, in sequence order: a patch (with its
 * location), LLaVA-NeXT's {@code image_newline} after each row of the tile grid, CLS (only with
 * {@link FeatureSelect#FULL}), or a mix of several patches' features (LLaVA-OneVision's bilinearly
 * downscaled grid).
 *
 * <p>{@code position} is the offset from the image's first {@code <image>} token: attention to
 * image token {@code position} is column {@code firstImageTokenPosition + position} of the
 * sequence. {@code featureRow} is the row of the vision features (all crops stacked, {@code [crops
 * * featuresPerCrop, d]}) that this token carries; newlines carry the learned {@code
 * image_newline} vector instead.
 *
 * <pre>{@code
 * jshell> layout.tokens().get(0)
 * $1 ==> Patch[position=0, featureRow=0, location=ImageTokenLocation[imageTokenIndex=0, crop=0, ...]]
 * }</pre>
 */
public sealed interface PackedImageToken {

  /** Offset from the image's first image token. */
  int position();

  /**
   * A patch of a crop.
   *
   * @param position offset in the image's token block
   * @param featureRow row in the stacked per-crop features
   * @param location crop, patch and box in the original image
   */
  record Patch(int position, int featureRow, ImageTokenLocation location) implements PackedImageToken {
    public Patch {
      InvalidInputException.check(position >= 0 && featureRow >= 0 && location != null,
          "patch token (position %s, featureRow %s) must have non-negative indices and a location", position, featureRow);
    }
  }

  /**
   * LLaVA-NeXT's {@code image_newline}, after grid row {@code gridRow} of the unpadded tile grid.
   *
   * @param position offset in the image's token block
   * @param gridRow row of the unpadded grid it ends (0-based)
   */
  record Newline(int position, int gridRow) implements PackedImageToken {
    public Newline {
      InvalidInputException.check(position >= 0 && gridRow >= 0, "newline (position %s, row %s) must be non-negative", position, gridRow);
    }
  }

  /**
   * A token made of several patches: for LLaVA-OneVision's bilinear downscale of the tile grid a weighted sum of
   * feature rows, {@code sum_i weights[i] * features[featureRows[i]]} (the up to four neighbours of the sample
   * point, weights summing to 1); for Qwen2-VL's merged tokens the {@code PatchMerger}'s MLP of its 2 x 2 window's
   * four rows, weights 1/4 each (its features come from the merger, not from this sum). Attention to it is
   * attributed to its source patches by the weights.
   *
   * @param position offset in the image's token block
   * @param featureRows rows in the stacked per-crop features
   * @param weights one weight per row
   * @param sources each row's patch (crop, patch, box, SAE row)
   * @param location the area the token covers (its box: the cell of the downscaled grid; its crop and patch:
   *     the source with the largest weight)
   */
  record Mixed(int position, int[] featureRows, float[] weights, java.util.List<ImageTokenLocation> sources,
      ImageTokenLocation location) implements PackedImageToken {
    public Mixed {
      InvalidInputException.check(position >= 0 && featureRows.length > 0 && featureRows.length == weights.length
              && sources.size() == featureRows.length && location != null,
          "mixed token (position %s) needs as many feature rows, weights and sources, at least one", position);
      featureRows = featureRows.clone();
      weights = weights.clone();
      sources = java.util.List.copyOf(sources);
    }

    @Override
    public int[] featureRows() {
      return featureRows.clone();
    }

    @Override
    public float[] weights() {
      return weights.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Mixed m && m.position == position && java.util.Arrays.equals(m.featureRows, featureRows)
          && java.util.Arrays.equals(m.weights, weights) && m.sources.equals(sources) && m.location.equals(location);
    }

    @Override
    public int hashCode() {
      return java.util.Objects.hash(position, java.util.Arrays.hashCode(featureRows), java.util.Arrays.hashCode(weights),
          sources, location);
    }

    @Override
    public String toString() {
      return "Mixed[position=" + position + ", featureRows=" + java.util.Arrays.toString(featureRows) + ", weights="
          + java.util.Arrays.toString(weights) + ", location=" + location + "]";
    }
  }

  /**
   * The CLS token of crop {@code crop} ({@link FeatureSelect#FULL} only): no pixel location.
   *
   * @param position offset in the image's token block
   * @param featureRow row in the stacked per-crop features
   * @param crop the crop
   */
  record ClassToken(int position, int featureRow, int crop) implements PackedImageToken {
    public ClassToken {
      InvalidInputException.check(position >= 0 && featureRow >= 0 && crop >= 0,
          "CLS token (position %s, featureRow %s, crop %s) must be non-negative", position, featureRow, crop);
    }
  }
}
