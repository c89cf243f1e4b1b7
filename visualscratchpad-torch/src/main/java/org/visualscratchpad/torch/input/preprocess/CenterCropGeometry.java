package org.visualscratchpad.torch.input.preprocess;

import org.visualscratchpad.InvalidInputException;

/**
 * The geometry of {@code CLIPImageProcessor}: the original image resized to {@code resized}, then
 * the window {@code [cropTop, cropTop + crop.height) x [cropLeft, cropLeft + crop.width)} of the
 * resized image taken as the single crop. A negative offset means the resized image is smaller
 * than the crop on that axis and was padded with black (HF's {@code center_crop} padding path).
 *
 * <pre>{@code
 * jshell> CenterCropGeometry.of(PreprocessorConfig.clip(336), new ImageSize(480, 640))
 * $1 ==> CenterCropGeometry[original=480x640 (h x w), resized=336x448 (h x w), cropTop=0, cropLeft=56, crop=336x336 (h x w)]
 * }</pre>
 *
 * @param original the original image's size
 * @param resized the size after resizing (equal to {@code original} when {@code do_resize} is off)
 * @param cropTop first row of the crop in the resized image
 * @param cropLeft first column of the crop in the resized image
 * @param crop the crop's size (equal to {@code resized} when {@code do_center_crop} is off)
 */
public record CenterCropGeometry(ImageSize original, ImageSize resized, int cropTop, int cropLeft, ImageSize crop)
    implements CropGeometry {

  public CenterCropGeometry {
    InvalidInputException.check(original != null && resized != null && crop != null, "sizes must not be null");
  }

  /** The geometry {@code config} gives an image of size {@code original}. */
  public static CenterCropGeometry of(PreprocessorConfig config, ImageSize original) {
    ImageSize resized = config.doResize() ? config.size().outputSize(original) : original;
    if (!config.doCenterCrop()) {
      return new CenterCropGeometry(original, resized, 0, 0, resized);
    }
    ImageSize crop = config.cropSize();
    return new CenterCropGeometry(original, resized, offset(resized.height(), crop.height()),
        offset(resized.width(), crop.width()), crop);
  }

  /** HF {@code center_crop}: {@code (in - crop) // 2}, or minus the top/left padding when the image is smaller. */
  private static int offset(int in, int crop) {
    return in >= crop ? (in - crop) / 2 : -((crop - in + 1) / 2);
  }

  @Override
  public int cropCount() {
    return 1;
  }
}
