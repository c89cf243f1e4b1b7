package org.visualscratchpad.torch.family.qwen2vl;

import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.tensor.FloatMatrix;
import org.visualscratchpad.torch.input.preprocess.ImageSize;

/**
 * One image as {@code Qwen2VLImageProcessor} hands it to the model: its flattened patches (HF's
 * {@code pixel_values} rows of this image) and its {@code image_grid_thw}, with the sizes they came
 * from.
 *
 * <p>Row order is the merge-window order: {@code (t, h / merge, w / merge, merge, merge)}, so the
 * {@code merge^2} patches of one language-model token are consecutive rows. Each row holds {@code
 * (channel, temporal, y, x)}: {@code 3 * temporal_patch_size * patch_size^2} values (1176). Immutable and
 * thread-safe.
 *
 * <pre>{@code
 * jshell> var img = Qwen2VLImageProcessor.of(cfg).preprocess(RgbImage.filled(60, 90, 1, 2, 3))
 * img ==> Qwen2VLImage[60x90 (h x w) -> 56x84 (h x w), GridThw[1 x 4 x 6], patches [24 x 1176]]
 * }</pre>
 *
 * @param original the image's size before resizing
 * @param resized the size it was resized to (multiples of {@code patch_size * merge_size})
 * @param grid {@code image_grid_thw}
 * @param patches {@code [t * h * w, 3 * temporal * patch^2]} in merge-window row order
 */
public record Qwen2VLImage(ImageSize original, ImageSize resized, GridThw grid, FloatMatrix patches) {
  public Qwen2VLImage {
    InvalidInputException.check(original != null && resized != null && grid != null && patches != null,
        "original, resized, grid and patches must not be null");
    InvalidInputException.check(patches.rows() == grid.patches(),
        "pixel values have %s patch rows but image_grid_thw %s needs %s", patches.rows(), grid, grid.patches());
  }

  @Override
  public String toString() {
    return "Qwen2VLImage[" + original + " -> " + resized + ", " + grid + ", patches [" + patches.rows() + " x "
        + patches.cols() + "]]";
  }
}
