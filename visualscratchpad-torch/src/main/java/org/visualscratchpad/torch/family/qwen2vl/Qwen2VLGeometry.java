package org.visualscratchpad.torch.family.qwen2vl;

import org.visualscratchpad.InvalidInputException;
import org.visualscratchpad.torch.input.preprocess.CropGeometry;
import org.visualscratchpad.torch.input.preprocess.ImageSize;

/**
 * How {@code Qwen2VLImageProcessor} shaped one image: the whole image resized (no crop, no padding) to {@code
 * resized}, multiples of {@code patch_size * merge_size} on each side; one "crop", the image itself.
 *
 * <pre>{@code
 * jshell> new Qwen2VLGeometry(new ImageSize(60, 90), new ImageSize(56, 84))
 * }</pre>
 *
 * @param original the image's size
 * @param resized the size {@code smart_resize} chose
 */
public record Qwen2VLGeometry(ImageSize original, ImageSize resized) implements CropGeometry {
  public Qwen2VLGeometry {
    InvalidInputException.check(original != null && resized != null, "original and resized must not be null");
  }

  /** One: the resized image. */
  @Override
  public int cropCount() {
    return 1;
  }
}
