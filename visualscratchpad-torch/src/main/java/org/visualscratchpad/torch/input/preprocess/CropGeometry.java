package org.visualscratchpad.torch.input.preprocess;

/**
 * How the crops that reach the vision tower were cut from the original image: what the
 * image-token-to-pixel map ({@link org.visualscratchpad.torch.input.layout.ImageFeatureLayout})
 * inverts.
 *
 * <pre>{@code
 * jshell> ClipImageProcessor.of(PreprocessorConfig.clip(336)).preprocess(RgbImage.filled(480, 640, 0, 0, 0)).geometry()
 * $1 ==> CenterCropGeometry[original=480x640 (h x w), resized=336x448 (h x w), cropTop=0, cropLeft=56, crop=336x336 (h x w)]
 * }</pre>
 */
public interface CropGeometry {

  /** The original image's size. */
  ImageSize original();

  /** Number of crops handed to the vision tower. */
  int cropCount();
}
